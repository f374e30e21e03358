"""Deadline arithmetic on working calendars (R11.1, R11.2) — a pure module: no ORM, no clock, no settings.

A `CalendarSpec` is a plain description of a calendar: always open (7×24), or the same working intervals on
every working day (e.g. 09:00–18:00, or 08:30–12:00 and 13:00–17:30), with the working days given as a set of
dates for the years whose schedule is known (China's official schedule with its holidays and adjusted working
days, 调休) — `kefu.calendars.selectors` builds one from the database. The functions here compute:

- elapsed time on the 7×24 clock: `add_elapsed` (minutes/hours), `add_days`, `add_months`;
- working time: `add_working_time` (a start outside working time begins at the next opening; a deadline that
  falls exactly at closing time is that closing time, not the next morning) and the reverse,
  `working_time_between`;
- working days: `add_working_days` — the day of receipt is not counted (Civil Code art. 201); the deadline is
  the close of business of the Nth working day after it, or, as a calendar option, the end of that day
  (24:00, Civil Code art. 203), written as 00:00 of the following day;
- pausing: `Clock`, `clock_pause`, `clock_resume` (a paused clock resumes with the working time it had left).

Speed: the constructor precomputes, per day of the covered years, the number of working days before it (a
prefix sum) and the list of working days; every working day has the same working time, so the position of an
instant on the "working-time axis" and its inverse are O(1) list look-ups, whatever the duration. There is no
day-by-day loop (bench/deadlines.py: well above the 20,000 deadlines/second asked for by issue 5).

Working time is counted on the calendar's wall clock (its time zone); in zones without daylight saving time,
such as Asia/Shanghai, that is the same as elapsed time. Times are microsecond-exact.

Errors are `KefuError`/`FieldError` with a Chinese and an English message: a zero or negative duration, a start
without a time zone, a calendar with no working time, a span reaching into a year with no known schedule.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.translation import gettext_lazy as _

from kefu.core.errors import FieldError, KefuError

US = 1_000_000  # microseconds per second
DAY_SECONDS = 86_400
DAY_US = DAY_SECONDS * US
MINUTE_US = 60 * US
HOUR_US = 3600 * US

# Calendars whose working days are a weekly pattern (not the official schedule) are precomputed for these years.
WEEKLY_YEARS = range(2000, 2101)


class Unit(enum.StrEnum):
    """What a duration counts (R11.2): elapsed time on the 7×24 clock, or working time on a calendar."""

    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"
    MONTHS = "months"
    WORKING_MINUTES = "working_minutes"
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"

    @property
    def is_working(self) -> bool:
        return self.value.startswith("working_")

    @property
    def whole_numbers_only(self) -> bool:
        return self in (Unit.DAYS, Unit.MONTHS, Unit.WORKING_DAYS)


class ScheduleMissing(KefuError):
    """A computation reaches a year whose official schedule is not loaded (R11.1)."""

    code = "schedule_missing"

    def __init__(self, year: int, calendar_name: str) -> None:
        self.year = year
        super().__init__(
            _("No working-day schedule is loaded for %(year)s (calendar “%(calendar)s”): the deadline cannot be "
              "computed. Import that year's official schedule first."),
            year=year, calendar=calendar_name)


def _no_working_time(name: str) -> KefuError:
    return KefuError(_("Calendar “%(calendar)s” has no working time at all."), code="calendar_no_working_time",
                     calendar=name)


# ---------------------------------------------------------------------------------------------------------------
# Working intervals


def normalize_intervals(intervals: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Check working intervals given as (start, end) seconds from local midnight, end ≤ 86,400 (24:00).

    Returns them sorted. An empty, inverted or overlapping interval is refused with a FieldError (issue 5,
    "bad input"); intervals that touch (12:00–13:00 and 13:00–18:00) are allowed.
    """
    result = sorted((int(start), int(end)) for start, end in intervals)
    for start, end in result:
        if not 0 <= start <= DAY_SECONDS or not 0 <= end <= DAY_SECONDS:
            raise FieldError(_("A working interval must lie between 00:00 and 24:00."), code="interval_invalid",
                             field="intervals")
        if end == start:
            raise FieldError(_("The working interval %(interval)s is empty."), code="interval_empty",
                             field="intervals", interval=_format_interval(start, end))
        if end < start:
            raise FieldError(_("The working interval %(interval)s ends before it starts."), code="interval_inverted",
                             field="intervals", interval=_format_interval(start, end))
    for (start1, end1), (start2, end2) in zip(result, result[1:], strict=False):
        if start2 < end1:
            raise FieldError(_("The working intervals %(first)s and %(second)s overlap."), code="interval_overlap",
                             field="intervals", first=_format_interval(start1, end1),
                             second=_format_interval(start2, end2))
    return tuple(result)


