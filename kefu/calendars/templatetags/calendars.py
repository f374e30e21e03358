"""`{% load calendars %}{% schedule_warning %}`: the R11.1 warning for administrators, from 1 November on, when
next year's official schedule is not loaded. Meant for kefu/templates/base.html (above the messages)."""

from django import template

from kefu.core import permissions

from .. import selectors

register = template.Library()

EDIT = "calendars.calendar:edit"


@register.inclusion_tag("calendars/_schedule_warning.html", takes_context=True)
def schedule_warning(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not permissions.has_permission(user, EDIT):
        return {"missing_year": None}
    if getattr(request, "_kefu_schedule_warning_shown", False):
        return {"missing_year": None}  # base.html and a page may both ask: show it once
    request._kefu_schedule_warning_shown = True
    return {"missing_year": selectors.missing_next_year()}
