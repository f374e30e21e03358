"""Bulk import of customers from .xlsx and .csv (R2.4).

`read_rows()` turns a file into header + rows (CSV in UTF-8 or GB18030; .xlsx without formulas);
`validate()` checks every row and returns a report of (row, field, reason) in Chinese and English;
`apply()` writes the valid file in one transaction, all or nothing, creating or updating by customer
number so that re-importing the same file changes nothing twice. Progress is reported through a callback
(the command line prints it, the import job stores it for the web page).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kefu.accounts.models import Branch
from kefu.core import tunables
from kefu.core.errors import FieldError, KefuError, bilingual
from kefu.core.phones import parse_phone

from .models import ContactPerson, Customer, CustomerAddress, CustomerKind, CustomerPhone, Device

# Column → accepted header spellings (English code, Chinese label).
COLUMNS: dict[str, tuple[str, ...]] = {
    "customer_number": ("customer_number", "客户编号", "客户号"),
    "name": ("name", "名称", "客户名称", "商户名称"),
    "kind": ("kind", "类型", "客户类型"),
    "merchant_number": ("merchant_number", "商户编号", "商户号"),
    "id_number": ("id_number", "证件号码", "身份证号"),
    "branch": ("branch", "分公司"),
    "business_hours": ("business_hours", "营业时间"),
    "contact_name": ("contact_name", "联系人"),
    "phones": ("phones", "电话", "联系电话"),
    "address": ("address", "地址"),
    "device_model": ("device_model", "设备型号"),
    "serial_number": ("serial_number", "序列号", "设备序列号"),
    "notes": ("notes", "备注"),
}
REQUIRED = ("customer_number", "name", "kind")
PHONE_SEPARATORS = re.compile(r"[;；/、,，]+")
MAX_LENGTHS = {"customer_number": 32, "merchant_number": 32, "name": 200, "id_number": 32, "business_hours": 100,
               "contact_name": 100, "address": 255, "device_model": 100, "serial_number": 64}
PROGRESS_EVERY = 2000
OPTIONAL_KEEP = ("id_number", "business_hours", "notes", "branch", "merchant_number")


@dataclass
class RowError:
    row: int
    field: str | None
    message: str
    message_en: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message, "message_en": self.message_en}


def row_error(row: int, field_name: str | None, message, **params) -> RowError:
    zh, en = bilingual(message, **params)
    return RowError(row, field_name, zh, en)


@dataclass
class ParsedRow:
    row: int
    values: dict[str, str]
    phones: list = field(default_factory=list)


@dataclass
class Report:
    total_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: list[ParsedRow] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


class ImportFileError(KefuError):
    code = "import_file"


# --- reading -------------------------------------------------------------------------------------------

def read_rows(filename: str, content: bytes) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    """The header and an iterator of (row number, cells). Refuses too large, mis-encoded or formula files."""
    from .services import check_import_size

    check_import_size(len(content))
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        return _read_xlsx(content)
    if lower.endswith(".csv") or lower.endswith(".txt"):
        return _read_csv(content)
    raise ImportFileError(_("Only .xlsx and .csv files can be imported."), field="file")


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        utf8_error = error
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError as error:
        # The encoding that read further is most likely the file's own: report where it stopped.
        start = max(utf8_error.start, error.start)
        line = content[:start].count(b"\n") + 1
        raise ImportFileError(_("The file is neither UTF-8 nor GB18030 text (line %(line)s cannot be read)."),
                              field="file", line=line) from None


def _read_csv(content: bytes):
    text = _decode(content)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise ImportFileError(_("The file is empty."), field="file")
    return [h.strip() for h in header], ((index, row) for index, row in enumerate(reader, start=2))


def _read_xlsx(content: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ImportFileError(_("The file is not a valid .xlsx workbook."), field="file") from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=False)
    header_cells = next(rows, None)
    if header_cells is None:
        raise ImportFileError(_("The file is empty."), field="file")
    header = [str(c.value).strip() if c.value is not None else "" for c in header_cells]

    def cells():
        for index, row in enumerate(rows, start=2):
            values = []
            for cell in row:
                if cell.data_type == "f":
                    values.append(_Formula(cell.value))
                else:
                    values.append(cell.value)
            yield index, values

    return header, cells()


class _Formula(str):
    """A cell that holds a formula: refused, since its value is computed by Excel, not stored."""


# --- validation ----------------------------------------------------------------------------------------

def _column_map(header: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        for column, names in COLUMNS.items():
            if title.lower() in names:
                positions.setdefault(column, index)
    missing = [c for c in REQUIRED if c not in positions]
    if missing:
        raise ImportFileError(_("Row 1: the column “%(column)s” is missing."), field=missing[0], column=missing[0])
    return positions


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def validate(filename: str, content: bytes, progress: Progress = _no_progress) -> Report:
    """Check every row; the report lists each bad row's field and reason. Writes nothing."""
    report = Report()
    header, rows = read_rows(filename, content)
    positions = _column_map(header)
    max_rows = tunables.get("customers.import_max_rows")
    kinds = {k.code: k for k in CustomerKind.objects.filter(is_active=True)}
    kinds.update({k.name: k for k in kinds.values()})
    branches = {b.code: b for b in Branch.objects.all()}
    branches.update({b.name: b for b in list(branches.values())})
    seen_numbers: dict[str, int] = {}
    seen_merchants: dict[str, int] = {}
    seen_serials: dict[tuple[str, str], int] = {}
    for row_number, cells in rows:
        if report.total_rows >= max_rows:
            raise ImportFileError(_("The file has more than %(max)s rows."), field="file", max=max_rows)
        values: dict[str, str] = {}
        errors: list[RowError] = []
        formulas: set[str] = set()
        for column, index in positions.items():
            raw = cells[index] if index < len(cells) else None
            if isinstance(raw, _Formula):
                errors.append(row_error(row_number, column, _("This cell holds a formula (%(formula)s); "
                                                              "import values only."), formula=str(raw)[:40]))
                formulas.add(column)
                raw = None
            values[column] = _text(raw)
        if not any(values.values()) and not formulas:
            continue  # a blank line is not a row
        report.total_rows += 1
        for column in REQUIRED:
            if not values.get(column) and column not in formulas:
                errors.append(row_error(row_number, column, _("This field is required.")))
        for column, limit in MAX_LENGTHS.items():
            if len(values.get(column, "")) > limit:
                errors.append(row_error(row_number, column, _("At most %(limit)s characters."), limit=limit))
        number = values["customer_number"].upper()
        values["customer_number"] = number
        if number:
            if number in seen_numbers:
                errors.append(row_error(row_number, "customer_number",
                                        _("Customer number %(number)s is also on row %(other)s."),
                                        number=number, other=seen_numbers[number]))
            else:
                seen_numbers[number] = row_number
        merchant = values.get("merchant_number", "").upper()
        values["merchant_number"] = merchant
        if merchant:
            if merchant in seen_merchants:
                errors.append(row_error(row_number, "merchant_number",
                                        _("Merchant number %(number)s is also on row %(other)s."),
                                        number=merchant, other=seen_merchants[merchant]))
            else:
                seen_merchants[merchant] = row_number
        if values.get("kind") and values["kind"] not in kinds:
            errors.append(row_error(row_number, "kind", _("Unknown customer kind “%(value)s”."), value=values["kind"]))
        if values.get("branch") and values["branch"] not in branches:
            errors.append(row_error(row_number, "branch", _("Unknown branch “%(value)s”."), value=values["branch"]))
        parsed = ParsedRow(row_number, values)
        for raw_phone in PHONE_SEPARATORS.split(values.get("phones", "")):
            if not raw_phone.strip():
                continue
            try:
                phone = parse_phone(raw_phone, field="phones")
            except FieldError as error:
                errors.append(RowError(row_number, "phones", error.message_zh, error.message_en))
                continue
            if (phone.number, phone.extension) not in {(p.number, p.extension) for p in parsed.phones}:
                parsed.phones.append(phone)
        serial = values.get("serial_number", "")
        if serial:
            if not values.get("device_model"):
                errors.append(row_error(row_number, "device_model", _("A serial number needs the device model.")))
            key = (values.get("device_model", ""), serial)
            if key in seen_serials:
                errors.append(row_error(row_number, "serial_number",
                                        _("Device serial number %(serial)s is also on row %(other)s."),
                                        serial=serial, other=seen_serials[key]))
            else:
                seen_serials[key] = row_number
        if errors:
            report.errors.extend(errors)
        else:
            report.rows.append(parsed)
        if report.total_rows % PROGRESS_EVERY == 0:
            progress("validate", report.total_rows, 0)
    progress("validate", report.total_rows, report.total_rows)
    if report.total_rows == 0:
        raise ImportFileError(_("The file has no data rows."), field="file")
    _check_against_database(report)
    report._kinds, report._branches = kinds, branches  # type: ignore[attr-defined]
    return report


