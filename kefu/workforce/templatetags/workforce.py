"""Template helpers of the workforce pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.core import permissions

register = template.Library()

LINKS = (
    ("workforce:forecast", _("Forecast"), "workforce.forecast:view"),
    ("workforce:plans", _("Staffing plans"), "workforce.plan:view"),
    ("workforce:rosters", _("Rosters"), "workforce.roster:view"),
    ("workforce:my_roster", _("My roster"), "workforce.own_roster:view"),
    ("workforce:leave", _("Leave"), "workforce.leave:view"),
    ("workforce:surge", _("Surge"), "workforce.surge:view"),
    ("workforce:staffing", _("Staffing calculator"), "workforce.staffing:view"),
)


ACTIONS = {
    "workforce.volumes.imported": _("volume history imported"),
    "workforce.forecast.made": _("forecast made"),
    "workforce.plan.made": _("staffing plan made"),
    "workforce.roster.created": _("roster created"),
    "workforce.roster.solved": _("roster solved"),
    "workforce.roster.published": _("roster published"),
    "workforce.roster.fixed": _("assignment fixed by hand"),
    "workforce.roster.released": _("assignment given back to the solver"),
    "workforce.roster.substituted": _("shift taken over by the substitute"),
    "workforce.leave.requested": _("leave requested"),
    "workforce.leave.approved": _("leave approved"),
    "workforce.leave.rejected": _("leave rejected"),
    "workforce.leave.cancelled": _("leave request cancelled"),
    "workforce.surge.started": _("surge started"),
    "workforce.surge.to_phones": _("moved onto the phones"),
    "workforce.surge.ended": _("surge ended"),
    "workforce.surge.back": _("back to own work"),
}


@register.filter
def event_label(action: str) -> str:
    """The workforce log's action code in words (the code itself when unknown)."""
    return str(ACTIONS.get(action, action))


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """mapping[key], or "" when absent."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def percent(value: Any, digits: int = 1) -> str:
    """0.1234 → 12.3%."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.inclusion_tag("workforce/_links.html", takes_context=True)
def workforce_links(context: dict[str, Any]) -> dict[str, Any]:
    """The workforce pages this user may open (each page checks again)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    links = [{"url": reverse(name), "label": label, "active": request is not None and request.path == reverse(name)}
             for name, label, code in LINKS if user is not None and permissions.has_permission(user, code)]
    return {"links": links}
