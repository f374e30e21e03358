"""Writes of calendars and of China's official schedule (R11.1). UI views, API views, the admin and the
`kefu calendar` command all call these."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kefu.core.errors import FieldError, KefuError
from kefu.core.textfiles import decode_text

from . import arithmetic
from .models import ALWAYS_OPEN_CALENDAR, DEFAULT_CALENDAR, Calendar, OfficialDay, OfficialYear, WorkingInterval

# ---------------------------------------------------------------------------------------------------------------
# Seeds


def package_schedule() -> dict[int, list[tuple[date, bool, str]]]:
    """China's official schedule from the `chinese-calendar` package: per year, (date, working?, name) for every
    holiday (including weekend days inside a holiday) and every adjusted working day (调休)."""
    from chinese_calendar import constants

    chinese = {holiday.value: holiday.chinese for holiday in constants.Holiday}
    years: dict[int, list[tuple[date, bool, str]]] = {}
    for day, name in constants.holidays.items():
        years.setdefault(day.year, []).append((day, False, chinese.get(name, name)))
    for day, name in constants.workdays.items():
        years.setdefault(day.year, []).append((day, True, chinese.get(name, name)))
    return {year: sorted(days) for year, days in sorted(years.items())}


def calendars_seed_defaults() -> dict[str, int]:
    """R11.1: the default calendars and every year of the official schedule the package covers.

    Idempotent and quick (run after every `kefu migrate`): existing calendars and years already loaded are
    never changed, so an administrator's edits and imports are kept; a newer package adds its new years.
    """
    if OfficialYear._meta.db_table not in connection.introspection.table_names():
        return {"calendars": 0, "years": 0}  # migrated backwards or not yet: nothing to seed into
    created_calendars = 0
    with translation.override("zh-hans"), transaction.atomic():
        default, created = Calendar.objects.get_or_create(
            name=DEFAULT_CALENDAR,
            defaults={"description": str(_("China's official working days, 09:00–18:00")),
                      "kind": Calendar.Kind.WORKING_HOURS, "follows_official_schedule": True})
        if created:
            WorkingInterval.objects.create(calendar=default, start=time(9), end=time(18))
        created_calendars += created
        created_calendars += Calendar.objects.get_or_create(
            name=ALWAYS_OPEN_CALENDAR,
            defaults={"description": str(_("Always open (7×24)")), "kind": Calendar.Kind.ALWAYS_OPEN,
                      "follows_official_schedule": False})[1]
        loaded = set(OfficialYear.objects.values_list("year", flat=True))
        missing = {year: days for year, days in package_schedule().items() if year not in loaded}
        if missing:
            taken = set(OfficialDay.objects.filter(date__year__in=list(missing)).values_list("date", flat=True))
            bulk_create_with_history(
                [OfficialDay(date=day, is_working_day=working, name=name, source=OfficialDay.Source.PACKAGE)
                 for days in missing.values() for day, working, name in days if day not in taken],
                OfficialDay, batch_size=500)
            bulk_create_with_history(
                [OfficialYear(year=year, source=OfficialDay.Source.PACKAGE) for year in missing], OfficialYear)
    return {"calendars": created_calendars, "years": len(missing)}


# ---------------------------------------------------------------------------------------------------------------
# Calendars


def _validation_to_field_error(error: ValidationError) -> FieldError:
    if hasattr(error, "error_dict"):
        name, messages = next(iter(error.error_dict.items()))
        return FieldError(messages[0].messages[0], field=name if name != "__all__" else None)
    return FieldError(error.messages[0])


def intervals_as_seconds(intervals: Iterable[tuple[time, time]]) -> list[tuple[int, int]]:
    return [(arithmetic.seconds_of(start), arithmetic.seconds_of(end, is_end=True)) for start, end in intervals]


NO_INTERVALS_MESSAGE = _("A working-hours calendar needs at least one working interval.")
CALENDAR_FIELDS = ("description", "kind", "time_zone", "follows_official_schedule", "working_weekdays",
                   "working_days_end")


@transaction.atomic
def calendar_update(*, actor: Any, calendar: Calendar, data: dict[str, Any],
                    intervals: list[tuple[time, time]] | None = None) -> Calendar:
    """Change a calendar and, when given, replace its working intervals (R11.1).

    Intervals that are empty, inverted or overlap are refused (FieldError on `intervals`); a working-hours
    calendar must keep some working time.
    """
    changed = [name for name in CALENDAR_FIELDS if name in data and getattr(calendar, name) != data[name]]
    for name in changed:
        setattr(calendar, name, data[name])
    try:
        calendar.full_clean(exclude=["name"])
    except ValidationError as error:
        raise _validation_to_field_error(error) from None
    if intervals is not None:
        arithmetic.normalize_intervals(intervals_as_seconds(intervals))
    if calendar.kind == Calendar.Kind.WORKING_HOURS:
        remaining = intervals if intervals is not None else list(calendar.intervals.values_list("start", "end"))
        if not remaining:
            raise FieldError(NO_INTERVALS_MESSAGE, code="calendar_no_working_time", field="intervals")
        if not calendar.follows_official_schedule and not calendar.working_weekdays:
            raise FieldError(_("Choose at least one working weekday."), field="working_weekdays")
    if changed:
        calendar._history_user = actor
        calendar.save(update_fields=[*changed, "updated_at"])
    if intervals is not None:
        existing = list(calendar.intervals.order_by("start"))
        wanted = sorted(intervals)
        if [(i.start, i.end) for i in existing] != wanted:
            for interval in existing:
                interval._history_user = actor
                interval.delete()
            for start, end in wanted:
                interval = WorkingInterval(calendar=calendar, start=start, end=end)
                interval._history_user = actor
                interval.save()
    return calendar


# ---------------------------------------------------------------------------------------------------------------
# Official days


def official_day_set(*, actor: Any, day: date, is_working_day: bool, name: str = "") -> OfficialDay:
    """An administrator marks one day as a holiday or a working day (R11.1: the calendar is editable)."""
    obj = OfficialDay.objects.filter(date=day).first() or OfficialDay(date=day)
    obj.is_working_day = bool(is_working_day)
    obj.name = (name or "").strip()
    obj.source = OfficialDay.Source.MANUAL
    try:
        obj.full_clean(validate_unique=False)
    except ValidationError as error:
        raise _validation_to_field_error(error) from None
    obj._history_user = actor
    obj.save()
    return obj


def official_day_delete(*, actor: Any, day: OfficialDay) -> None:
    """Remove an exception: the day becomes an ordinary weekday or weekend day again."""
    day._history_user = actor
    day.delete()


# ---------------------------------------------------------------------------------------------------------------
# Import of a year's official schedule (the form, the API and `kefu calendar import FILE`)

KIND_WORDS = {
    "working": True, "work": True, "workday": True, "班": True, "上班": True, "工作日": True,
    "holiday": False, "off": False, "休": False, "放假": False, "休息": False, "休息日": False, "节假日": False,
}
IMPORT_FORMAT_HELP = _(
    "CSV (UTF-8 or GB18030) with the columns date, kind, name — e.g. “2027-01-01,holiday,元旦” — or JSON: a list "
    "of {\"date\": \"2027-02-06\", \"kind\": \"working\", \"name\": \"春节\"}. kind is working (an adjusted working "
    "day, 调休上班) or holiday (a day off); list every holiday, weekend days inside it included, and every adjusted "
    "working day. The file is the whole schedule of each year it contains: it replaces what Kefu has for those "
    "years, and marks them as loaded.")


MAX_SCHEDULE_FILE_BYTES = 1024 * 1024  # a year's schedule is about 40 lines


@dataclass
class ScheduleRow:
    line: int
    date: date
    is_working_day: bool
    name: str


@dataclass
class ImportReport:
    years: list[int] = field(default_factory=list)
    rows: list[ScheduleRow] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    deleted: int = 0
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"years": self.years, "rows": len(self.rows), "created": self.created, "updated": self.updated,
                "deleted": self.deleted, "dry_run": self.dry_run, "errors": self.errors}


def _raw_rows(filename: str, text: str) -> list[tuple[int, dict[str, Any]]]:
    stripped = text.lstrip()
    if filename.lower().endswith(".json") or stripped.startswith(("[", "{")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise FieldError(_("The JSON file cannot be read: %(error)s"), code="file_invalid", field="file",
                             error=str(error)) from None
        if isinstance(data, dict):
            data = data.get("days")
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise FieldError(_("The JSON file must be a list of days (or {\"days\": [...]})."), code="file_invalid",
                             field="file")
        return [(index + 1, item) for index, item in enumerate(data)]
    reader = csv.reader(io.StringIO(text))
    rows: list[tuple[int, dict[str, Any]]] = []
    for line, cells in enumerate(reader, start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if not rows and cells[0].lower() in ("date", "日期"):
            continue  # header
        rows.append((line, {"date": cells[0], "kind": cells[1] if len(cells) > 1 else "",
                            "name": cells[2] if len(cells) > 2 else ""}))
    return rows


def schedule_parse(filename: str, content: bytes) -> ImportReport:
    """Read and check every row of a schedule file; errors are collected per line, nothing is written."""
    report = ImportReport()
    seen: dict[date, int] = {}
    for line, item in _raw_rows(filename, decode_text(content, filename=filename)):
        raw_date, raw_kind = str(item.get("date", "")).strip(), item.get("kind", item.get("type", ""))
        try:
            day = date.fromisoformat(raw_date)
        except ValueError:
            report.errors.append(_row_error(line, "date", _("“%(value)s” is not a date (YYYY-MM-DD)."),
                                            value=raw_date))
            continue
        if not 1900 <= day.year <= 2200:
            report.errors.append(_row_error(line, "date", _("The year %(value)s is out of range."), value=day.year))
            continue
        if isinstance(raw_kind, bool):
            working = raw_kind
        else:
            working = KIND_WORDS.get(str(raw_kind).strip().lower())
        if working is None:
            report.errors.append(_row_error(line, "kind", _("“%(value)s” is neither working nor holiday."),
                                            value=raw_kind))
            continue
        if day in seen:
            report.errors.append(_row_error(line, "date", _("%(value)s is listed twice (also on line %(other)s)."),
                                            value=day.isoformat(), other=seen[day]))
            continue
        seen[day] = line
        name = str(item.get("name") or "").strip()
        if len(name) > 100:
            report.errors.append(_row_error(line, "name", _("The name is longer than 100 characters.")))
            continue
        report.rows.append(ScheduleRow(line=line, date=day, is_working_day=working, name=name))
    if not report.rows and not report.errors:
        report.errors.append(_row_error(0, "file", _("The file lists no days.")))
    report.years = sorted({row.date.year for row in report.rows})
    return report


def _row_error(line: int, field_name: str, message: Any, **params: Any) -> dict[str, Any]:
    from kefu.core.errors import bilingual

    zh, en = bilingual(message, **params)
    return {"line": line, "field": field_name, "message": zh, "message_en": en}


@transaction.atomic
def schedule_import(*, actor: Any, filename: str, content: bytes, dry_run: bool = False) -> ImportReport:
    """Import China's official schedule for one or more years (R11.1), all or nothing.

    Every row is checked first; any error means nothing is written (KefuError `import_invalid`, the report on
    `.report`). The file is the whole schedule of each year it contains: days of those years that the file does
    not list are removed, the others created or changed, and the years are recorded as loaded (source import).
    """
    report = schedule_parse(filename, content)
    report.dry_run = dry_run
    if report.errors:
        error = KefuError(_("The schedule file has %(count)s errors; nothing was imported."), code="import_invalid",
                          field="file", count=len(report.errors))
        error.report = report  # type: ignore[attr-defined]
        raise error
    existing = {day.date: day for day in OfficialDay.objects.filter(date__year__in=report.years)}
    wanted = {row.date: row for row in report.rows}
    to_create, to_update = [], []
    for day, row in wanted.items():
        obj = existing.get(day)
        if obj is None:
            to_create.append(OfficialDay(date=day, is_working_day=row.is_working_day, name=row.name,
                                         source=OfficialDay.Source.IMPORT))
        elif (obj.is_working_day, obj.name, obj.source) != (row.is_working_day, row.name, OfficialDay.Source.IMPORT):
            obj.is_working_day, obj.name, obj.source = row.is_working_day, row.name, OfficialDay.Source.IMPORT
            to_update.append(obj)
    to_delete = [obj for day, obj in existing.items() if day not in wanted]
    report.created, report.updated, report.deleted = len(to_create), len(to_update), len(to_delete)
    if dry_run:
        return report
    from django.utils import timezone

    now = timezone.now()
    for obj in to_update:
        obj.updated_at = now
    bulk_create_with_history(to_create, OfficialDay, batch_size=500, default_user=actor)
    if to_update:
        bulk_update_with_history(to_update, OfficialDay, ["is_working_day", "name", "source", "updated_at"],
                                 batch_size=500, default_user=actor)
    for obj in to_delete:
        obj._history_user = actor
        obj.delete()
    for year in report.years:
        obj = OfficialYear.objects.filter(year=year).first() or OfficialYear(year=year)
        obj.source = OfficialDay.Source.IMPORT
        obj._history_user = actor
        obj.save()
    return report


def schedule_export(year: int, fmt: str = "csv") -> str:
    """One loaded year of the official schedule in the import format (a template for next year's file)."""
    days = OfficialDay.objects.filter(date__year=year).order_by("date")
    if fmt == "json":
        return json.dumps([{"date": d.date.isoformat(), "kind": "working" if d.is_working_day else "holiday",
                            "name": d.name} for d in days], ensure_ascii=False, indent=1) + "\n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "kind", "name"])
    for d in days:
        writer.writerow([d.date.isoformat(), "working" if d.is_working_day else "holiday", d.name])
    return out.getvalue()
