from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "kefu.sla"
    label = "sla"
    verbose_name = _("Deadlines and escalation")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from kefu.core import periodic

        from . import services

        post_migrate.connect(_seed, sender=self)
        periodic.register("sla.sweep", services.sla_sweep)


def _seed(**kwargs) -> None:
    from .services import sla_seed_defaults

    sla_seed_defaults()
