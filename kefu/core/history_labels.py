"""The words for the action codes of the histories (tickets, complaints, service exceptions, callbacks), so a
timeline reads 「已派单」 rather than `dispatched`. The codes stay in the database and the API; unknown codes are
shown as they are."""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

ACTIONS = {
    # tickets (R4.2) and what other apps write into a ticket's history
    "created": _("Created"),
    "changed": _("Changed"),
    "transition": _("Status changed"),
    "assigned": _("Assigned"),
    "dispatched": _("Dispatched"),
    "reply": _("Reply to the customer"),
    "attachment": _("Attachment added"),
    "work_order": _("Work order"),
    "warning": _("Deadline warning"),
    "escalated": _("Escalated"),
    "extended": _("Deadline extended with the customer's consent"),
    "complaint_registered": _("Complaint registered"),
    "investigation_opened": _("Investigation opened"),
    "investigation_concluded": _("Investigation concluded"),
    "follow_up_scheduled": _("Follow-up callback scheduled"),
    "follow_up_done": _("Follow-up callback made"),
    "follow_up_cancelled": _("Follow-up callback cancelled"),
    "follow_up_case": _("Follow-up case opened"),
    "follow_up_of": _("Follow-up of an earlier case"),
    "satisfaction": _("Satisfaction rated"),
    "survey_sent": _("Satisfaction survey sent"),
    # service exceptions (R6, seed 001)
    "reported": _("Reported"),
    "desk_notified": _("Service desk notified"),
    "assessed": _("Assessed"),
    "management_notified": _("Management notified"),
    "planned": _("Plan drawn up"),
    "plan_approved": _("Plan approved"),
    "plan_refused": _("Plan refused"),
    "follow_up": _("Progress followed up"),
    "executed": _("Carried out"),
    "customer_told_progress": _("Customer told the progress"),
    "customer_told_result": _("Customer told the result"),
    "rated_satisfied": _("Customer satisfied"),
    "rated_not_satisfied": _("Customer not satisfied"),
    "archived": _("Archived"),
    # callbacks (R7)
    "cancelled": _("Cancelled"),
    "pending_answered": _("Pending issue answered"),
    "call_reached": _("Called: customer reached"),
    "call_not_convenient": _("Called: not convenient, call again"),
    "call_no_answer": _("Called: no answer"),
    "call_busy": _("Called: line busy"),
    "call_wrong_number": _("Called: wrong number"),
}


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def choice_label(value: str, path: str) -> str:
    """The display name of a stored choice: `path` is "app_label.Model.field"; the value itself when unknown."""
    if not value:
        return value
    app_label, model_name, field_name = path.split(".")
    field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
    return str(dict(field.flatchoices).get(value, value))


def field_label(name: str, model_path: str) -> str:
    """The verbose name of a model field named in a history row (the name itself when it is no field)."""
    if not name:
        return name
    app_label, model_name = model_path.split(".")
    try:
        return str(apps.get_model(app_label, model_name)._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 — a history row may name a pseudo-field such as "follow_up"
        return name
