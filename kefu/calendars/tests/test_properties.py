"""Property-based tests of the deadline arithmetic (issue 5): monotonicity, additivity, the reverse, and
agreement with a slow day-by-day reference built on chinese-calendar's own is_workday()."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kefu.calendars import arithmetic as a

from .conftest import package_spec

SH = ZoneInfo("Asia/Shanghai")
OFFICIAL = package_spec()
SPLIT = package_spec(intervals=[a.hours("08:30", "12:00"), a.hours("13:00", "17:30")], name="split")
CALENDARS = st.sampled_from([OFFICIAL, SPLIT])

# Starts from 2025 to mid-2026 (second resolution, sometimes exactly on a boundary); durations up to 400 working
# hours, so every deadline stays inside 2026, the last year the package covers.
starts = st.one_of(
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 6, 30)).map(  # noqa: DTZ001
        lambda d: d.replace(microsecond=0, tzinfo=SH)),
    st.tuples(st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 6, 30)),
              st.sampled_from([time(0), time(8, 30), time(9), time(12), time(13), time(17, 30), time(18)])).map(
        lambda p: datetime.combine(p[0], p[1], SH)),
)
durations = st.integers(min_value=1, max_value=400 * 60).map(lambda m: timedelta(minutes=m))


def reference_add(spec: a.CalendarSpec, start: datetime, duration: timedelta) -> datetime:
    """The obvious, slow way: walk day by day through chinese-calendar's working days."""
    local = start.astimezone(SH)
    left = duration
    day = local.date()
    while True:
        if chinese_calendar.is_workday(day):
            for begin, end in spec.intervals:
                lo = datetime.combine(day, time(0), SH) + timedelta(seconds=begin)
                hi = datetime.combine(day, time(0), SH) + timedelta(seconds=end)
                lo = max(lo, local)
                if hi <= lo:
                    continue
                if left <= hi - lo:
                    return lo + left
                left -= hi - lo
        day += timedelta(days=1)


@settings(max_examples=300, deadline=None)
@given(CALENDARS, starts, durations)
def test_agrees_with_the_day_by_day_reference(spec, start, duration):
    assert a.add_working_time(spec, start, duration) == reference_add(spec, start, duration)


@given(CALENDARS, starts, starts, durations)
def test_monotonic_in_the_start(spec, s1, s2, duration):
    s1, s2 = sorted((s1, s2))
    assert a.add_working_time(spec, s1, duration) <= a.add_working_time(spec, s2, duration)


@given(CALENDARS, starts, durations, durations)
def test_monotonic_in_the_duration_and_later_than_the_start(spec, start, d1, d2):
    d1, d2 = sorted((d1, d2))
    first, second = a.add_working_time(spec, start, d1), a.add_working_time(spec, start, d2)
    assert start < first <= second
    assert (first < second) == (d1 < d2)


@given(CALENDARS, starts, durations, durations)
def test_additive(spec, start, d1, d2):
    assert a.add_working_time(spec, a.add_working_time(spec, start, d1), d2) == a.add_working_time(
        spec, start, d1 + d2)


@given(CALENDARS, starts, durations)
def test_between_is_the_reverse_of_add(spec, start, duration):
    assert a.working_time_between(spec, start, a.add_working_time(spec, start, duration)) == duration


@given(CALENDARS, starts, starts)
def test_add_after_between_gives_the_earliest_equivalent_instant(spec, s1, s2):
    s1, s2 = sorted((s1, s2))
    worked = a.working_time_between(spec, s1, s2)
    assume(worked > timedelta(0))
    back = a.add_working_time(spec, s1, worked)
    assert back <= s2 and a.working_time_between(spec, back, s2) == timedelta(0)


@given(CALENDARS, starts, durations)
def test_a_deadline_is_always_inside_working_time(spec, start, duration):
    deadline = a.add_working_time(spec, start, duration).astimezone(SH)
    assert chinese_calendar.is_workday(deadline.date())
    seconds = deadline.hour * 3600 + deadline.minute * 60 + deadline.second
    assert any(begin < seconds <= end for begin, end in spec.intervals)  # closing time included, opening not


@given(CALENDARS, starts, st.integers(min_value=1, max_value=60), st.integers(min_value=1, max_value=60))
def test_working_days(spec, start, n1, n2):
    deadline = a.add_working_days(spec, start, n1)
    received = start.astimezone(SH).date()
    assert len(chinese_calendar.get_workdays(received + timedelta(days=1), deadline.date())) == n1
    assert (deadline.hour * 3600 + deadline.minute * 60) == spec.intervals[-1][1]  # close of business
    assert a.add_working_days(spec, deadline, n2) == a.add_working_days(spec, start, n1 + n2)
    assert a.add_working_days(spec, start, n1) < a.add_working_days(spec, start, n1 + n2)


@given(CALENDARS, starts, durations, starts, starts)
def test_pausing_never_loses_or_adds_working_time(spec, start, duration, pause, resume):
    pause, resume = sorted((pause, resume))
    assume(start <= pause)
    clock = a.Clock(deadline=a.add_working_time(spec, start, duration))
    paused = a.clock_pause(spec, clock, pause)
    resumed = a.clock_resume(spec, paused, resume)
    if paused.remaining > timedelta(0):
        assert a.working_time_between(spec, resume, resumed.deadline) == paused.remaining
        # Working time used before the pause + after the resume = the clock's whole duration.
        assert a.working_time_between(spec, start, pause) + paused.remaining == duration
    else:
        assert resumed.deadline == clock.deadline
