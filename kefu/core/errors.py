"""Domain errors carry a machine-readable code and a message in Chinese and English.

Services raise `KefuError` (or `FieldError` for one input field); the API error handler and the web views
turn them into the same shape: {"code", "message", "message_en", "field"}.
"""

from typing import Any

from django.utils import translation
from django.utils.functional import Promise


def bilingual(message: str | Promise, **params: Any) -> tuple[str, str]:
    """Render a lazy message in Chinese and in English."""
    with translation.override("zh-hans"):
        zh = str(message) % params if params else str(message)
    with translation.override("en"):
        en = str(message) % params if params else str(message)
    return zh, en


class KefuError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str | Promise, *, code: str | None = None, field: str | None = None,
                 status: int | None = None, **params: Any) -> None:
        self.message_zh, self.message_en = bilingual(message, **params)
        if code:
            self.code = code
        if status:
            self.status = status
        self.field = field
        super().__init__(self.message_en)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message_zh, "message_en": self.message_en}
        if self.field:
            data["field"] = self.field
        return data


class FieldError(KefuError):
    code = "invalid"


class ConflictError(KefuError):
    code = "conflict"
    status = 409
