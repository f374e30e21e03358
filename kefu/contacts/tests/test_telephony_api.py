"""R3.6: the telephony endpoint /api/v1/telephony/events — HMAC signature, replay window, idempotency,
out-of-order events, bad input (never a 500, never a lost or double-counted call), and live effects."""

import json
import time

import pytest
from django.test import Client

from kefu.contacts import services
from kefu.contacts.models import AgentStatus, Contact, TelephonyEvent
from kefu.contacts.telephony.events import parse_timestamp
from kefu.contacts.telephony.signing import signed_headers
from kefu.core.models import Setting

from .conftest import SECRET, URL, signed_post

OFFER = {"id": "evt-1", "type": "offered", "call_id": "call-1", "timestamp": "2026-03-02T09:00:00+08:00",
         "caller": "0086-138-1234-5678", "called": "400-820-8820", "queue": "support"}


def event(number: int, kind: str, seconds: int, **extra) -> dict:
    return {"id": f"evt-{number}", "type": kind, "call_id": "call-1",
            "timestamp": f"2026-03-02T09:{seconds // 60:02d}:{seconds % 60:02d}+08:00", **extra}


@pytest.mark.django_db
def test_a_signed_event_creates_the_contact(post_events, customer):
    response = post_events(OFFER)
    assert response.status_code == 200, response.content
    result = response.json()["results"][0]
    assert result["status"] == "applied" and result["warnings"] == []
    contact = Contact.objects.get(pk=result["contact"])
    assert contact.caller_number == "13812345678" and contact.called_number == "4008208820"
    assert contact.customer == customer and contact.queue.code == "support" and contact.state == "offered"


@pytest.mark.django_db
def test_a_whole_call_in_one_batch(post_events, agent_a):
    batch = {"events": [OFFER, event(2, "answered", 15, agent="8001"), event(3, "ended", 195, wrap_up_seconds=30),
                        event(4, "recording_ready", 200, recording_url="https://rec.example.cn/call-1.wav")]}
    response = post_events(batch)
    assert [r["status"] for r in response.json()["results"]] == ["applied"] * 4
    contact = Contact.objects.get(call_id="call-1")
    assert (contact.agent, contact.wait_seconds, contact.talk_seconds, contact.wrap_up_seconds,
            contact.handle_seconds) == (agent_a, 15, 180, 30, 210)
    assert contact.recording_url == "https://rec.example.cn/call-1.wav" and contact.state == "completed"


@pytest.mark.django_db
@pytest.mark.parametrize("headers, code", [
    ({}, "signature_missing"),
    ({"X-Kefu-Timestamp": "now", "X-Kefu-Signature": "sha256=00"}, "signature_invalid"),
])
def test_unsigned_requests_are_refused(telephony_secret, headers, code):
    response = signed_post(Client(), OFFER, headers=headers)
    assert response.status_code == 401 and response.json()["error"]["code"] == code
    assert not TelephonyEvent.objects.exists()


@pytest.mark.django_db
def test_a_bad_signature_is_refused(telephony_secret):
    response = signed_post(Client(), OFFER, secret="someone-else")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "signature_invalid" and error["message"] and error["message_en"]
    body = json.dumps(OFFER).encode()
    tampered = signed_post(Client(), None, body=body.replace(b"call-1", b"call-2"),
                           headers=signed_headers(SECRET, body, now=time.time()))
    assert tampered.status_code == 401 and not Contact.objects.exists()


@pytest.mark.django_db
def test_an_old_or_future_request_is_refused_as_a_replay(telephony_secret):
    for skew in (-301, 301):
        response = signed_post(Client(), OFFER, now=time.time() + skew)
        assert response.status_code == 401 and response.json()["error"]["code"] == "signature_expired"
    assert signed_post(Client(), OFFER, now=time.time() - 290).status_code == 200