def _chunks(items: list, size: int = 900):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _check_against_database(report: Report) -> None:
    """Merchant numbers and device serials must not belong to another customer already in Kefu."""
    by_merchant = {r.values["merchant_number"]: r for r in report.rows if r.values.get("merchant_number")}
    for chunk in _chunks(list(by_merchant)):
        for merchant, owner in Customer.objects.filter(merchant_number__in=chunk).values_list(
                "merchant_number", "customer_number"):
            row = by_merchant[merchant]
            if owner != row.values["customer_number"]:
                report.errors.append(row_error(row.row, "merchant_number",
                                               _("Merchant number %(number)s belongs to customer %(owner)s."),
                                               number=merchant, owner=owner))
    by_serial = {r.values["serial_number"]: r for r in report.rows if r.values.get("serial_number")}
    for chunk in _chunks(list(by_serial)):
        for model, serial, owner in Device.objects.filter(serial_number__in=chunk).values_list(
                "model", "serial_number", "customer__customer_number"):
            row = by_serial[serial]
            if row.values.get("device_model") == model and owner != row.values["customer_number"]:
                report.errors.append(row_error(row.row, "serial_number",
                                               _("Device %(serial)s belongs to customer %(owner)s."),
                                               serial=serial, owner=owner))
    if report.errors:
        bad_rows = {e.row for e in report.errors}
        report.rows = [r for r in report.rows if r.row not in bad_rows]
    report.errors.sort(key=lambda e: (e.row, e.field or ""))