def _format_clock(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def _format_interval(start: int, end: int) -> str:
    return f"{_format_clock(start)}–{_format_clock(end)}"


def seconds_of(value: time, *, is_end: bool = False) -> int:
    """Seconds from midnight of a wall-clock time; an interval's end at 00:00 means 24:00 (midnight after)."""
    seconds = value.hour * 3600 + value.minute * 60 + value.second
    return DAY_SECONDS if is_end and seconds == 0 else seconds


# ---------------------------------------------------------------------------------------------------------------
# Working days


def official_working_days(years: Iterable[int], exceptions: dict[date, bool]) -> frozenset[date]:
    """China's official working days of `years`: Monday to Friday, except the holidays, plus the adjusted
    working days (调休) — `exceptions` maps a date to whether it is a working day (R11.1)."""
    days: set[date] = set()
    for year in years:
        ordinal, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        # A weekly pattern is generated year by year (≤ 366 steps) once, when the calendar is built.
        days.update(date.fromordinal(o) for o in range(ordinal, last + 1) if date.fromordinal(o).weekday() < 5)
    for day, working in exceptions.items():
        if day.year in years:
            (days.add if working else days.discard)(day)
    return frozenset(days)


def weekly_working_days(years: Iterable[int], weekdays: Iterable[int]) -> frozenset[date]:
    """Working days that follow a weekly pattern (ISO weekdays, 1 = Monday), ignoring official holidays."""
    wanted = {int(w) - 1 for w in weekdays}
    days: set[date] = set()
    for year in years:
        ordinal, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        days.update(date.fromordinal(o) for o in range(ordinal, last + 1) if date.fromordinal(o).weekday() in wanted)
    return frozenset(days)


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FieldError(_("Unknown time zone “%(zone)s”."), code="time_zone_invalid", field="time_zone",
                         zone=name) from None


# ---------------------------------------------------------------------------------------------------------------
# The calendar description and its precomputed axis


@dataclass(frozen=True, eq=False)
class CalendarSpec:
    """A plain description of a calendar (R11.1), precomputed for fast arithmetic.

    `always_open`: a 7×24 calendar (working time = elapsed time; every day is a working day that ends at 24:00).
    Otherwise `intervals` (seconds from local midnight, see `normalize_intervals`) are worked on every date in
    `working_days`, and `years` are the years whose schedule is known: a computation that reaches any other
    year raises `ScheduleMissing`. `end_of_day`: working-day deadlines end at 24:00 instead of at closing time.
    """

    name: str
    always_open: bool = False
    time_zone: str = "Asia/Shanghai"
    intervals: tuple[tuple[int, int], ...] = ()
    working_days: frozenset[date] = frozenset()
    years: frozenset[int] = frozenset()
    end_of_day: bool = False
    # Precomputed (not arguments):
    tz: ZoneInfo = field(init=False, repr=False)
    _base: int = field(init=False, repr=False)
    _is_working: bytes = field(init=False, repr=False)
    _before: list[int] = field(init=False, repr=False)
    _working: list[int] = field(init=False, repr=False)
    _intervals_us: tuple[tuple[int, int], ...] = field(init=False, repr=False)
    _day_us: int = field(init=False, repr=False)
    _close_us: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "tz", zone(self.time_zone))
        setattr_(self, "years", frozenset(self.years))
        if self.always_open:
            return
        intervals = normalize_intervals(self.intervals)
        setattr_(self, "intervals", intervals)
        setattr_(self, "_intervals_us", tuple((start * US, end * US) for start, end in intervals))
        setattr_(self, "_day_us", sum(end - start for start, end in self._intervals_us))
        setattr_(self, "_close_us", self._intervals_us[-1][1] if intervals else 0)
        years = sorted(self.years)
        if not years:
            setattr_(self, "_base", 0)
            setattr_(self, "_is_working", b"")
            setattr_(self, "_before", [0])
            setattr_(self, "_working", [])
            return
        base = date(years[0], 1, 1).toordinal()
        count = date(years[-1], 12, 31).toordinal() - base + 1
        flags = bytearray(count)
        for day in self.working_days:
            index = day.toordinal() - base
            if 0 <= index < count and day.year in self.years:
                flags[index] = 1
        working = [index for index in range(count) if flags[index]]
        before = [0] * (count + 1)
        running = 0
        for index in range(count):
            before[index] = running
            running += flags[index]
        before[count] = running
        setattr_(self, "_base", base)
        setattr_(self, "_is_working", bytes(flags))
        setattr_(self, "_before", before)
        setattr_(self, "_working", working)

    # -- helpers ------------------------------------------------------------------------------------------------

    @property
    def working_time_per_day(self) -> timedelta:
        return timedelta(microseconds=self._day_us) if not self.always_open else timedelta(days=1)

    def is_working_day(self, day: date) -> bool:
        """Whether `day` is a working day; ScheduleMissing outside the known years."""
        if self.always_open:
            return True
        self._check_years(day.year, day.year)
        return bool(self._is_working[day.toordinal() - self._base])

    def _check_years(self, first: int, last: int) -> None:
        # At most a handful of years per call: this is not a loop over days.
        for year in range(first, last + 1):
            if year not in self.years:
                raise ScheduleMissing(year, self.name)

    def _check_has_working_time(self) -> None:
        if self._day_us <= 0 or (self.years and not self._working):
            raise _no_working_time(self.name)

    def _local(self, instant: datetime) -> tuple[int, int]:
        """(day index on the axis, microseconds since local midnight) of an aware instant."""
        local = instant.astimezone(self.tz)
        us = ((local.hour * 60 + local.minute) * 60 + local.second) * US + local.microsecond
        return local.toordinal() - self._base, us

    def _position(self, instant: datetime) -> int:
        """Working microseconds from the start of the covered range up to `instant` (non-decreasing)."""
        index, us = self._local(instant)
        self._check_span(index, index)
        done = self._before[index] * self._day_us
        if self._is_working[index]:
            for start, end in self._intervals_us:
                if us <= start:
                    break
                done += (us if us < end else end) - start
        return done

    def _instant(self, index: int, us: int) -> datetime:
        """The aware instant `us` microseconds after local midnight of day `index` (24:00 = next midnight)."""
        midnight = datetime.combine(date.fromordinal(index + self._base), time(0), self.tz)
        return (midnight + timedelta(microseconds=us)).astimezone(self.tz)

    def _at_position(self, position: int) -> tuple[int, datetime]:
        """The earliest instant whose position is `position` (> 0): closing time, not the next opening."""
        ordinal, rest = divmod(position - 1, self._day_us)
        if ordinal >= len(self._working):
            raise ScheduleMissing(max(self.years) + 1 if self.years else 0, self.name)
        rest += 1
        index = self._working[ordinal]
        for start, end in self._intervals_us:
            length = end - start
            if rest <= length:
                return index, self._instant(index, start + rest)
            rest -= length
        raise AssertionError("unreachable: rest ≤ working time of a day")  # pragma: no cover

    def _check_span(self, first_index: int, last_index: int) -> None:
        """ScheduleMissing if a year between the two days (inclusive) has no known schedule."""
        first = date.fromordinal(max(first_index + self._base, 1)).year
        last = date.fromordinal(max(last_index + self._base, 1)).year
        self._check_years(first, last)


