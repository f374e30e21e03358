"""Chinese phone numbers: parse, normalise and format (mobile and landline, area codes, extensions).

Stored form (`number`): the national significant number with the trunk prefix for landlines, digits only —
mobile `13812345678`, landline `02112345678` — plus the extension apart. Callers' numbers from a PBX
(`+8613812345678`, `008613812345678`, `013812345678`) normalise to the same form, so a screen pop is one
exact index look-up.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

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
    """Parse a Chinese mobile or landline number; raise FieldError naming `field` when it is not one.

    Results are cached per distinct text (a bounded cache; parsing is pure), because imports and look-ups
    parse the same numbers again and again and libphonenumber's pattern matching is the costly part."""
    result = _parse((raw or "").strip())
    if isinstance(result, Phone):
        return result
    message, code = _REFUSALS[result]
    raise FieldError(message, field=field, code=code, value=raw)


_REFUSALS = {
    "empty": (_("The phone number is empty."), "phone_empty"),
    "invalid": (_("“%(value)s” is not a phone number."), "phone_invalid"),
    "foreign": (_("“%(value)s” is not a Chinese phone number."), "phone_foreign"),
    "not_cn": (_("“%(value)s” is not a valid Chinese mobile or landline number."), "phone_invalid"),
}
_CN = phonenumbers.country_code_for_region("CN")
_LANDLINE_TYPES = (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


@lru_cache(maxsize=100_000)
def _parse(text: str) -> Phone | str:
    """A Phone, or the key of the refusal in _REFUSALS."""
    if not text:
        return "empty"
    extension = ""
    match = _EXTENSION.search(text)
    if match:
        extension = match.group(1)
        text = text[: match.start()]
    if not _ALLOWED.match(text):
        return "invalid"
    digits = re.sub(r"\D", "", text)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif text.lstrip().startswith("+"):
        if not digits.startswith("86"):
            return "foreign"
        digits = digits[2:]
    elif len(digits) == 13 and digits.startswith("86") and digits[2] == "1":
        digits = digits[2:]
    if len(digits) == 12 and digits.startswith("01") and digits[2] != "0":
        digits = digits[1:]  # a mobile dialled with a trunk 0 by a PBX
    try:
        parsed = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return "invalid"
    # What is_valid_number_for_region(parsed, "CN") checks, without matching the number against every
    # pattern twice: the country must be China (digits starting with the international prefix 00 parse
    # as another country) and the number must be of a known type in China's plan.
    if parsed.country_code != _CN:
        return "not_cn"
    national = str(parsed.national_number)
    number_type = phonenumbers.number_type(parsed)
    if number_type == phonenumbers.PhoneNumberType.UNKNOWN:
        return "not_cn"
    if number_type == phonenumbers.PhoneNumberType.MOBILE:
        return Phone(national, extension, "mobile")
    if number_type in _LANDLINE_TYPES:
        return Phone("0" + national, extension, "landline")
    if national.startswith(("400", "800")):
        return Phone(national, extension, "landline")
    return "not_cn"


def normalise_query(raw: str) -> str | None:
    """The stored form of a number typed into the search box, or None when it is not a phone number."""
    try:
        return parse_phone(raw).number
    except FieldError:
        return None