# --- writing -------------------------------------------------------------------------------------------

def apply(report: Report, *, actor=None, progress: Progress = _no_progress) -> Report:
    """Write a validated file in one transaction: all rows or none (R2.4)."""
    if not report.ok:
        raise KefuError(_("The file has errors; nothing was imported."), code="import_invalid")
    kinds, branches = report._kinds, report._branches  # type: ignore[attr-defined]
    total = len(report.rows)
    with transaction.atomic():
        existing: dict[str, Customer] = {}
        numbers = [r.values["customer_number"] for r in report.rows]
        for chunk in _chunks(numbers):
            for customer in Customer.objects.filter(customer_number__in=chunk):
                existing[customer.customer_number] = customer
        to_create: list[Customer] = []
        to_update: list[Customer] = []
        for parsed in report.rows:
            v = parsed.values
            fields = {
                "name": v["name"],
                "kind": kinds[v["kind"]],
                "merchant_number": v.get("merchant_number") or None,
                "id_number": v.get("id_number", ""),
                "branch": branches.get(v.get("branch", "")) if v.get("branch") else None,
                "business_hours": v.get("business_hours", ""),
                "notes": v.get("notes", ""),
            }
            customer = existing.get(v["customer_number"])
            if customer is None:
                to_create.append(Customer(customer_number=v["customer_number"], **fields))
            else:
                changed = False
                for name, value in fields.items():
                    if name in OPTIONAL_KEEP and not v.get(name):
                        continue  # an empty cell keeps what Kefu has
                    if getattr(customer, name) != value:
                        setattr(customer, name, value)
                        changed = True
                if changed:
                    to_update.append(customer)
        if to_create:
            bulk_create_with_history(to_create, Customer, batch_size=1000, default_user=actor)
            for chunk in _chunks([c.customer_number for c in to_create]):
                for customer in Customer.objects.filter(customer_number__in=chunk):
                    existing[customer.customer_number] = customer
        progress("write", total // 2, total)
        if to_update:
            bulk_update_with_history(to_update, Customer, ["name", "kind", "merchant_number", "id_number", "branch",
                                                            "business_hours", "notes"],
                                     batch_size=1000, default_user=actor)
        _apply_details(report, existing, actor)
        progress("write", total, total)
    report.created, report.updated = len(to_create), len(to_update)
    return report


def _apply_details(report: Report, customers: dict[str, Customer], actor) -> None:
    """Add the phones, contact persons, addresses and devices a row brings and Kefu does not have yet."""
    ids = [c.pk for c in customers.values()]
    have_phones: set[tuple[int, str, str]] = set()
    have_contacts: set[tuple[int, str]] = set()
    have_addresses: set[tuple[int, str]] = set()
    have_devices: set[tuple[str, str]] = set()
    for chunk in _chunks(ids):
        have_phones.update(CustomerPhone.objects.filter(customer_id__in=chunk).values_list(
            "customer_id", "number", "extension"))
        have_contacts.update(ContactPerson.objects.filter(customer_id__in=chunk).values_list("customer_id", "name"))
        have_addresses.update(CustomerAddress.objects.filter(customer_id__in=chunk).values_list(
            "customer_id", "address"))
        have_devices.update(Device.objects.filter(customer_id__in=chunk).values_list("model", "serial_number"))
    with_contact = {pk for pk, _name in have_contacts}
    with_address = {pk for pk, _address in have_addresses}
    phones, contacts, addresses, devices = [], [], [], []
    for parsed in report.rows:
        v = parsed.values
        customer = customers[v["customer_number"]]
        for phone in parsed.phones:
            if (customer.pk, phone.number, phone.extension) not in have_phones:
                phones.append(CustomerPhone(customer=customer, number=phone.number, extension=phone.extension,
                                            kind=phone.kind))
        if v.get("contact_name") and (customer.pk, v["contact_name"]) not in have_contacts:
            contacts.append(ContactPerson(customer=customer, name=v["contact_name"],
                                          is_primary=customer.pk not in with_contact))
        if v.get("address") and (customer.pk, v["address"]) not in have_addresses:
            addresses.append(CustomerAddress(customer=customer, address=v["address"],
                                             is_primary=customer.pk not in with_address))
        if v.get("device_model") and (v["device_model"], v.get("serial_number", "")) not in have_devices:
            devices.append(Device(customer=customer, model=v["device_model"], serial_number=v.get("serial_number", "")))
    for model, objs in ((CustomerPhone, phones), (ContactPerson, contacts), (CustomerAddress, addresses),
                        (Device, devices)):
        if objs:
            bulk_create_with_history(objs, model, batch_size=1000, default_user=actor)