# ---------------------------------------------------------------------------------------------------------------
# Input checks shared by every entry point (API, CLI, services)


def check_start(start: datetime, *, field_name: str = "start") -> datetime:
    """A start must be an aware datetime (issue 5: a start without a time zone is an error)."""
    if not isinstance(start, datetime):
        raise FieldError(_("The start must be a date and time."), code="start_invalid", field=field_name)
    if start.tzinfo is None or start.utcoffset() is None:
        raise FieldError(_("The start %(start)s has no time zone; give one, e.g. +08:00."), code="start_naive",
                         field=field_name, start=start.isoformat())
    return start


def to_microseconds(amount: int | float | Decimal | str, factor: int, *, field_name: str = "duration") -> int:
    """A positive amount of minutes/hours (factor in µs) as whole microseconds; zero or negative is an error."""
    if isinstance(amount, bool):
        raise FieldError(_("The duration must be a number."), code="duration_invalid", field=field_name)
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise FieldError(_("The duration must be a number."), code="duration_invalid", field=field_name) from None
    if not value.is_finite():
        raise FieldError(_("The duration must be a number."), code="duration_invalid", field=field_name)
    us = int((value * factor).to_integral_value(ROUND_HALF_UP))
    if us <= 0:
        raise FieldError(_("The duration must be greater than zero."), code="duration_not_positive",
                         field=field_name)
    return us


