"""R3.6 under real concurrency: two deliveries at the same moment, from two threads with their own database
connections (SQLite waits on its file lock; CI runs PostgreSQL, where the unique constraints decide)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client

from kefu.contacts import services
from kefu.contacts.models import Contact, TelephonyEvent
from kefu.contacts.telephony.events import CallEvent

from .conftest import signed_post

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def run_in_threads(count: int, target) -> list:
    barrier = threading.Barrier(count)
    results: list = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        try:
            barrier.wait()
            outcome = target(index)
        except Exception as error:  # noqa: BLE001 — the test inspects every outcome
            outcome = error
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def call_event(event_id: str, kind: str, seconds: int) -> CallEvent:
    return CallEvent(source="generic", event_id=event_id, call_id="race-1", kind=kind,
                     occurred_at=T0 + timedelta(seconds=seconds), caller="13812345678", queue="support")


@pytest.mark.django_db(transaction=True)
def test_the_same_event_twice_at_the_same_time_makes_one_contact():
    event = call_event("evt-1", "offered", 0)
    results = run_in_threads(2, lambda i: services.telephony_event_ingest(event=event, live=True))
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    assert sorted(r.status for r in results) == ["applied", "duplicate"]
    assert Contact.objects.count() == 1 and TelephonyEvent.objects.count() == 1
    assert {r.contact_id for r in results} == {Contact.objects.get().pk}


@pytest.mark.django_db(transaction=True)
def test_the_same_signed_request_twice_at_the_same_time_through_the_endpoint(telephony_secret):
    payload = {"id": "evt-1", "type": "offered", "call_id": "race-1", "timestamp": "2026-03-02T09:00:00+08:00"}
    responses = run_in_threads(2, lambda i: signed_post(Client(), payload))
    assert [getattr(r, "status_code", r) for r in responses] == [200, 200]
    statuses = sorted(r.json()["results"][0]["status"] for r in responses)
    assert statuses == ["applied", "duplicate"]
    assert Contact.objects.count() == 1 and TelephonyEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_different_events_of_a_new_call_at_the_same_time_make_one_complete_contact():
    events = [call_event("evt-1", "offered", 0), call_event("evt-2", "answered", 12),
              call_event("evt-3", "ended", 192), call_event("evt-4", "queued", 4)]
    results = run_in_threads(4, lambda i: services.telephony_event_ingest(event=events[i]))
    assert not [r for r in results if isinstance(r, Exception)]
    contact = Contact.objects.get()
    assert (contact.state, contact.wait_seconds, contact.talk_seconds, contact.missing_offer) == (
        "completed", 8, 180, False)
