"""Seeds, the stored calendars, imports and edits of the official schedule (R11.1)."""

import json
from datetime import date, datetime, time

import pytest
from django.db import IntegrityError, transaction

from kefu.calendars import selectors, services
from kefu.calendars.models import Calendar, OfficialDay, OfficialYear, WorkingInterval
from kefu.core.errors import FieldError, KefuError

from .conftest import PACKAGE_YEARS

SCHEDULE_2027 = """date,kind,name
# A made-up 2027 schedule for the tests (the real one is published by the State Council in November).
2027-01-01,holiday,元旦
2027-02-06,holiday,春节
2027-02-07,holiday,春节
2027-02-08,holiday,春节
2027-02-09,holiday,春节
2027-02-10,holiday,春节
2027-02-11,holiday,春节
2027-02-12,holiday,春节
2027-02-13,working,春节
"""


@pytest.mark.django_db
def test_every_year_of_the_package_is_seeded_with_the_default_calendars():
    assert set(selectors.official_years()) == set(PACKAGE_YEARS)
    assert OfficialYear.objects.filter(source="chinese-calendar").count() == len(PACKAGE_YEARS)
    spring = OfficialDay.objects.get(date=date(2026, 2, 17))
    assert not spring.is_working_day and spring.name == "春节" and spring.source == "chinese-calendar"
    assert OfficialDay.objects.get(date=date(2026, 2, 14)).is_working_day
    default = Calendar.objects.get(name="default")
    assert default.kind == "working_hours" and default.follows_official_schedule and default.time_zone == (
        "Asia/Shanghai")
    assert [(i.start, i.end) for i in default.intervals.all()] == [(time(9), time(18))]
    assert Calendar.objects.get(name="24x7").kind == "24x7"


@pytest.mark.django_db
def test_seeding_again_changes_nothing_and_keeps_edits(admin_user):
    services.official_day_set(actor=admin_user, day=date(2026, 2, 14), is_working_day=False, name="公司假")
    default = Calendar.objects.get(name="default")
    services.calendar_update(actor=admin_user, calendar=default, data={}, intervals=[(time(8), time(17))])
    counts = (OfficialDay.objects.count(), OfficialYear.objects.count(), Calendar.objects.count())
    assert services.calendars_seed_defaults() == {"calendars": 0, "years": 0}
    assert counts == (OfficialDay.objects.count(), OfficialYear.objects.count(), Calendar.objects.count())
    assert not OfficialDay.objects.get(date=date(2026, 2, 14)).is_working_day
    assert [(i.start, i.end) for i in default.intervals.all()] == [(time(8), time(17))]
    # A year removed by an administrator comes back from the package.
    OfficialYear.objects.filter(year=2010).delete()
    OfficialDay.objects.filter(date__year=2010).delete()
    assert services.calendars_seed_defaults()["years"] == 1
    assert OfficialDay.objects.filter(date__year=2010).count() > 10


@pytest.mark.django_db
def test_import_a_new_year_then_deadlines_reach_it(admin_user):
    start = datetime.fromisoformat("2026-12-31T17:00:00+08:00")
    with pytest.raises(KefuError) as caught:
        selectors.deadline_compute(start=start, amount=2, unit="working_hours")
    assert caught.value.code == "schedule_missing"
    report = services.schedule_import(actor=admin_user, filename="2027.csv", content=SCHEDULE_2027.encode())
    assert report.years == [2027] and report.created == 9 and not report.errors
    assert OfficialYear.objects.get(year=2027).source == "import"
    assert OfficialDay.history.filter(date=date(2027, 1, 1)).first().history_user == admin_user
    # Thu 31 Dec 17:00 + 2 h: Fri 1 Jan 2027 is 元旦, Sat 2 and Sun 3 are weekend → Mon 4 Jan 10:00.
    assert selectors.deadline_compute(start=start, amount=2, unit="working_hours").deadline.isoformat() == (
        "2027-01-04T10:00:00+08:00")
    # Sat 13 Feb 2027 is the (made-up) adjusted working day after the festival.
    result = selectors.deadline_compute(start=datetime.fromisoformat("2027-02-05T17:00:00+08:00"), amount=2,
                                        unit="working_hours")
    assert result.deadline.isoformat() == "2027-02-13T10:00:00+08:00"


