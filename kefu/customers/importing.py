"""Bulk import of customers from .xlsx and .csv (R2.4).

`read_rows()` turns a file into header + rows (CSV in UTF-8 or GB18030, see kefu.core.textfiles; .xlsx
without formulas); `validate()` checks every row and returns a report of (row, field, reason) in Chinese and
English; `apply()` writes the valid file in one transaction, all or nothing, creating or updating by customer
number so that re-importing the same file changes nothing twice, with a history row for every row written
(kefu/customers/bulkwrite.py). Progress is reported through a callback (the command line prints it, the
import job stores it for the web page). A 100,000-row .xlsx takes well under the 60 s of R2.4 on SQLite and
PostgreSQL (docs/BENCHMARKS.md, bench/import_xlsx.py).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Branch
from kefu.core import tunables
from kefu.core.errors import ConflictError, FieldError, KefuError, bilingual
from kefu.core.phones import parse_phone
from kefu.core.textfiles import decode_text

from .bulkwrite import BulkWriter
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
        return _read_csv(filename, content)
    raise ImportFileError(_("Only .xlsx and .csv files can be imported."), field="file")


def _read_csv(filename: str, content: bytes):
    text = decode_text(content, filename=filename, error=ImportFileError)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise ImportFileError(_("The file is empty."), field="file")
    return [h.strip() for h in header], ((index, row) for index, row in enumerate(reader, start=2))


def _read_xlsx(content: bytes):
    rows = _sheet_rows(*_open_first_sheet(content))
    first = next(rows, None)
    if first is None:
        raise ImportFileError(_("The file is empty."), field="file")
    if first[0] == 1:
        header = [str(value).strip() if value is not None else "" for value in first[1]]
    else:
        header, rows = [], itertools.chain([first], rows)  # no row 1: no header (reported as missing columns)
    return header, rows


def _open_first_sheet(content: bytes):
    """The workbook (read-only, with its styles and shared strings) and the path of its first worksheet —
    the sheet `load_workbook(...).worksheets[0]` is. `load_workbook` itself is not used: in read-only mode it
    scans every sheet of the file once just to size it, before a single row is read."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=False)
        reader.read_manifest()
        strings = _shared_strings(reader)
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        for _sheet, rel in reader.parser.find_sheets():
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
                return reader.wb, strings, rel.target
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError, SyntaxError):
        pass
    raise ImportFileError(_("The file is not a valid .xlsx workbook."), field="file")


def _shared_strings(reader) -> list[str]:
    """The workbook's shared-strings table (where Excel and WPS keep every text cell), as openpyxl's
    `read_string_table` reads it, with plain strings (one <t>) taken directly: openpyxl builds a Text object
    for each, which for 100,000 rows of mostly distinct names, numbers and addresses took 5 s."""
    from openpyxl.cell.text import Text
    from openpyxl.reader.excel import SHARED_STRINGS
    from openpyxl.xml.functions import iterparse

    part = reader.package.find(SHARED_STRINGS)
    if part is None:
        return []
    strings: list[str] = []
    with reader.archive.open(part.PartName[1:]) as source:
        for _event, node in iterparse(source):
            if node.tag != _SHARED:
                continue
            if len(node) == 1 and node[0].tag == _TEXT:
                text = node[0].text or ""
            else:
                text = Text.from_tree(node).content  # rich text runs, phonetic guides
            strings.append(text.replace("x005F_", ""))  # as openpyxl does
            node.clear()
    return strings


_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _FORMULA, _INLINE, _TEXT, _SHARED = (f"{_SHEET_NS}{tag}" for tag in
                                                           ("row", "c", "v", "f", "is", "t", "si"))


