from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "kefu.sla"
    label = "sla"
    verbose_name = _("Deadlines and escalation")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from kefu.calendars.models import Calendar, WorkingInterval
        from kefu.core import periodic
        from kefu.tickets import config

        from . import services
        from .models import SlaPolicy

        post_migrate.connect(_seed, sender=self)
        # The ticket policies and their calendars are kept in memory by every process (kefu.tickets.config).
        config.watch(SlaPolicy, SlaPolicy.kinds.through, Calendar, WorkingInterval)
        periodic.register("sla.sweep", services.sla_sweep)


def _seed(**kwargs) -> None:
    from .services import sla_seed_defaults

    sla_seed_defaults()