@pytest.mark.django_db
def test_an_import_replaces_the_years_it_contains(admin_user):
    services.schedule_import(actor=admin_user, filename="2027.csv", content=SCHEDULE_2027.encode())
    corrected = json.dumps({"days": [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
                                     {"date": "2027-02-10", "kind": "holiday", "name": "春节"}]})
    report = services.schedule_import(actor=admin_user, filename="2027.json", content=corrected.encode(),
                                      dry_run=True)
    assert (report.created, report.updated, report.deleted) == (0, 0, 7)
    assert OfficialDay.objects.filter(date__year=2027).count() == 9  # dry run: nothing written
    services.schedule_import(actor=admin_user, filename="2027.json", content=corrected.encode())
    assert list(OfficialDay.objects.filter(date__year=2027).values_list("date", flat=True)) == [
        date(2027, 1, 1), date(2027, 2, 10)]
    # The other years are untouched.
    assert OfficialDay.objects.filter(date__year=2026).count() == 39


@pytest.mark.django_db
def test_a_bad_file_imports_nothing_and_names_every_bad_line(admin_user):
    content = ("date,kind,name\n2027-01-01,holiday,元旦\n2027-13-01,holiday,\n2027-02-01,maybe,\n"
               "2027-01-01,working,\n").encode("gb18030")
    with pytest.raises(KefuError) as caught:
        services.schedule_import(actor=admin_user, filename="2027.csv", content=content)
    assert caught.value.code == "import_invalid"
    errors = caught.value.report.errors
    assert [(e["line"], e["field"]) for e in errors] == [(3, "date"), (4, "kind"), (5, "date")]
    assert all(e["message_en"] for e in errors)
    assert not OfficialYear.objects.filter(year=2027).exists()
    assert not OfficialDay.objects.filter(date__year=2027).exists()
    for bad in (b"", b"[1, 2]", b"{\"days\": 3}", b"\xff\xfe\xfa"):
        with pytest.raises(KefuError):
            services.schedule_import(actor=admin_user, filename="x.json", content=bad)


@pytest.mark.django_db
def test_export_is_the_import_format(admin_user):
    exported = services.schedule_export(2026)
    assert exported.splitlines()[0] == "date,kind,name"
    assert "2026-02-14,working,春节" in exported and "2026-10-01,holiday,国庆节" in exported
    # Importing 2026 as exported changes no day (only the source).
    report = services.schedule_import(actor=admin_user, filename="2026.csv", content=exported.encode(), dry_run=True)
    assert report.created == 0 and report.deleted == 0
    as_json = json.loads(services.schedule_export(2026, "json"))
    assert {"date": "2026-02-28", "kind": "working", "name": "春节"} in as_json


@pytest.mark.django_db
def test_an_administrator_edits_a_day_and_deadlines_follow(admin_user):
    start = datetime.fromisoformat("2026-02-13T17:00:00+08:00")
    assert selectors.deadline_compute(start=start, amount=2, unit="working_hours").deadline.isoformat() == (
        "2026-02-14T10:00:00+08:00")
    services.official_day_set(actor=admin_user, day=date(2026, 2, 14), is_working_day=False, name="春节")
    assert OfficialDay.objects.get(date=date(2026, 2, 14)).source == "manual"
    assert selectors.deadline_compute(start=start, amount=2, unit="working_hours").deadline.isoformat() == (
        "2026-02-24T10:00:00+08:00")
    services.official_day_delete(actor=admin_user, day=OfficialDay.objects.get(date=date(2026, 2, 14)))
    # Back to an ordinary Saturday: still off.
    assert selectors.deadline_compute(start=start, amount=2, unit="working_hours").deadline.isoformat() == (
        "2026-02-24T10:00:00+08:00")


