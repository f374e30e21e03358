"""The navigation shows each role what it may use (R1.3); the pages themselves still check."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import permissions

NAVIGATION = (
    ("home", _("Home"), "core.home:view"),
    ("contacts:workbench", _("Workbench"), "contacts.workbench:use"),
    ("customers:list", _("Customers"), "customers.customer:view"),
    ("contacts:list", _("Contacts"), "contacts.contact:view"),
    ("tickets:list", _("Tickets"), "tickets.ticket:view"),
    ("tickets:status", _("Status inquiry"), "tickets.ticket:view"),
    ("tickets:work_orders", _("Work orders"), "tickets.ticket:view"),
    ("complaints:list", _("Complaints"), "complaints.complaint:view"),
    ("service_exceptions:list", _("Service exceptions"), "service_exceptions.exception:view"),
    ("callbacks:mine", _("My callbacks"), "callbacks.callback:view"),
    ("callbacks:planning", _("Callback planning"), "callbacks.callback:plan"),
    ("callbacks:surveys", _("Satisfaction surveys"), "callbacks.survey:view"),
    ("customers:imports", _("Import customers"), "customers.customer:import"),
    ("customers:reveal_log", _("Reveal log"), "customers.reveal_log:view"),
    ("contacts:recording_log", _("Recording log"), "contacts.recording_log:view"),
    ("workforce:staffing", _("Staffing"), "workforce.staffing:view"),
    ("workforce:plans", _("Shift planning"), "workforce.plan:view"),
    ("workforce:my_roster", _("My roster"), "workforce.own_roster:view"),
    ("workforce:leave", _("Leave"), "workforce.leave:view"),
    ("calendars:index", _("Calendars"), "calendars.calendar:view"),
    ("directory", _("Teams and roles"), "accounts.directory:view"),
    ("api-docs", _("API"), "core.api_docs:view"),
    ("admin:index", _("Administration"), "core.admin:access"),
)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    items = [
        {"url": reverse(name), "label": label, "active": request.path == reverse(name)}
        for name, label, code in NAVIGATION
        if permissions.has_permission(user, code)
    ]
    return {"navigation": items, "user_read_only": permissions.user_is_read_only(user)}
