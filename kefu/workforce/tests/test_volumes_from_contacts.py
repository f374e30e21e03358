"""R9.1: the forecast history is fed from the calls Kefu recorded, counted by the one figures module."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.management import call_command

from kefu.contacts.models import Contact, Queue
from kefu.contacts.services import quarter_hour
from kefu.core.errors import FieldError, KefuError
from kefu.workforce import services
from kefu.workforce.models import IntervalVolume, PlanningQueue

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _call(queue: Queue, at: datetime, channel: str = Contact.Channel.INBOUND_CALL) -> Contact:
    return Contact.objects.create(channel=channel, source=Contact.Source.MANUAL, offered_at=at,
                                  offered_slot=quarter_hour(at), queue=queue)


def _volumes(code: str) -> dict[str, int]:
    return {v.interval_start.astimezone(SHANGHAI).strftime("%H:%M"): v.offered
            for v in IntervalVolume.objects.filter(queue__code=code)}


@pytest.fixture
def calls(db):
    """Hand-placed calls on 2026-03-02: two at 09:00–09:29, one at 09:30, one at 10:10 and an outbound call."""
    hotline = Queue.objects.create(code="96000")
    for minute in ((9, 1), (9, 29), (9, 30), (10, 10)):
        _call(hotline, datetime(2026, 3, 2, *minute, tzinfo=SHANGHAI))
    _call(hotline, datetime(2026, 3, 2, 9, 5, tzinfo=SHANGHAI), channel=Contact.Channel.OUTBOUND_CALL)
    return hotline


def test_offered_calls_become_interval_volumes(calls):
    start = datetime(2026, 3, 2, tzinfo=SHANGHAI)
    written = services.interval_volumes_from_contacts(start=start, end=start + timedelta(days=1),
                                                      now=start + timedelta(days=2))
    assert written == {"96000": 3}
    assert _volumes("96000") == {"09:00": 2, "09:30": 1, "10:00": 1}  # outbound calls are not offered load
    assert IntervalVolume.objects.filter(source=IntervalVolume.Source.CONTACTS).count() == 3
    # Counting again changes nothing; a late call corrects its interval.
    services.interval_volumes_from_contacts(start=start, end=start + timedelta(days=1), now=start + timedelta(days=2))
    _call(calls, datetime(2026, 3, 2, 9, 45, tzinfo=SHANGHAI))
    services.interval_volumes_from_contacts(start=start, end=start + timedelta(days=1), now=start + timedelta(days=2))
    assert _volumes("96000") == {"09:00": 2, "09:30": 2, "10:00": 1}


def test_a_running_interval_is_not_written(calls):
    start = datetime(2026, 3, 2, tzinfo=SHANGHAI)
    services.interval_volumes_from_contacts(start=start, end=start + timedelta(days=1),
                                            now=datetime(2026, 3, 2, 10, 20, tzinfo=SHANGHAI))
    assert _volumes("96000") == {"09:00": 2, "09:30": 1}


def test_a_fifteen_minute_queue_keeps_its_interval(calls):
    PlanningQueue.objects.create(code="96000", interval_minutes=15, aht_seconds=180)
    start = datetime(2026, 3, 2, tzinfo=SHANGHAI)
    services.interval_volumes_from_contacts(start=start, end=start + timedelta(days=1), now=start + timedelta(days=2))
    assert _volumes("96000") == {"09:00": 1, "09:15": 1, "09:30": 1, "10:00": 1}
    assert set(IntervalVolume.objects.values_list("interval_minutes", flat=True)) == {15}


def test_bad_periods_and_roles_are_refused(calls, make_user):
    start = datetime(2026, 3, 2, tzinfo=SHANGHAI)
    with pytest.raises(FieldError) as error:
        services.interval_volumes_from_contacts(start=start, end=start)
    assert error.value.field == "end"
    with pytest.raises(KefuError) as denied:
        services.interval_volumes_from_contacts(start=start, end=start + timedelta(days=1),
                                                actor=make_user("agent"))
    assert denied.value.status == 403
    assert not IntervalVolume.objects.exists()


def test_the_periodic_run_counts_the_last_hours_once_per_quarter_hour(calls):
    cache.clear()
    now = datetime(2026, 3, 2, 10, 16, tzinfo=SHANGHAI)
    assert services.volumes_from_contacts_periodic(now=now) == {"96000": 2}
    assert _volumes("96000") == {"09:00": 2, "09:30": 1}  # 10:00–10:30 is still running
    _call(calls, datetime(2026, 3, 2, 9, 50, tzinfo=SHANGHAI))
    assert services.volumes_from_contacts_periodic(now=now + timedelta(minutes=5)) == {}  # same quarter hour
    services.volumes_from_contacts_periodic(now=datetime(2026, 3, 2, 10, 31, tzinfo=SHANGHAI))
    assert _volumes("96000") == {"09:00": 2, "09:30": 2, "10:00": 1}


def test_command_page_and_api(calls, make_user, api_client_for, client, capsys):
    call_command("workforce", "volumes-from-contacts", "--start", "2026-03-02", "--end", "2026-03-02")
    assert "intervals" in capsys.readouterr().out and _volumes("96000")["09:00"] == 2
    IntervalVolume.objects.all().delete()

    lead = make_user("shift_lead")
    response = api_client_for(lead).post("/api/v1/workforce/volumes/from-contacts/",
                                         {"first_day": "2026-03-02", "last_day": "2026-03-02"}, format="json")
    assert response.status_code == 200 and response.json() == {"written": {"96000": 3}}
    bad = api_client_for(lead).post("/api/v1/workforce/volumes/from-contacts/",
                                    {"first_day": "2026-03-02", "last_day": "2026-03-01"}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "last_day"
    denied = api_client_for(make_user("agent")).post("/api/v1/workforce/volumes/from-contacts/",
                                                     {"first_day": "2026-03-02", "last_day": "2026-03-02"},
                                                     format="json")
    assert denied.status_code == 403

    IntervalVolume.objects.all().delete()
    client.force_login(lead)
    page = client.post("/workforce/forecast/", {"first_day": "2026-03-02", "last_day": "2026-03-02"})
    assert page.status_code == 302 and _volumes("96000") == {"09:00": 2, "09:30": 1, "10:00": 1}
