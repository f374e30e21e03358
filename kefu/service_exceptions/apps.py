from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceExceptionsConfig(AppConfig):
    name = "kefu.service_exceptions"
    label = "service_exceptions"
    verbose_name = _("Service exceptions")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import services  # noqa: F401  (registers the app's tunables)

        post_migrate.connect(_seed, sender=self)


def _seed(**kwargs) -> None:
    from .services import service_exceptions_seed_defaults

    service_exceptions_seed_defaults()
