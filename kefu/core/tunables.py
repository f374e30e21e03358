"""Tunables: every number taken from the seeds or policy is declared once here and stored as data.

Code reads `tunables.get("customers.import_max_bytes")` and never writes the literal; an administrator
changes the value in the admin site (core.Setting). Each entry names its source (SPEC rule or seed).
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Tunable:
    key: str
    default: Any
    type: type
    label: str | Promise
    help_text: str | Promise = ""
    source: str = ""
    minimum: float | None = None
    maximum: float | None = None

    def clean(self, value: Any) -> Any:
        try:
            value = self.type(value)
        except (TypeError, ValueError):
            raise ValidationError(_("%(key)s must be a %(type)s."),
                                  params={"key": self.key, "type": self.type.__name__}) from None
        if self.minimum is not None and value < self.minimum:
            raise ValidationError(_("%(key)s must be at least %(min)s."), params={"key": self.key, "min": self.minimum})
        if self.maximum is not None and value > self.maximum:
            raise ValidationError(_("%(key)s must be at most %(max)s."), params={"key": self.key, "max": self.maximum})
        return value


REGISTRY: dict[str, Tunable] = {}


def register(tunable: Tunable) -> Tunable:
    REGISTRY[tunable.key] = tunable
    return tunable


def get(key: str) -> Any:
    from .models import Setting

    tunable = REGISTRY[key]
    stored = Setting.objects.filter(key=key).values_list("value", flat=True).first()
    return tunable.default if stored is None else tunable.clean(stored)


register(Tunable("customers.import_max_bytes", 50 * 1024 * 1024, int, _("Largest customer import file (bytes)"),
                 source="R2.4", minimum=1024))
register(Tunable("customers.import_max_rows", 200_000, int, _("Most rows in one customer import"),
                 source="R2.4", minimum=1))
register(Tunable("customers.lookup_limit", 50, int, _("Most customers listed by one look-up"),
                 source="R2.2", minimum=1, maximum=500))
