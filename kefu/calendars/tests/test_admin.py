"""The admin checks working intervals as the API does (R11.1, issue 5 "bad input")."""

from datetime import time

import pytest
from django.test import Client

from kefu.calendars.models import Calendar, OfficialDay


def calendar_form(calendar: Calendar, intervals: list[tuple[str, str]]) -> dict:
    existing = list(calendar.intervals.all())
    data = {
        "name": calendar.name, "description": calendar.description, "kind": calendar.kind,
        "time_zone": calendar.time_zone, "follows_official_schedule": "on", "working_weekdays": "12345",
        "working_days_end": calendar.working_days_end,
        "intervals-TOTAL_FORMS": str(len(intervals)), "intervals-INITIAL_FORMS": str(len(existing)),
        "intervals-MIN_NUM_FORMS": "0", "intervals-MAX_NUM_FORMS": "1000",
    }
    for index, (start, end) in enumerate(intervals):
        data.update({f"intervals-{index}-start": start, f"intervals-{index}-end": end,
                     f"intervals-{index}-calendar": str(calendar.pk)})
        if index < len(existing):
            data[f"intervals-{index}-id"] = str(existing[index].pk)
    return data


@pytest.mark.django_db
def test_admin_refuses_overlapping_intervals_and_saves_good_ones(admin_user):
    client = Client()
    client.force_login(admin_user)
    calendar = Calendar.objects.get(name="default")
    url = f"/admin/calendars/calendar/{calendar.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, calendar_form(calendar, [("09:00", "12:00"), ("11:00", "18:00")]))
    content = response.content.decode()
    assert response.status_code == 200 and ("overlap" in content.lower() or "重叠" in content)
    assert [(i.start, i.end) for i in calendar.intervals.all()] == [(time(9), time(18))]
    response = client.post(url, calendar_form(calendar, [("08:30", "12:00"), ("13:00", "17:30")]))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert [(i.start, i.end) for i in calendar.intervals.order_by("start")] == [(time(8, 30), time(12)),
                                                                                (time(13), time(17, 30))]


@pytest.mark.django_db
def test_a_day_changed_in_the_admin_is_marked_manual(admin_user):
    client = Client()
    client.force_login(admin_user)
    day = OfficialDay.objects.get(date="2026-02-14")
    response = client.post(f"/admin/calendars/officialday/{day.pk}/change/",
                           {"date": "2026-02-14", "name": "春节", "is_working_day": ""})
    assert response.status_code == 302
    day.refresh_from_db()
    assert not day.is_working_day and day.source == "manual"
