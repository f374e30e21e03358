"""Deadline arithmetic (issue 5 item 2, R11.1/R11.2) on China's 2026 schedule, checked against chinese-calendar.

2026 as published (and as the chinese-calendar package has it): Spring Festival off Sun 15 – Mon 23 February,
adjusted working days Sat 14 and Sat 28 February; National Day off Thu 1 – Wed 7 October, adjusted working days
Sun 20 September and Sat 10 October.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from kefu.calendars import arithmetic as a
from kefu.calendars.arithmetic import Unit
from kefu.core.errors import FieldError, KefuError

from .conftest import package_spec

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_the_2026_facts_the_tests_rely_on():
    for day in (date(2026, 2, 14), date(2026, 2, 28), date(2026, 9, 20), date(2026, 10, 10)):
        assert day.weekday() >= 5 and chinese_calendar.is_workday(day), day  # adjusted working weekends
    for offset in range(9):
        assert chinese_calendar.is_holiday(date(2026, 2, 15) + timedelta(days=offset))
    for offset in range(7):
        assert chinese_calendar.is_holiday(date(2026, 10, 1) + timedelta(days=offset))
    assert chinese_calendar.is_workday(date(2026, 2, 24)) and chinese_calendar.is_workday(date(2026, 10, 8))


def test_the_issue_example(official):
    """Fri 13 Feb 2026 17:00 + 2 working hours: one hour on Friday (17:00–18:00); Saturday 14 February is an
    adjusted working day (调休) before the Spring Festival, so the second hour is 09:00–10:00 on Saturday."""
    assert chinese_calendar.is_workday(date(2026, 2, 14))
    deadline = a.deadline(official, at("2026-02-13T17:00:00+08:00"), 2, Unit.WORKING_HOURS)
    assert deadline.isoformat() == "2026-02-14T10:00:00+08:00"


@pytest.mark.parametrize(("start", "amount", "unit", "expected"), [
    # A deadline exactly at closing time is that closing time, not the next morning.
    ("2026-02-13T17:00:00+08:00", 1, Unit.WORKING_HOURS, "2026-02-13T18:00:00+08:00"),
    ("2026-02-13T09:00:00+08:00", 9, Unit.WORKING_HOURS, "2026-02-13T18:00:00+08:00"),
    # A start at closing time, after it, or before opening begins at the next opening.
    ("2026-02-13T18:00:00+08:00", 1, Unit.WORKING_HOURS, "2026-02-14T10:00:00+08:00"),
    ("2026-02-13T22:15:00+08:00", 30, Unit.WORKING_MINUTES, "2026-02-14T09:30:00+08:00"),
    ("2026-02-12T07:30:00+08:00", 30, Unit.WORKING_MINUTES, "2026-02-12T09:30:00+08:00"),
    # Across the whole Spring Festival (Sun 15 – Mon 23 Feb off): Sat 14 18:00 → Tue 24.
    ("2026-02-14T17:30:00+08:00", 1, Unit.WORKING_HOURS, "2026-02-24T09:30:00+08:00"),
    ("2026-02-16T10:00:00+08:00", 1, Unit.WORKING_HOURS, "2026-02-24T10:00:00+08:00"),
    # National Day: Wed 30 Sep 17:00 + 2 h → Thu 8 Oct 10:00; Sat 10 Oct is an adjusted working day.
    ("2026-09-30T17:00:00+08:00", 2, Unit.WORKING_HOURS, "2026-10-08T10:00:00+08:00"),
    ("2026-10-09T17:00:00+08:00", 2, Unit.WORKING_HOURS, "2026-10-10T10:00:00+08:00"),
    # Sun 20 Sep is an adjusted working day.
    ("2026-09-19T12:00:00+08:00", 3, Unit.WORKING_HOURS, "2026-09-20T12:00:00+08:00"),
    # Seconds and microseconds are kept; a start in another zone is converted to the calendar's.
    ("2026-02-13T09:00:00.250000Z", 90, Unit.WORKING_MINUTES, "2026-02-14T09:30:00.250000+08:00"),
    ("2026-03-02T10:03:27+08:00", "1.5", Unit.WORKING_HOURS, "2026-03-02T11:33:27+08:00"),
])
def test_working_time(official, start, amount, unit, expected):
    assert a.deadline(official, at(start), amount, unit).isoformat() == expected


def test_ten_working_hours_from_friday_use_the_adjusted_saturday(official):
    # Fri 27 Feb 17:00: 1 h Friday, 9 h Saturday 28 (worked) = 10 h → Saturday 18:00, closing time.
    assert a.deadline(official, at("2026-02-27T17:00:00+08:00"), 10, Unit.WORKING_HOURS) == at(
        "2026-02-28T18:00:00+08:00")
    # One minute more: Sunday 1 March is off, so Monday 09:01.
    assert a.deadline(official, at("2026-02-27T17:00:00+08:00"), 601, Unit.WORKING_MINUTES) == at(
        "2026-03-02T09:01:00+08:00")


@pytest.mark.parametrize(("start", "days", "expected"), [
    # The day of receipt is not counted (Civil Code art. 201): Sat 14 = 1, Tue 24 = 2, Wed 25 = 3.
    ("2026-02-13T17:00:00+08:00", 3, "2026-02-25T18:00:00+08:00"),
    # … even when received before opening.
    ("2026-02-09T08:00:00+08:00", 1, "2026-02-10T18:00:00+08:00"),
    # Received on a holiday or a weekend: the next working days count.
    ("2026-02-16T11:00:00+08:00", 1, "2026-02-24T18:00:00+08:00"),
    ("2026-09-19T11:00:00+08:00", 1, "2026-09-20T18:00:00+08:00"),
    # Complaint solved in 3 working days [003] across National Day: Oct 8, 9, 10 (Sat, worked).
    ("2026-09-30T10:00:00+08:00", 3, "2026-10-10T18:00:00+08:00"),
])
def test_working_days(official, start, days, expected):
    deadline = a.deadline(official, at(start), days, Unit.WORKING_DAYS)
    assert deadline.isoformat() == expected
    received = at(start).astimezone(SH).date()
    assert len(chinese_calendar.get_workdays(received + timedelta(days=1), deadline.date())) == days


def test_working_days_may_end_at_the_end_of_the_day(official):
    spec = package_spec(end_of_day=True)
    # 24:00 of Wed 25 Feb (Civil Code art. 203) is written as 00:00 of Thu 26 Feb.
    assert a.deadline(spec, at("2026-02-13T17:00:00+08:00"), 3, Unit.WORKING_DAYS) == at("2026-02-26T00:00:00+08:00")


def test_several_intervals_a_day():
    spec = package_spec(intervals=[a.hours("08:30", "12:00"), a.hours("13:00", "17:30")], name="split")
    start = at("2026-03-02T11:00:00+08:00")  # Monday
    assert a.deadline(spec, start, 1, Unit.WORKING_HOURS) == at("2026-03-02T12:00:00+08:00")  # closing of the morning
    assert a.deadline(spec, start, 2, Unit.WORKING_HOURS) == at("2026-03-02T14:00:00+08:00")  # lunch not counted
    assert a.deadline(spec, at("2026-03-02T12:30:00+08:00"), 1, Unit.WORKING_MINUTES) == at(
        "2026-03-02T13:01:00+08:00")
    assert a.deadline(spec, start, 3, Unit.WORKING_DAYS) == at("2026-03-05T17:30:00+08:00")
    assert a.working_time_between(spec, start, at("2026-03-03T09:30:00+08:00")) == timedelta(hours=6, minutes=30)


def test_working_time_between_is_the_reverse(official):
    start, end = at("2026-02-13T17:00:00+08:00"), at("2026-02-24T10:00:00+08:00")
    # 1 h Friday + 9 h Saturday 14 (worked) + nothing during the festival + 1 h Tuesday.
    assert a.working_time_between(official, start, end) == timedelta(hours=11)
    assert a.working_time_between(official, end, start) == -timedelta(hours=11)
    assert a.working_time_between(official, at("2026-02-15T00:00:00+08:00"), at("2026-02-23T23:59:00+08:00")) == (
        timedelta(0))


def test_elapsed_time_on_the_7x24_clock(official):
    start = at("2026-02-13T17:00:00+08:00")
    assert a.deadline(official, start, 8, Unit.MINUTES) == at("2026-02-13T17:08:00+08:00")  # call handling [003]
    assert a.deadline(official, start, 2, Unit.HOURS) == at("2026-02-13T19:00:00+08:00")  # fax reply [003]
    assert a.deadline(official, start, 3, Unit.DAYS) == at("2026-02-16T17:00:00+08:00")  # case answer [002]
    always = a.always_open()
    assert a.deadline(always, at("2026-01-31T10:00:00+08:00"), 1, Unit.MONTHS) == at("2026-02-28T10:00:00+08:00")
    assert a.deadline(always, at("2028-01-31T10:00:00+08:00"), 1, Unit.MONTHS) == at("2028-02-29T10:00:00+08:00")
    assert a.deadline(always, at("2026-11-30T10:00:00+08:00"), 14, Unit.MONTHS) == at("2028-01-30T10:00:00+08:00")
    # The 7×24 clock needs no official schedule: 2030 is fine.
    assert a.deadline(always, at("2030-01-01T00:00:00+08:00"), 2, Unit.WORKING_HOURS) == at(
        "2030-01-01T02:00:00+08:00")
    assert a.deadline(always, at("2026-02-13T17:00:00+08:00"), 3, Unit.WORKING_DAYS) == at(
        "2026-02-17T00:00:00+08:00")
    assert a.deadline(always, at("2026-02-13T09:00:00Z"), 1, Unit.HOURS).isoformat() == "2026-02-13T18:00:00+08:00"


def test_a_paused_clock_resumes_with_the_working_time_it_had_left(official):
    start = at("2026-02-13T17:00:00+08:00")
    clock = a.Clock(deadline=a.deadline(official, start, 4, Unit.WORKING_HOURS))
    assert clock.deadline == at("2026-02-14T12:00:00+08:00")
    paused = a.clock_pause(official, clock, at("2026-02-13T17:30:00+08:00"))  # waiting for the customer
    assert paused.is_paused and paused.remaining == timedelta(hours=3, minutes=30)
    assert a.clock_pause(official, paused, at("2026-02-14T09:00:00+08:00")) == paused
    resumed = a.clock_resume(official, paused, at("2026-02-24T09:00:00+08:00"))
    assert not resumed.is_paused and resumed.deadline == at("2026-02-24T12:30:00+08:00")
    # Paused after the deadline: it stays breached.
    late = a.clock_pause(official, clock, at("2026-02-14T13:00:00+08:00"))
    assert late.remaining < timedelta(0)
    assert a.clock_resume(official, late, at("2026-02-24T09:00:00+08:00")).deadline == clock.deadline
    # Paused outside working time loses nothing.
    night = a.clock_pause(official, clock, at("2026-02-13T20:00:00+08:00"))
    assert night.remaining == timedelta(hours=3)


def test_a_weekly_calendar_ignores_the_official_schedule():
    spec = a.weekly("shop", intervals=[a.hours("09:00", "21:00")], weekdays=(1, 2, 3, 4, 5, 6, 7))
    # Open every day, Spring Festival included.
    assert a.deadline(spec, at("2026-02-16T20:00:00+08:00"), 2, Unit.WORKING_HOURS) == at("2026-02-17T10:00:00+08:00")
    assert a.deadline(spec, at("2035-06-01T20:00:00+08:00"), 1, Unit.WORKING_DAYS) == at("2035-06-02T21:00:00+08:00")
    full = a.weekly("nights", intervals=[a.hours("00:00", "24:00")], weekdays=(1, 2, 3, 4, 5))
    assert a.deadline(full, at("2026-03-06T23:00:00+08:00"), 2, Unit.WORKING_HOURS) == at("2026-03-09T01:00:00+08:00")
    assert a.deadline(full, at("2026-03-06T22:00:00+08:00"), 2, Unit.WORKING_HOURS) == at("2026-03-07T00:00:00+08:00")


def test_a_calendar_in_another_time_zone():
    spec = a.weekly("utc", intervals=[a.hours("09:00", "17:00")], time_zone="UTC")
    deadline = a.deadline(spec, at("2026-03-02T16:00:00+08:00"), 2, Unit.WORKING_HOURS)  # 08:00 UTC, Monday
    assert deadline.isoformat() == "2026-03-02T11:00:00+00:00"


# -- bad input: a clear error, never a loop or a silently wrong deadline ---------------------------------------


@pytest.mark.parametrize(("amount", "code"), [(0, "duration_not_positive"), (-2, "duration_not_positive"),
                                              ("0.0000000001", "duration_not_positive"), ("x", "duration_invalid"),
                                              ("NaN", "duration_invalid"), (True, "duration_invalid")])
def test_bad_durations(official, amount, code):
    for unit in Unit:
        if unit.whole_numbers_only and code == "duration_not_positive" and amount == "0.0000000001":
            continue
        with pytest.raises(FieldError) as caught:
            a.deadline(official, at("2026-02-13T17:00:00+08:00"), amount, unit)
        assert caught.value.code == code, unit
        assert caught.value.message_en and caught.value.message_zh


def test_days_must_be_whole(official):
    with pytest.raises(FieldError) as caught:
        a.deadline(official, at("2026-02-13T17:00:00+08:00"), "1.5", Unit.WORKING_DAYS)
    assert caught.value.code == "duration_not_whole"


def test_a_start_without_a_time_zone_is_an_error(official):
    for unit in Unit:
        with pytest.raises(FieldError) as caught:
            a.deadline(official, datetime(2026, 2, 13, 17), 1, unit)  # noqa: DTZ001 — the point of the test
        assert caught.value.code == "start_naive" and caught.value.field == "start"
    with pytest.raises(FieldError):
        a.working_time_between(official, at("2026-02-13T17:00:00+08:00"), datetime(2026, 2, 14))  # noqa: DTZ001


def test_a_span_into_a_year_without_schedule_is_an_error(official):
    for start, amount, unit in [("2026-12-30T17:00:00+08:00", 3, Unit.WORKING_DAYS),
                                ("2026-12-31T17:00:00+08:00", 2, Unit.WORKING_HOURS),
                                ("2027-01-04T10:00:00+08:00", 1, Unit.WORKING_MINUTES),
                                ("2003-12-31T10:00:00+08:00", 1, Unit.WORKING_HOURS),
                                ("2026-02-13T17:00:00+08:00", 3000, Unit.WORKING_HOURS)]:
        with pytest.raises(a.ScheduleMissing) as caught:
            a.deadline(official, at(start), amount, unit)
        assert caught.value.code == "schedule_missing"
        assert caught.value.year in (2027, 2003)
        assert str(caught.value.year) in caught.value.message_en
    # The last working hour of 2026 is fine: Thu 31 Dec 17:00 + 1 h.
    assert a.deadline(official, at("2026-12-31T17:00:00+08:00"), 1, Unit.WORKING_HOURS) == at(
        "2026-12-31T18:00:00+08:00")


def test_a_missing_year_in_the_middle_is_an_error():
    spec = package_spec(years={2024, 2026})
    with pytest.raises(a.ScheduleMissing) as caught:
        a.deadline(spec, at("2024-12-31T17:00:00+08:00"), 2, Unit.WORKING_HOURS)
    assert caught.value.year == 2025
    with pytest.raises(a.ScheduleMissing):
        a.working_time_between(spec, at("2024-12-31T17:00:00+08:00"), at("2026-01-05T10:00:00+08:00"))
    assert a.deadline(spec, at("2026-01-05T10:00:00+08:00"), 2, Unit.WORKING_HOURS) == at(
        "2026-01-05T12:00:00+08:00")


def test_a_calendar_without_working_time_is_an_error():
    for spec in (package_spec(intervals=[], name="empty"),
                 a.weekly("never", intervals=[a.hours("09:00", "18:00")], weekdays=())):
        for unit in (Unit.WORKING_HOURS, Unit.WORKING_DAYS):
            with pytest.raises(KefuError) as caught:
                a.deadline(spec, at("2026-02-13T17:00:00+08:00"), 1, unit)
            assert caught.value.code == "calendar_no_working_time"
        # Elapsed time still works on it.
        assert a.deadline(spec, at("2026-02-13T17:00:00+08:00"), 1, Unit.HOURS) == at("2026-02-13T18:00:00+08:00")


@pytest.mark.parametrize(("intervals", "code"), [
    ([a.hours("09:00", "12:00"), a.hours("11:00", "18:00")], "interval_overlap"),
    ([a.hours("09:00", "18:00"), a.hours("09:00", "18:00")], "interval_overlap"),
    ([a.hours("09:00", "09:00")], "interval_empty"),
    ([(18 * 3600, 9 * 3600)], "interval_inverted"),
    ([(-1, 3600)], "interval_invalid"),
])
def test_bad_intervals_are_refused(intervals, code):
    with pytest.raises(FieldError) as caught:
        package_spec(intervals=intervals, name="bad")
    assert caught.value.code == code and caught.value.field == "intervals"


def test_touching_intervals_are_fine():
    spec = package_spec(intervals=[a.hours("13:00", "18:00"), a.hours("09:00", "13:00")], name="touching")
    assert spec.intervals == ((9 * 3600, 13 * 3600), (13 * 3600, 18 * 3600))
    assert a.deadline(spec, at("2026-03-02T12:00:00+08:00"), 2, Unit.WORKING_HOURS) == at(
        "2026-03-02T14:00:00+08:00")


def test_unknown_unit_and_huge_elapsed_durations(official):
    with pytest.raises(FieldError) as caught:
        a.deadline(official, at("2026-02-13T17:00:00+08:00"), 1, "fortnights")
    assert caught.value.code == "unit_invalid"
    with pytest.raises(FieldError) as caught:
        a.deadline(official, at("2026-02-13T17:00:00+08:00"), 10**12, Unit.HOURS)
    assert caught.value.code == "duration_too_long"
    with pytest.raises(FieldError) as caught:
        a.deadline(official, at("2026-02-13T17:00:00+08:00"), 10**6, Unit.MONTHS)
    assert caught.value.code == "duration_too_long"