def to_whole(amount: int | float | Decimal | str, *, field_name: str = "duration") -> int:
    """A positive whole number of days or months."""
    if isinstance(amount, bool):
        raise FieldError(_("The duration must be a number."), code="duration_invalid", field=field_name)
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise FieldError(_("The duration must be a number."), code="duration_invalid", field=field_name) from None
    if not value.is_finite():
        raise FieldError(_("The duration must be a number."), code="duration_invalid", field=field_name)
    if value <= 0:
        raise FieldError(_("The duration must be greater than zero."), code="duration_not_positive",
                         field=field_name)
    if value != value.to_integral_value():
        raise FieldError(_("Days and months are counted in whole numbers."), code="duration_not_whole",
                         field=field_name)
    return int(value)


def _too_long() -> FieldError:
    return FieldError(_("The duration is too long."), code="duration_too_long", field="duration")


# ---------------------------------------------------------------------------------------------------------------
# Elapsed time (7×24)


def add_elapsed(spec: CalendarSpec, start: datetime, duration: timedelta) -> datetime:
    """Elapsed minutes/hours on the 7×24 clock (R11.2: call handling 8 min, fax reply 2 h), in the calendar's zone."""
    check_start(start)
    if duration <= timedelta(0):
        raise FieldError(_("The duration must be greater than zero."), code="duration_not_positive",
                         field="duration")
    try:
        return (start + duration).astimezone(spec.tz)
    except OverflowError:
        raise _too_long() from None


def add_days(spec: CalendarSpec, start: datetime, days: int) -> datetime:
    """N calendar days later at the same wall-clock time (R11.2: case answer 3 days [002], callback 2 days [000])."""
    check_start(start)
    days = to_whole(days)
    try:
        return (start.astimezone(spec.tz) + timedelta(days=days)).astimezone(spec.tz)
    except OverflowError:
        raise _too_long() from None


def add_months(spec: CalendarSpec, start: datetime, months: int) -> datetime:
    """N months later at the same wall-clock time; a day the month lacks becomes its last day (Civil Code art.
    202: "到期月的对应日为期间的最后一日；没有对应日的，月末日为期间的最后一日"). R11.2: follow-up callback 1 month."""
    check_start(start)
    months = to_whole(months)
    local = start.astimezone(spec.tz)
    month_index = local.year * 12 + (local.month - 1) + months
    year, month = divmod(month_index, 12)
    if year > 9999:
        raise _too_long()
    day = min(local.day, _stdlib_calendar.monthrange(year, month + 1)[1])
    return local.replace(year=year, month=month + 1, day=day).astimezone(spec.tz)


# ---------------------------------------------------------------------------------------------------------------
# Working time


def add_working_time(spec: CalendarSpec, start: datetime, duration: timedelta | int) -> datetime:
    """The instant when `duration` of working time has passed since `start` (R11.1; issue 5 item 2).

    `duration` is a timedelta or whole microseconds. A start outside working time begins at the next opening; a
    deadline that falls exactly at closing time is that closing time. On a 7×24 calendar this is elapsed time.
    """
    check_start(start)
    us = duration if isinstance(duration, int) else _timedelta_us(duration)
    if us <= 0:
        raise FieldError(_("The duration must be greater than zero."), code="duration_not_positive",
                         field="duration")
    if spec.always_open:
        return add_elapsed(spec, start, timedelta(microseconds=us))
    spec._check_has_working_time()
    start_index = spec._local(start)[0]
    index, deadline = spec._at_position(spec._position(start) + us)
    spec._check_span(start_index, index)
    return deadline


def working_time_between(spec: CalendarSpec, start: datetime, end: datetime) -> timedelta:
    """Working time from `start` to `end` (the reverse of `add_working_time`); negative when `end` < `start`."""
    check_start(start)
    check_start(end, field_name="end")
    if spec.always_open:
        return end - start
    spec._check_has_working_time()
    first, last = sorted((spec._local(start)[0], spec._local(end)[0]))
    spec._check_span(first, last)
    return timedelta(microseconds=spec._position(end) - spec._position(start))


def add_working_days(spec: CalendarSpec, start: datetime, days: int) -> datetime:
    """The deadline N working days after the day of receipt (R11.2: complaint solved in 3 working days [003]).

    The day of receipt is not counted (Civil Code art. 201), whatever the hour; the deadline is the close of
    business of the Nth working day after it, or with `end_of_day` the end of that day (24:00, art. 203),
    written as 00:00 of the next day. A 7×24 calendar counts every day and ends at 24:00.
    """
    check_start(start)
    days = to_whole(days)
    if spec.always_open:
        local = start.astimezone(spec.tz)
        try:
            return datetime.combine(local.date() + timedelta(days=days + 1), time(0), spec.tz)
        except OverflowError:
            raise _too_long() from None
    spec._check_has_working_time()
    start_index = spec._local(start)[0]
    spec._check_span(start_index, start_index)
    ordinal = spec._before[start_index + 1] + days - 1
    if ordinal >= len(spec._working):
        raise ScheduleMissing(max(spec.years) + 1, spec.name)
    index = spec._working[ordinal]
    spec._check_span(start_index, index)
    if spec.end_of_day:
        return spec._instant(index, DAY_US)
    return spec._instant(index, spec._close_us)


