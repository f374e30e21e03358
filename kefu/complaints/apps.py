from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "kefu.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from kefu.core import periodic

        from . import services

        periodic.register("complaints.follow_ups", services.complaints_schedule_follow_ups)
        from kefu.sla.services import register_target_holders

        register_target_holders("complaint_follow_up", services.follow_up_holders)
        from kefu.tickets.services import TRANSITION_GUARDS

        if services.complaint_transition_guard not in TRANSITION_GUARDS:
            TRANSITION_GUARDS.append(services.complaint_transition_guard)
