"""Calendars built straight from the chinese-calendar package: the arithmetic is tested without a database."""

import pytest
from chinese_calendar import constants

from kefu.calendars import arithmetic

PACKAGE_YEARS = frozenset(range(min(constants.holidays).year, max(constants.holidays).year + 1))


OFFICE_HOURS = (arithmetic.hours("09:00", "18:00"),)


def package_spec(*, intervals=OFFICE_HOURS, years=PACKAGE_YEARS, end_of_day=False,
                 name="default") -> arithmetic.CalendarSpec:
    exceptions = {day: False for day in constants.holidays} | {day: True for day in constants.workdays}
    return arithmetic.CalendarSpec(name=name, intervals=tuple(intervals), years=frozenset(years),
                                   working_days=arithmetic.official_working_days(years, exceptions),
                                   end_of_day=end_of_day)


_OFFICIAL = package_spec()


@pytest.fixture
def official() -> arithmetic.CalendarSpec:
    """China's official working days 2004–2026, 09:00–18:00 (the seeded "default" calendar)."""
    return _OFFICIAL