def _timedelta_us(value: timedelta) -> int:
    return (value.days * DAY_SECONDS + value.seconds) * US + value.microseconds


# ---------------------------------------------------------------------------------------------------------------
# One entry point for every unit (services, API, CLI)

_FACTORS = {Unit.MINUTES: MINUTE_US, Unit.HOURS: HOUR_US, Unit.WORKING_MINUTES: MINUTE_US,
            Unit.WORKING_HOURS: HOUR_US}


def deadline(spec: CalendarSpec, start: datetime, amount: int | float | Decimal | str, unit: Unit | str) -> datetime:
    """The deadline `amount` `unit`s after `start` on `spec` (issue 5 item 2), in the calendar's time zone.

    minutes/hours/days/months are elapsed time on the 7×24 clock (the calendar only gives the time zone);
    working_minutes/working_hours/working_days count working time on the calendar.
    """
    try:
        unit = Unit(unit)
    except ValueError:
        raise FieldError(_("Unknown unit “%(unit)s”."), code="unit_invalid", field="unit", unit=unit) from None
    check_start(start)
    if unit in (Unit.MINUTES, Unit.HOURS):
        us = to_microseconds(amount, _FACTORS[unit])
        if us >= timedelta.max.days * DAY_US:
            raise _too_long()
        return add_elapsed(spec, start, timedelta(microseconds=us))
    if unit is Unit.DAYS:
        return add_days(spec, start, amount)
    if unit is Unit.MONTHS:
        return add_months(spec, start, amount)
    if unit is Unit.WORKING_DAYS:
        return add_working_days(spec, start, amount)
    return add_working_time(spec, start, to_microseconds(amount, _FACTORS[unit]))


# ---------------------------------------------------------------------------------------------------------------
# Pausing (R11.3: clocks pause while waiting for the customer)


@dataclass(frozen=True)
class Clock:
    """A running or paused deadline. While paused, `remaining` is the working time it had left (≤ 0: breached)."""

    deadline: datetime
    paused_at: datetime | None = None
    remaining: timedelta | None = None

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


def clock_pause(spec: CalendarSpec, clock: Clock, at: datetime) -> Clock:
    """Stop the clock at `at`, keeping the working time left until its deadline (pausing twice is a no-op)."""
    if clock.is_paused:
        return clock
    return Clock(deadline=clock.deadline, paused_at=check_start(at, field_name="at"),
                 remaining=working_time_between(spec, at, clock.deadline))


def clock_resume(spec: CalendarSpec, clock: Clock, at: datetime) -> Clock:
    """Restart the clock at `at` with the working time it had left; a clock already breached stays breached."""
    check_start(at, field_name="at")
    if not clock.is_paused:
        return clock
    remaining = clock.remaining or timedelta(0)
    if remaining <= timedelta(0):
        return Clock(deadline=clock.deadline)
    return Clock(deadline=add_working_time(spec, at, remaining))


# ---------------------------------------------------------------------------------------------------------------
# Ready-made descriptions (tests, benchmark, seeds)


def always_open(name: str = "24x7", time_zone: str = "Asia/Shanghai") -> CalendarSpec:
    return CalendarSpec(name=name, always_open=True, time_zone=time_zone)


def weekly(name: str, *, intervals: Iterable[tuple[int, int]], weekdays: Iterable[int] = (1, 2, 3, 4, 5),
           time_zone: str = "Asia/Shanghai", end_of_day: bool = False,
           years: Iterable[int] = WEEKLY_YEARS) -> CalendarSpec:
    """A calendar whose working days follow a weekly pattern, not the official schedule."""
    years = frozenset(years)
    return CalendarSpec(name=name, time_zone=time_zone, intervals=tuple(intervals), end_of_day=end_of_day,
                        working_days=weekly_working_days(years, weekdays), years=years)


def hours(start: str, end: str) -> tuple[int, int]:
    """("09:00", "18:00") → seconds from midnight; "24:00" or an end of "00:00" means midnight after."""
    def parse(text: str, is_end: bool) -> int:
        hh, mm = (int(part) for part in text.split(":"))
        seconds = hh * 3600 + mm * 60
        return DAY_SECONDS if is_end and seconds in (0, DAY_SECONDS) else seconds

    return parse(start, False), parse(end, True)
