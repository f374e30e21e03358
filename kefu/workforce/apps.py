from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "kefu.workforce"
    label = "workforce"
    verbose_name = _("Workforce")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from kefu.core import periodic

        from . import (
            defaults,  # noqa: F401 - registers the workforce tunables (R9.1–R9.6)
            services,
        )

        periodic.register("workforce.volumes_from_contacts", services.volumes_from_contacts_periodic)
        post_migrate.connect(_seed, sender=self)


def _seed(**kwargs) -> None:
    from .services import shift_defaults_seed

    shift_defaults_seed()
