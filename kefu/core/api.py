"""API plumbing shared by every app: the permission class and one error shape (R12.1)."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions, status
from rest_framework.response import Response

from . import permissions as kefu_permissions
from .errors import KefuError, bilingual


class KefuPermission(permissions.BasePermission):
    """Applies the view's declared permission (see kefu.core.permissions) to every API request."""

    message = _("You do not have permission to perform this action.")

    def has_permission(self, request, view) -> bool:
        decision = kefu_permissions.check(request.user, view, request.method, getattr(view, "action", None))
        if decision == "undeclared":
            return False
        if decision == "login":
            raise exceptions.NotAuthenticated()
        return decision == "ok"


_GENERIC = {
    "not_authenticated": _("Authentication credentials were not provided or are invalid."),
    "authentication_failed": _("Authentication credentials were not provided or are invalid."),
    "permission_denied": _("You do not have permission to perform this action."),
    "not_found": _("Not found."),
    "method_not_allowed": _("This method is not allowed here."),
    "invalid": _("The input is not valid; see the fields."),
    "throttled": _("Too many requests; try again later."),
    "parse_error": _("The request body could not be read."),
    "unsupported_media_type": _("This content type is not supported."),
    "not_acceptable": _("The requested format is not available."),
}


def _field_errors(detail: Any, prefix: str = "") -> list[dict[str, Any]]:
    """Flatten DRF's nested error detail into [{field, code, message}] with dotted field paths."""
    out: list[dict[str, Any]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if key != "non_field_errors" else ""
            out += _field_errors(value, f"{prefix}.{name}" if prefix and name else (name or prefix))
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            for item in detail:
                out.append({"field": prefix or None, "code": getattr(item, "code", "invalid"), "message": str(item)})
        else:
            for index, item in enumerate(detail):
                out += _field_errors(item, f"{prefix}[{index}]")
    else:
        out.append({"field": prefix or None, "code": getattr(detail, "code", "invalid"), "message": str(detail)})
    return out


def error_body(code: str, message: Any, *, fields: list[dict[str, Any]] | None = None,
               field: str | None = None) -> dict[str, Any]:
    zh, en = bilingual(message)
    error: dict[str, Any] = {"code": code, "message": zh, "message_en": en}
    if field:
        error["field"] = field
    if fields:
        error["fields"] = fields
    return {"error": error}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error is {"error": {"code", "message" (中文), "message_en", "field"?, "fields"?}}."""
    if isinstance(exc, KefuError):
        return Response({"error": exc.as_dict()}, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    from rest_framework.views import exception_handler as drf_exception_handler  # avoids an import cycle

    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        fields = _field_errors(exc.detail)
        first = next((f["field"] for f in fields if f["field"]), None)
        response.data = error_body("invalid", _GENERIC["invalid"], fields=fields, field=first)
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else "error"
    message = _GENERIC.get(code, exc.detail if isinstance(exc.detail, str) else _("Error"))
    response.data = error_body(code, message)
    return response