@pytest.mark.django_db
def test_the_replay_window_is_a_tunable(telephony_secret):
    Setting.objects.create(key="contacts.telephony_max_age_seconds", value=60)
    assert signed_post(Client(), OFFER, now=time.time() - 120).status_code == 401


@pytest.mark.django_db
def test_the_secret_may_come_from_the_tunable(monkeypatch):
    monkeypatch.delenv("KEFU_TELEPHONY_SECRET", raising=False)
    response = signed_post(Client(), OFFER)
    assert response.status_code == 503 and response.json()["error"]["code"] == "telephony_not_configured"
    Setting.objects.create(key="contacts.telephony_secret", value="from-the-admin")
    assert signed_post(Client(), OFFER, secret="from-the-admin").status_code == 200


@pytest.mark.django_db
def test_an_unknown_event_type_is_refused_and_nothing_of_the_batch_is_kept(post_events):
    response = post_events({"events": [OFFER, event(2, "exploded", 10)]})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unknown_event_type" and error["field"] == "events[1].type"
    assert "exploded" in error["fields"][0]["message_en"]
    assert not TelephonyEvent.objects.exists() and not Contact.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("payload, field", [
    ({**OFFER, "timestamp": "yesterday"}, "timestamp"),
    ({**OFFER, "id": ""}, "id"),
    ({k: v for k, v in OFFER.items() if k != "call_id"}, "call_id"),
    ({**OFFER, "direction": "sideways"}, "direction"),
    ({**OFFER, "recording_url": "javascript:alert(1)"}, "recording_url"),
    ({**OFFER, "colour": "blue"}, "colour"),
    ({"events": []}, "events"),
    ({"events": [OFFER] * 1001}, "events"),
    ([1, 2], "event"),
])
def test_bad_events_are_refused_clearly(post_events, payload, field):
    response = post_events(payload)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == field
    assert not TelephonyEvent.objects.exists()


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_refused(post_events):
    response = post_events(None, body=b"{not json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "parse_error"
    response = post_events(None, body="\xff".encode("latin-1"))
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_repeated_event_changes_nothing(post_events):
    first = post_events(OFFER).json()["results"][0]
    contact = Contact.objects.get()
    again = post_events({**OFFER, "timestamp": "2026-03-02T08:00:00+08:00"}).json()["results"][0]
    assert again == {"event_id": "evt-1", "status": "duplicate", "contact": first["contact"], "warnings": []}
    assert TelephonyEvent.objects.count() == 1
    contact_again = Contact.objects.get()
    assert contact_again.offered_at == contact.offered_at and contact_again.updated_at == contact.updated_at


@pytest.mark.django_db
def test_reordered_events_build_the_right_contact(post_events, agent_a):
    """The PBX sends the end first, then the answer, then the offer: the contact is right in the end, and
    meanwhile it says that its offer is missing."""
    ended = post_events(event(3, "ended", 195)).json()["results"][0]
    assert ended["warnings"] == ["call_not_offered_yet"]
    answered = post_events(event(2, "answered", 15, agent="8001")).json()["results"][0]
    assert answered["contact"] == ended["contact"]
    contact = Contact.objects.get()
    assert contact.missing_offer and contact.state == "completed"
    assert post_events(OFFER).json()["results"][0]["warnings"] == []
    contact.refresh_from_db()
    assert not contact.missing_offer and (contact.wait_seconds, contact.talk_seconds) == (15, 180)
    assert contact.agent == agent_a and Contact.objects.count() == 1


@pytest.mark.django_db
def test_an_event_for_an_unknown_call_is_kept_and_reported(post_events, client, make_user):
    result = post_events(event(9, "recording_ready", 300, recording_url="https://rec.example.cn/x.wav"))
    assert result.status_code == 200 and result.json()["results"][0]["warnings"] == ["call_not_offered_yet"]
    client.force_login(make_user("supervisor"))
    page = client.get("/contacts/?incomplete=on")
    assert page.status_code == 200 and 'class="badge incomplete"' in page.content.decode()
    assert Contact.objects.filter(missing_offer=True).count() == 1


@pytest.mark.django_db
def test_live_events_move_the_agent_and_after_call_work_counts_in_handle_time(post_events, agent_a):
    import time_machine

    now = parse_timestamp("2026-03-02T09:00:00+08:00")
    with time_machine.travel(now, tick=False):
        services.agent_state_set(actor=agent_a, state="ready")
        post_events({"events": [OFFER, event(2, "answered", 15, agent="8001")]}, now=now.timestamp())
        status = AgentStatus.objects.get(user=agent_a)
        assert status.state == "on_call" and status.contact.call_id == "call-1"
        post_events(event(3, "ended", 195), now=now.timestamp())
        status.refresh_from_db()
        assert status.state == "after_call_work"
    with time_machine.travel(parse_timestamp("2026-03-02T09:03:40+08:00"), tick=False):
        services.agent_state_set(actor=agent_a, state="ready")  # 25 s of after-call work
    contact = Contact.objects.get()
    assert (contact.talk_seconds, contact.wrap_up_seconds, contact.handle_seconds) == (180, 25, 205)
    # Every transition is in the history, at the moment it happened (workforce reports read durations).
    states = list(AgentStatus.history.filter(user=agent_a).order_by("history_date").values_list(
        "state", "history_date"))
    assert [state for state, _at in states][-3:] == ["on_call", "after_call_work", "ready"]
    assert states[-3][1] == parse_timestamp("2026-03-02T09:00:15+08:00")
    assert states[-2][1] == parse_timestamp("2026-03-02T09:03:15+08:00")
    # A late event does not undo the after-call work already counted.
    post_events(event(4, "recording_ready", 210, recording_url="https://rec.example.cn/1.wav"))
    contact.refresh_from_db()
    assert contact.handle_seconds == 205


@pytest.mark.django_db(transaction=True)
def test_an_offered_call_reaches_the_workbench_hook_after_commit(post_events, agent_a):
    seen = []

    def listener(contact, agent):
        seen.append((contact.call_id, agent))

    services.OFFER_LISTENERS.append(listener)
    try:
        post_events({"events": [OFFER, event(2, "offered", 8, agent="8001"), event(3, "answered", 15)]})
    finally:
        services.OFFER_LISTENERS.remove(listener)  # the workbench's own listener stays
    assert seen == [("call-1", None), ("call-1", agent_a)]


@pytest.mark.django_db
def test_the_endpoint_needs_no_login_but_only_post(telephony_secret):
    assert Client().get(URL).status_code == 405


@pytest.mark.django_db
def test_a_batch_of_several_calls_answers_in_its_own_order(post_events):
    def other(number, kind, seconds):
        return {**event(number, kind, seconds), "call_id": "call-2"}

    batch = {"events": [OFFER, other(11, "offered", 1), event(2, "ended", 30), other(12, "ended", 4), OFFER]}
    results = post_events(batch).json()["results"]
    assert [(r["event_id"], r["status"]) for r in results] == [
        ("evt-1", "applied"), ("evt-11", "applied"), ("evt-2", "applied"), ("evt-12", "applied"),
        ("evt-1", "duplicate")]
    one, two = Contact.objects.get(call_id="call-1"), Contact.objects.get(call_id="call-2")
    assert [r["contact"] for r in results] == [one.pk, two.pk, one.pk, two.pk, one.pk]
    assert (one.state, one.wait_seconds, two.state, two.wait_seconds) == ("abandoned", 30, "abandoned", 3)


def test_only_lock_conflicts_are_retried():
    from django.db import OperationalError

    class Deadlock(Exception):
        sqlstate = "40P01"

    def wrapped(cause):
        error = OperationalError("boom")
        error.__cause__ = cause
        return error

    assert services._retryable(wrapped(Deadlock()))
    assert services._retryable(OperationalError("database is locked"))
    assert not services._retryable(wrapped(ValueError("no such table")))