@pytest.mark.django_db
def test_calendar_intervals_are_checked(admin_user):
    default = Calendar.objects.get(name="default")
    for intervals, code in [([(time(9), time(12)), (time(11), time(18))], "interval_overlap"),
                            ([(time(9), time(9))], "interval_empty"),
                            ([(time(18), time(9))], "interval_inverted"),
                            ([], "calendar_no_working_time")]:
        with pytest.raises(FieldError) as caught:
            services.calendar_update(actor=admin_user, calendar=default, data={}, intervals=intervals)
        assert caught.value.code == code
    assert [(i.start, i.end) for i in default.intervals.all()] == [(time(9), time(18))]
    with pytest.raises(FieldError) as caught:
        services.calendar_update(actor=admin_user, calendar=default, data={"time_zone": "Mars/Olympus"})
    assert caught.value.field == "time_zone"
    with pytest.raises(FieldError):
        services.calendar_update(actor=admin_user, calendar=default, data={"working_weekdays": "1189"})
    # The database refuses an inverted interval too; an end of 00:00 means 24:00.
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkingInterval.objects.create(calendar=default, start=time(18), end=time(9))
    WorkingInterval.objects.create(calendar=default, start=time(20), end=time(0))


@pytest.mark.django_db
def test_changed_working_hours_apply_at_once(admin_user):
    start = datetime.fromisoformat("2026-03-02T16:00:00+08:00")  # Monday
    assert selectors.deadline_compute(start=start, amount=3, unit="working_hours").deadline.isoformat() == (
        "2026-03-03T10:00:00+08:00")
    default = Calendar.objects.get(name="default")
    services.calendar_update(actor=admin_user, calendar=default, data={"working_days_end": "end_of_day"},
                             intervals=[(time(8, 30), time(12)), (time(13), time(0))])
    assert selectors.deadline_compute(start=start, amount=3, unit="working_hours").deadline.isoformat() == (
        "2026-03-02T19:00:00+08:00")
    assert selectors.deadline_compute(start=start, amount=1, unit="working_days").deadline.isoformat() == (
        "2026-03-04T00:00:00+08:00")
    services.calendar_update(actor=admin_user, calendar=default,
                             data={"follows_official_schedule": False, "working_weekdays": "1234567"})
    feb = datetime.fromisoformat("2026-02-16T10:00:00+08:00")  # Spring Festival, but now every day is worked
    assert selectors.deadline_compute(start=feb, amount=1, unit="working_hours").deadline.isoformat() == (
        "2026-02-16T11:00:00+08:00")


@pytest.mark.django_db
def test_deadline_compute_picks_the_calendar():
    start = datetime.fromisoformat("2026-02-13T17:00:00+08:00")
    assert selectors.deadline_compute(start=start, amount=2, unit="hours").calendar == "24x7"
    assert selectors.deadline_compute(start=start, amount=2, unit="working_hours").calendar == "default"
    result = selectors.deadline_compute(start=start, amount=2, unit="working_hours", calendar_name="24x7")
    assert result.deadline.isoformat() == "2026-02-13T19:00:00+08:00"
    with pytest.raises(FieldError) as caught:
        selectors.deadline_compute(start=start, amount=2, unit="working_hours", calendar_name="nope")
    assert caught.value.code == "calendar_unknown" and caught.value.field == "calendar"


@pytest.mark.django_db
def test_the_warning_from_1_november():
    assert selectors.missing_next_year(date(2026, 10, 31)) is None
    assert selectors.missing_next_year(date(2026, 11, 1)) == 2027
    assert selectors.missing_next_year(date(2025, 11, 23)) is None  # 2026 is loaded
    from kefu.core.models import Setting

    Setting.objects.create(key="calendars.missing_year_warning_month", value=10)
    assert selectors.missing_next_year(date(2026, 10, 1)) == 2027
