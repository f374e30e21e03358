"""Chinese phone numbers: parse, normalise and format (mobile and landline, area codes, extensions).

Stored form (`number`): the national significant number with the trunk prefix for landlines, digits only —
mobile `13812345678`, landline `02112345678` — plus the extension apart. Callers' numbers from a PBX
(`+8613812345678`, `008613812345678`, `013812345678`) normalise to the same form, so a screen pop is one
exact index look-up.
"""

import re
from dataclasses import dataclass

import phonenumbers
from django.utils.translation import gettext_lazy as _

from .errors import FieldError

_EXTENSION = re.compile(r"\s*(?:转|分机|ext\.?|x|#|,)\s*(\d{1,6})\s*$", re.IGNORECASE)
_ALLOWED = re.compile(r"^[\d\s\-()+]+$")


@dataclass(frozen=True)
class Phone:
    number: str
    extension: str
    kind: str  # "mobile" | "landline"

    @property
    def display(self) -> str:
        if self.kind == "mobile":
            text = f"{self.number[:3]} {self.number[3:7]} {self.number[7:]}"
        else:
            area_len = 3 if self.number[1] in "12" else 4
            text = f"{self.number[:area_len]}-{self.number[area_len:]}"
        return f"{text} 转 {self.extension}" if self.extension else text


def parse_phone(raw: str, *, field: str = "phone") -> Phone:
    """Parse a Chinese mobile or landline number; raise FieldError naming `field` when it is not one."""
    text = (raw or "").strip()
    if not text:
        raise FieldError(_("The phone number is empty."), field=field, code="phone_empty")
    extension = ""
    match = _EXTENSION.search(text)
    if match:
        extension = match.group(1)
        text = text[: match.start()]
    if not _ALLOWED.match(text):
        raise FieldError(_("“%(value)s” is not a phone number."), field=field, code="phone_invalid", value=raw)
    digits = re.sub(r"\D", "", text)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif text.lstrip().startswith("+"):
        if not digits.startswith("86"):
            raise FieldError(_("“%(value)s” is not a Chinese phone number."), field=field, code="phone_foreign",
                             value=raw)
        digits = digits[2:]
    elif len(digits) == 13 and digits.startswith("86") and digits[2] == "1":
        digits = digits[2:]
    if len(digits) == 12 and digits.startswith("01") and digits[2] != "0":
        digits = digits[1:]  # a mobile dialled with a trunk 0 by a PBX
    try:
        parsed = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        raise FieldError(_("“%(value)s” is not a phone number."), field=field, code="phone_invalid",
                         value=raw) from None
    if not phonenumbers.is_valid_number_for_region(parsed, "CN"):
        raise FieldError(_("“%(value)s” is not a valid Chinese mobile or landline number."), field=field,
                         code="phone_invalid", value=raw)
    national = str(parsed.national_number)
    number_type = phonenumbers.number_type(parsed)
    if number_type == phonenumbers.PhoneNumberType.MOBILE:
        return Phone(national, extension, "mobile")
    if number_type in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return Phone("0" + national, extension, "landline")
    if national.startswith(("400", "800")):
        return Phone(national, extension, "landline")
    raise FieldError(_("“%(value)s” is not a valid Chinese mobile or landline number."), field=field,
                     code="phone_invalid", value=raw)


def normalise_query(raw: str) -> str | None:
    """The stored form of a number typed into the search box, or None when it is not a phone number."""
    try:
        return parse_phone(raw).number
    except FieldError:
        return None
