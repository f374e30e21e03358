"""PII masking (R2.3, PIPL): what a role without the right to see personal data is shown."""

import re

_ADDRESS_HEAD = re.compile(r"^(.*?(?:省|自治区))?(.*?(?:市|自治州|地区|盟))?(.*?(?:区|县|旗))?")


def mask_phone(number: str) -> str:
    """138****5678; a landline keeps its area code and last four digits: 021****5678."""
    if not number:
        return number
    digits = number
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if digits.startswith("0"):
        area_len = 3 if len(digits) > 2 and digits[1] in "12" else 4
        return f"{digits[:area_len]}****{digits[-4:]}"
    return "*" * max(len(digits) - 4, 0) + digits[-4:]


def mask_id_number(value: str) -> str:
    """An ID number keeps its first and last four characters: 1101**********1234."""
    if not value:
        return value
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_address(value: str) -> str:
    """An address keeps province, city and district, the rest is hidden: 上海市浦东新区****."""
    if not value:
        return value
    match = _ADDRESS_HEAD.match(value)
    head = match.group(0) if match else ""
    if not head or head == value:
        head = value[: min(6, max(len(value) // 2, 1))]
    return head + "****"
