from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceExceptionsConfig(AppConfig):
    name = "kefu.service_exceptions"
    label = "service_exceptions"
    verbose_name = _("Service exceptions")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from kefu.sla.services import register_target_holders

        from . import services  # (also registers the app's tunables)

        register_target_holders("service_exception", services.exception_holders)
        post_migrate.connect(_seed, sender=self)


def _seed(**kwargs) -> None:
    from .services import service_exceptions_seed_defaults

    service_exceptions_seed_defaults()
