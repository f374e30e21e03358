from django import template
from django.utils.translation import gettext_lazy as _

from kefu.core import masking, permissions

register = template.Library()

_MATCH_LABELS = {
    "phone": _("phone number"),
    "customer_number": _("customer number"),
    "merchant_number": _("merchant number"),
    "ticket_number": _("ticket number"),
    "name": _("name"),
}


@register.filter
def can(code: str, user) -> bool:
    """{% if "customers.customer:edit"|can:user %}: show a control only to those who may use it."""
    return permissions.has_permission(user, code) and not (
        not code.endswith(":view") and code != "customers.pii:reveal" and permissions.user_is_read_only(user))


@register.filter
def phone(value: str, show_pii: bool) -> str:
    return value if show_pii else masking.mask_phone(value)


@register.filter
def id_number(value: str, show_pii: bool) -> str:
    return value if show_pii else masking.mask_id_number(value)


@register.filter
def address(value: str, show_pii: bool) -> str:
    return value if show_pii else masking.mask_address(value)


@register.filter
def match_label(value: str) -> str:
    return str(_MATCH_LABELS.get(value, value))


@register.filter
def action_label(code: str) -> str:
    """{{ event.action|action_label }}: a history action code in words."""
    from kefu.core.history_labels import action_label as label

    return label(code)


@register.filter
def choice_label(value: str, path: str) -> str:
    """{{ e.new_state|choice_label:"service_exceptions.ServiceException.state" }}."""
    from kefu.core.history_labels import choice_label as label

    return label(value, path)


@register.filter
def field_label(name: str, model_path: str) -> str:
    """{{ event.field|field_label:"tickets.Ticket" }}."""
    from kefu.core.history_labels import field_label as label

    return label(name, model_path)
