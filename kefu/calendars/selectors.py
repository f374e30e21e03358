"""Reads of calendars (R11.1) and the one way other apps compute a deadline on a stored calendar.

`calendar_spec(calendar)` turns a stored calendar into the plain `arithmetic.CalendarSpec`, cached per process
and rebuilt when the calendar, its intervals or the official schedule change (a cheap fingerprint query), so
`deadline_compute()` costs a few small queries plus microseconds of arithmetic.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, QuerySet
from django.utils.translation import gettext_lazy as _

from kefu.core import clock, tunables
from kefu.core.errors import FieldError

from . import arithmetic
from .arithmetic import CalendarSpec, Unit
from .models import ALWAYS_OPEN_CALENDAR, DEFAULT_CALENDAR, Calendar, OfficialDay, OfficialYear

_lock = threading.Lock()
_cache: dict[str, tuple[tuple, CalendarSpec]] = {}
_official: list[Any] = [None, None]  # [fingerprint, (years, exceptions)]


def calendar_list() -> QuerySet[Calendar]:
    return Calendar.objects.prefetch_related("intervals").order_by("name")


def calendar_get(name: str | None, *, field_name: str = "calendar") -> Calendar:
    """A calendar by name; an unknown name is a FieldError (the API, the CLI and services share it)."""
    name = name or DEFAULT_CALENDAR
    calendar = Calendar.objects.prefetch_related("intervals").filter(name=name).first()
    if calendar is None:
        raise FieldError(_("There is no calendar named “%(name)s”."), code="calendar_unknown", field=field_name,
                         name=name)
    return calendar


def official_fingerprint() -> tuple:
    """Changes whenever an official day or year is added, changed or removed."""
    days = OfficialDay.objects.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"))
    years = OfficialYear.objects.aggregate(n=Count("id"), last=Max("loaded_at"), top=Max("year"))
    return (days["n"], days["last"], days["top"], years["n"], years["last"], years["top"])


def _official_schedule() -> tuple[frozenset[int], dict[date, bool]]:
    fingerprint = official_fingerprint()
    if _official[0] != fingerprint:
        years = frozenset(OfficialYear.objects.values_list("year", flat=True))
        exceptions = dict(OfficialDay.objects.values_list("date", "is_working_day"))
        _official[:] = [fingerprint, (years, exceptions)]
    return _official[1]


def calendar_spec(calendar: Calendar) -> CalendarSpec:
    """The arithmetic description of a stored calendar (R11.1), built once and reused while nothing changes."""
    intervals = tuple(sorted((i.start, i.end) for i in calendar.intervals.all()))
    key: tuple = (calendar.pk, calendar.kind, calendar.time_zone, calendar.follows_official_schedule,
                  calendar.working_weekdays, calendar.working_days_end, intervals)
    with _lock:
        if calendar.kind == Calendar.Kind.WORKING_HOURS and calendar.follows_official_schedule:
            years, exceptions = _official_schedule()
            key += (_official[0],)
        cached = _cache.get(calendar.name)
        if cached and cached[0] == key:
            return cached[1]
        end_of_day = calendar.working_days_end == Calendar.WorkingDaysEnd.END_OF_DAY
        if calendar.kind == Calendar.Kind.ALWAYS_OPEN:
            spec = arithmetic.always_open(calendar.name, calendar.time_zone)
        elif calendar.follows_official_schedule:
            spec = CalendarSpec(
                name=calendar.name, time_zone=calendar.time_zone, end_of_day=end_of_day,
                intervals=tuple(_seconds(intervals)),
                working_days=arithmetic.official_working_days(years, exceptions), years=years)
        else:
            spec = arithmetic.weekly(calendar.name, intervals=_seconds(intervals), time_zone=calendar.time_zone,
                                     weekdays=[int(d) for d in calendar.working_weekdays], end_of_day=end_of_day)
        _cache[calendar.name] = (key, spec)
        return spec


def _seconds(intervals: tuple) -> list[tuple[int, int]]:
    return [(arithmetic.seconds_of(start), arithmetic.seconds_of(end, is_end=True)) for start, end in intervals]


def spec_by_name(name: str | None = None) -> CalendarSpec:
    return calendar_spec(calendar_get(name))


@dataclass(frozen=True)
class DeadlineResult:
    start: datetime
    amount: Decimal | int
    unit: Unit
    calendar: str
    deadline: datetime

    def as_dict(self) -> dict[str, Any]:
        return {"deadline": self.deadline.isoformat(), "start": self.start.isoformat(), "unit": self.unit.value,
                "amount": str(self.amount), "calendar": self.calendar}


def deadline_compute(*, start: datetime, amount: Any, unit: Unit | str,
                     calendar_name: str | None = None) -> DeadlineResult:
    """R11.1/R11.2: the deadline `amount` `unit`s after `start`.

    Working units use the named calendar, by default "default" (China's official working days, 09:00–18:00);
    elapsed units (minutes, hours, days, months) run on the 7×24 clock, in the named calendar's time zone when
    one is given. Bad input is a FieldError/KefuError naming what is wrong (issue 5, "bad input").
    """
    try:
        unit = Unit(unit)
    except ValueError:
        raise FieldError(_("Unknown unit “%(unit)s”."), code="unit_invalid", field="unit", unit=unit) from None
    arithmetic.check_start(start)
    name = calendar_name or (DEFAULT_CALENDAR if unit.is_working else ALWAYS_OPEN_CALENDAR)
    calendar = calendar_get(name)
    spec = calendar_spec(calendar)
    return DeadlineResult(start=start, amount=amount, unit=unit, calendar=calendar.name,
                          deadline=arithmetic.deadline(spec, start, amount, unit))


def official_years() -> list[int]:
    return list(OfficialYear.objects.values_list("year", flat=True).order_by("year"))


def official_year_loaded(year: int) -> bool:
    return OfficialYear.objects.filter(year=year).exists()


def official_days(year: int | None = None) -> QuerySet[OfficialDay]:
    queryset = OfficialDay.objects.order_by("date")
    return queryset.filter(date__year=year) if year else queryset


def year_summary(year: int) -> dict[str, Any]:
    """What `kefu calendar check` and the calendar page say about one year."""
    record = OfficialYear.objects.filter(year=year).first()
    days = official_days(year)
    return {
        "year": year, "loaded": record is not None,
        "source": record.source if record else None,
        "loaded_at": record.loaded_at if record else None,
        "holidays": days.filter(is_working_day=False).count(),
        "adjusted_working_days": days.filter(is_working_day=True).count(),
    }


def missing_next_year(today: date | None = None) -> int | None:
    """R11.1: from 1 November (tunable month), the next year when its official schedule is not loaded."""
    today = today or clock.today()
    if today.month < tunables.get("calendars.missing_year_warning_month"):
        return None
    year = today.year + 1
    return None if official_year_loaded(year) else year


def year_ranges(years: list[int]) -> str:
    """[2004, 2005, 2006, 2026] → "2004–2006, 2026"."""
    parts, start, previous = [], None, None
    for year in years + [None]:
        if start is not None and year != previous + 1:
            parts.append(f"{start}–{previous}" if previous != start else str(start))
            start = None
        if start is None:
            start = year
        previous = year
    return ", ".join(parts)