def _sheet_rows(workbook, strings, path: str) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cell values) of every row of a worksheet, read straight from its XML.

    openpyxl's own row reader builds a cell object and a dict for every cell: more than half of an import's
    reading time. The common cells — shared or inline plain text, plain numbers, empty cells — are
    read here with openpyxl's own rules; every other cell (formulas, dates, booleans, errors, rich text) is
    handed to openpyxl's parser, so values are the ones openpyxl gives (kefu/customers/tests/test_import.py
    compares the two). Formulas come back as _Formula."""
    from openpyxl.utils.cell import column_index_from_string
    from openpyxl.worksheet._reader import WorkSheetParser, _cast_number
    from openpyxl.xml.functions import iterparse

    date_styles = workbook._date_formats
    fallback = WorkSheetParser(None, strings, data_only=False, epoch=workbook.epoch, date_formats=date_styles,
                               timedelta_formats=workbook._timedelta_formats)

    def other(cell, row_number: int, column: int) -> Any:
        fallback.row_counter, fallback.col_counter = row_number, column - 1
        parsed = fallback.parse_cell(cell)
        return _Formula(parsed["value"]) if parsed["data_type"] == "f" else parsed["value"]

    columns: dict[str, int] = {}
    row_number = 0
    try:
        with workbook._archive.open(path) as source:
            for _event, element in iterparse(source):
                if element.tag != _ROW:
                    continue
                number = element.get("r")
                row_number = int(number) if number else row_number + 1
                values: list[Any] = []
                column = 0
                for cell in element:
                    if cell.tag != _CELL:
                        continue
                    coordinate = cell.get("r")
                    if coordinate:
                        letters = coordinate.rstrip("0123456789")
                        column = columns.get(letters) or columns.setdefault(
                            letters, column_index_from_string(letters))
                    else:
                        column += 1
                    kind = cell.get("t")
                    text = formula = inline = None
                    for child in cell:
                        if child.tag == _VALUE:
                            text = child.text
                        elif child.tag == _FORMULA:
                            formula = child
                        elif child.tag == _INLINE:
                            inline = child
                    if formula is not None:
                        value = other(cell, row_number, column)
                    elif kind == "s":
                        value = strings[int(text)] if text else None
                    elif kind is None or kind == "n":
                        style = cell.get("s")
                        if not text:
                            value = None
                        elif style and int(style) in date_styles:
                            value = other(cell, row_number, column)
                        else:
                            value = _cast_number(text)
                    elif kind == "inlineStr" and inline is None:
                        value = None
                    elif kind == "inlineStr" and len(inline) == 1 and inline[0].tag == _TEXT:
                        value = inline[0].text or ""
                    else:
                        value = other(cell, row_number, column)
                    if column > len(values):
                        values.extend([None] * (column - len(values)))
                    values[column - 1] = value
                element.clear()
                yield row_number, values
    except (SyntaxError, ValueError, IndexError, KeyError, zipfile.BadZipFile):
        # ElementTree's ParseError is a SyntaxError; a bad number, string index or coordinate lands here too.
        raise ImportFileError(_("The file is not a valid .xlsx workbook."), field="file") from None
    finally:
        workbook._archive.close()


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
        for merchant, owner in Customer.objects.filter(merchant_number__in=chunk).order_by().values_list(
                "merchant_number", "customer_number"):
            row = by_merchant[merchant]
            if owner != row.values["customer_number"]:
                report.errors.append(row_error(row.row, "merchant_number",
                                               _("Merchant number %(number)s belongs to customer %(owner)s."),
                                               number=merchant, owner=owner))
    # A serial number is unique per device model: look devices up by both, which the unique index
    # device_serial_unique (model, serial_number; non-empty serials) answers — by serial alone every chunk
    # would scan the whole device table.
    by_device = {(r.values["device_model"], r.values["serial_number"]): r for r in report.rows
                 if r.values.get("serial_number")}
    serials_by_model: dict[str, list[str]] = {}
    for model, serial in by_device:
        serials_by_model.setdefault(model, []).append(serial)
    for model, serials in serials_by_model.items():
        for chunk in _chunks(serials):
            for serial, owner in Device.objects.filter(model=model, serial_number__in=chunk).exclude(
                    serial_number="").order_by().values_list("serial_number", "customer__customer_number"):
                row = by_device[(model, serial)]
                if owner != row.values["customer_number"]:
                    report.errors.append(row_error(row.row, "serial_number",
                                                   _("Device %(serial)s belongs to customer %(owner)s."),
                                                   serial=serial, owner=owner))
    if report.errors:
        bad_rows = {e.row for e in report.errors}
        report.rows = [r for r in report.rows if r.row not in bad_rows]
    report.errors.sort(key=lambda e: (e.row, e.field or ""))


# --- writing -------------------------------------------------------------------------------------------

# (file column, Customer field) of what an import sets on a customer.
CUSTOMER_FIELDS = (("name", "name"), ("kind", "kind_id"), ("merchant_number", "merchant_number"),
                   ("id_number", "id_number"), ("branch", "branch_id"), ("business_hours", "business_hours"),
                   ("notes", "notes"))


def apply(report: Report, *, actor=None, progress: Progress = _no_progress) -> Report:
    """Write a validated file in one transaction: all rows or none (R2.4).

    A customer number Kefu knows is updated (an empty optional cell keeps what Kefu has), a new one created;
    phones, contact persons, addresses and devices Kefu does not have yet are added. Every row written gets
    its history row with `actor` as the user, as a change through the UI would (kefu/customers/bulkwrite.py).
    """
    if not report.ok:
        raise KefuError(_("The file has errors; nothing was imported."), code="import_invalid")
    kinds, branches = report._kinds, report._branches  # type: ignore[attr-defined]
    total = len(report.rows)
    names = [name for _column, name in CUSTOMER_FIELDS]
    writer = BulkWriter(user=actor)
    try:
        with transaction.atomic():
            existing: dict[str, tuple] = {}
            numbers = [r.values["customer_number"] for r in report.rows]
            for chunk in _chunks(numbers):
                for number, *values in Customer.objects.filter(customer_number__in=chunk).order_by().values_list(
                        "customer_number", "pk", *names):
                    existing[number] = tuple(values)
            ids: dict[str, int] = {}
            to_create: list[tuple] = []
            to_update: list[tuple] = []
            for parsed in report.rows:
                v = parsed.values
                number = v["customer_number"]
                wanted = (v["name"], kinds[v["kind"]].pk, v.get("merchant_number") or None, v.get("id_number", ""),
                          branches[v["branch"]].pk if v.get("branch") else None, v.get("business_hours", ""),
                          v.get("notes", ""))
                current = existing.get(number)
                if current is None:
                    to_create.append((number, *wanted))
                    continue
                pk, have = current[0], current[1:]
                ids[number] = pk
                merged = tuple(
                    old if column in OPTIONAL_KEEP and not v.get(column) else new  # an empty cell keeps Kefu's
                    for (column, _name), old, new in zip(CUSTOMER_FIELDS, have, wanted, strict=True))
                if merged != have:
                    to_update.append((pk, *merged))
            created_ids = writer.insert(Customer, ["customer_number", *names], to_create)
            ids.update((row[0], pk) for row, pk in zip(to_create, created_ids, strict=True))
            progress("write", total // 2, total)
            writer.update(Customer, names, to_update)
            _apply_details(report, ids, existing_ids=[current[0] for current in existing.values()], writer=writer)
            progress("write", total, total)
    except IntegrityError:
        # Validation checked the file against the database; only a change made meanwhile (another import, a
        # colleague adding the same customer) can collide. Nothing was written.
        raise ConflictError(_("Customers were changed while the file was being imported; nothing was imported. "
                              "Import the file again."), code="import_conflict") from None
    report.created, report.updated = len(to_create), len(to_update)
    return report


def _apply_details(report: Report, ids: dict[str, int], *, existing_ids: list[int], writer: BulkWriter) -> None:
    """Add the phones, contact persons, addresses and devices a row brings and Kefu does not have yet.

    Only customers that existed before the import can have any; a device with a serial number is the same
    device whoever it is listed under (the serial is unique per model and validation checked its owner)."""
    have_phones: set[tuple[int, str, str]] = set()
    have_contacts: set[tuple[int, str]] = set()
    have_addresses: set[tuple[int, str]] = set()
    have_devices: set[tuple] = set()
    for chunk in _chunks(existing_ids):
        have_phones.update(CustomerPhone.objects.filter(customer_id__in=chunk).order_by().values_list(
            "customer_id", "number", "extension"))
        have_contacts.update(ContactPerson.objects.filter(customer_id__in=chunk).order_by().values_list(
            "customer_id", "name"))
        have_addresses.update(CustomerAddress.objects.filter(customer_id__in=chunk).order_by().values_list(
            "customer_id", "address"))
        for customer_id, model, serial in Device.objects.filter(customer_id__in=chunk).order_by().values_list(
                "customer_id", "model", "serial_number"):
            have_devices.add((model, serial) if serial else (customer_id, model))
    with_contact = {pk for pk, _name in have_contacts}
    with_address = {pk for pk, _address in have_addresses}
    phones, contacts, addresses, devices = [], [], [], []
    for parsed in report.rows:
        v = parsed.values
        pk = ids[v["customer_number"]]
        for phone in parsed.phones:
            if (pk, phone.number, phone.extension) not in have_phones:
                phones.append((pk, phone.number, phone.extension, phone.kind))
        if v.get("contact_name") and (pk, v["contact_name"]) not in have_contacts:
            contacts.append((pk, v["contact_name"], pk not in with_contact))
        if v.get("address") and (pk, v["address"]) not in have_addresses:
            addresses.append((pk, v["address"], pk not in with_address))
        if v.get("device_model"):
            serial = v.get("serial_number", "")
            if ((v["device_model"], serial) if serial else (pk, v["device_model"])) not in have_devices:
                devices.append((pk, v["device_model"], serial))
    writer.insert(CustomerPhone, ["customer_id", "number", "extension", "kind"], phones)
    writer.insert(ContactPerson, ["customer_id", "name", "is_primary"], contacts)
    writer.insert(CustomerAddress, ["customer_id", "address", "is_primary"], addresses)
    writer.insert(Device, ["customer_id", "model", "serial_number"], devices)
