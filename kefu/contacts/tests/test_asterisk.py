"""R3.6: a recorded Asterisk AMI event log (tests/fixtures/asterisk_ami_2026-03-02.log: 7 calls on 2 March
2026, 09:00–09:53 Shanghai time) replayed into the right contacts and figures. Expected values are worked
out by hand from the log:

| call | linkedid | offered | queued | answered | ended | queue | agent | wait | talk |
| 1 | 1772413200.1  | 09:00:00 | 09:00:08 | 09:00:20 | 09:03:20 | support | 8001 | 12 | 180 |
| 2 | 1772413500.3  | 09:05:00 | 09:05:05 | 09:05:35 | 09:10:35 | support | 8002 ¹ | 30 | 300 |
| 3 | 1772413920.6  | 09:12:00 | 09:12:03 | — (abandoned) | 09:12:48 | support | — | 45 | — |
| 4 | 1772414400.8  | 09:20:00 | 09:20:01 | — (abandoned) | 09:20:04 | support | — | 3 (short) | — |
| 5 | 1772415060.10 | 09:31:00 | 09:31:02 | 09:31:07 | 09:33:07 | support | 8001 | 5 | 120 |
| 6 | 1772415600.12 | 09:40:00 | 09:40:01 | 09:40:21 | 09:41:21 | billing | 8002 | 20 | 60 |
| 7 | 1772416200.14 | 09:50:00 outbound from 8001 to 13812345678 | — | 09:50:10 | 09:52:10 | — | 8001 | — | 120 |

¹ rang 8001 too; 30 s on hold.
"""

import io
import random
import socket
import threading

import pytest
from django.core.management import CommandError, call_command

from kefu.contacts import figures, services
from kefu.contacts.models import Contact, Queue, TelephonyEvent
from kefu.contacts.telephony import asterisk

from .conftest import FIXTURES, local

LOG = FIXTURES / "asterisk_ami_2026-03-02.log"
DAY = (local(2026, 3, 2), local(2026, 3, 3))


def ami_events():
    with LOG.open(encoding="utf-8", newline="") as handle:
        messages = list(asterisk.parse_ami(handle))
    return [e for e in (asterisk.ami_to_event(m) for m in messages) if e is not None], messages


def replay(events) -> list:
    return services.telephony_events_ingest(events=events, live=False)


def test_the_log_parses_into_ami_messages():
    events, messages = ami_events()
    assert sum("Event" in m for m in messages) == 76
    assert messages[0] == {"Response": "Success", "Message": "Authentication accepted"}
    kinds = [e.kind for e in events]
    assert kinds.count("ended") == 7 and kinds.count("abandoned") == 2 and kinds.count("queued") == 6
    assert {e.call_id for e in events} == {"1772413200.1", "1772413500.3", "1772413920.6", "1772414400.8",
                                          "1772415060.10", "1772415600.12", "1772416200.14"}
    assert len({e.event_id for e in events}) == len(events)


def test_channel_names_give_the_agent_extension():
    assert asterisk.extension_of("PJSIP/8001-0000002a") == "8001"
    assert asterisk.extension_of("SIP/8002-00000001") == "8002"
    assert asterisk.extension_of("Local/8003@agents-00000001;1") == "8003"
    assert asterisk.extension_of("PJSIP/trunk-cn-00000001") == ""


def test_a_log_without_timestamps_is_refused():
    message = {"Event": "Hangup", "Uniqueid": "1.1", "Linkedid": "1.1", "Channel": "PJSIP/x-1"}
    with pytest.raises(asterisk.AmiError, match="timestampevents"):
        asterisk.ami_to_event(message)


@pytest.mark.django_db
def test_the_log_replays_into_the_right_contacts(agent_a, agent_b, customer):
    events, _messages = ami_events()
    results = replay(events)
    assert {r.status for r in results} == {"applied"}
    assert Contact.objects.count() == 7
    calls = {c.call_id: c for c in Contact.objects.select_related("queue", "agent", "customer")}

    one = calls["1772413200.1"]
    assert one.channel == "inbound_call" and one.state == "completed" and one.source == "telephony"
    times = [t.replace(microsecond=0) for t in (one.offered_at, one.queued_at, one.answered_at, one.ended_at)]
    assert times == [local(2026, 3, 2, 9, 0, 0), local(2026, 3, 2, 9, 0, 8), local(2026, 3, 2, 9, 0, 20),
                     local(2026, 3, 2, 9, 3, 20)]
    assert (one.wait_seconds, one.talk_seconds, one.handle_seconds) == (12, 180, 180)
    assert one.queue.code == "support" and one.agent == agent_a and one.agent_extension == "8001"
    assert one.caller_number == "13812345678" and one.called_number == "4008208820"
    assert one.customer == customer  # matched by the caller's number (R2.2)
    assert not one.missing_offer

    two = calls["1772413500.3"]
    assert (two.agent, two.wait_seconds, two.talk_seconds, two.hold_seconds) == (agent_b, 30, 300, 30)
    assert two.customer is None

    three = calls["1772413920.6"]
    assert (three.state, three.wait_seconds, three.agent, three.answered_at) == ("abandoned", 45, None, None)
    four = calls["1772414400.8"]
    assert (four.state, four.wait_seconds) == ("abandoned", 3)
    assert (calls["1772415060.10"].wait_seconds, calls["1772415060.10"].talk_seconds) == (5, 120)
    six = calls["1772415600.12"]
    assert (six.queue.code, six.agent, six.wait_seconds, six.talk_seconds) == ("billing", agent_b, 20, 60)

    seven = calls["1772416200.14"]
    assert seven.channel == "outbound_call" and seven.state == "completed"
    assert (seven.agent, seven.caller_number, seven.called_number) == (agent_a, "8001", "13812345678")
    assert seven.customer == customer and seven.talk_seconds == 120 and seven.queue is None
    assert set(Queue.objects.values_list("code", flat=True)) == {"support", "billing"}


@pytest.mark.django_db
def test_the_log_replays_into_the_right_figures(agent_a, agent_b):
    replay(ami_events()[0])
    result = figures.call_figures(start=DAY[0], end=DAY[1], group_by=("queue", "interval"), interval_minutes=30,
                                  target_seconds=20, short_abandon_seconds=5)
    support, billing = Queue.objects.get(code="support").pk, Queue.objects.get(code="billing").pk
    rows = {(r.queue_id, r.interval_start.strftime("%H:%M")): r for r in result.rows}
    assert set(rows) == {(support, "09:00"), (support, "09:30"), (billing, "09:30")}
    early = rows[(support, "09:00")]
    # calls 1–4: call 4 is a short abandon (3 s ≤ 5 s), left out; call 3 abandoned after 45 s.
    assert (early.offered, early.short_abandoned, early.answered, early.abandoned) == (3, 1, 2, 1)
    assert early.answered_within_target == 1  # call 1 (12 s); call 2 waited 30 s
    assert early.answer_rate == pytest.approx(2 / 3) and early.service_level == pytest.approx(1 / 3)
    assert early.abandon_rate == pytest.approx(1 / 3)
    assert early.average_speed_of_answer == 21  # (12 + 30) / 2
    assert early.average_talk == 240 and early.average_handle == 240  # (180 + 300) / 2, no after-call work
    late = rows[(support, "09:30")]
    assert (late.offered, late.answered, late.answered_within_target, late.average_speed_of_answer,
            late.average_talk) == (1, 1, 1, 5, 120)
    bill = rows[(billing, "09:30")]
    assert (bill.offered, bill.answered_within_target, bill.service_level) == (1, 1, 1.0)  # 20 s is within 20 s
    total = result.total  # the outbound call 7 is not an offered call
    assert (total.offered, total.short_abandoned, total.answered, total.abandoned) == (5, 1, 4, 1)
    assert total.answer_rate == 0.8 and total.service_level == 0.6 and total.abandon_rate == 0.2
    assert total.average_speed_of_answer == 16.75  # (12 + 30 + 5 + 20) / 4
    assert total.average_talk == 165  # (180 + 300 + 120 + 60) / 4

    quarter = figures.call_figures(start=DAY[0], end=DAY[1], group_by=("queue", "interval"), interval_minutes=15,
                                   target_seconds=20, short_abandon_seconds=5)
    quarters = {(r.queue_id, r.interval_start.strftime("%H:%M")): (r.offered, r.short_abandoned) for r in quarter.rows}
    assert quarters[(support, "09:00")] == (3, 0) and quarters[(support, "09:15")] == (0, 1)

    per_agent = figures.call_figures(start=DAY[0], end=DAY[1], group_by=("agent",), target_seconds=20,
                                     short_abandon_seconds=5)
    agents = {r.agent_id: r for r in per_agent.rows}
    assert (agents[agent_a.pk].answered, agents[agent_a.pk].average_speed_of_answer,
            agents[agent_a.pk].average_talk) == (2, 8.5, 150)
    assert (agents[agent_b.pk].answered, agents[agent_b.pk].average_speed_of_answer,
            agents[agent_b.pk].average_talk) == (2, 25, 180)
    assert (agents[None].offered, agents[None].abandoned, agents[None].short_abandoned) == (1, 1, 1)

    # The workforce forecast's history: offered calls per queue and interval.
    volumes = figures.queue_interval_volumes(start=DAY[0], end=DAY[1], interval_minutes=30)
    assert {code: [(at.strftime("%H:%M"), n) for at, n in rows] for code, rows in volumes.items()} == {
        "support": [("09:00", 3), ("09:30", 1)], "billing": [("09:30", 1)]}

    # Every abandon counts when the short-abandon threshold is 0; a 30-second target takes call 2 in.
    wide = figures.call_figures(start=DAY[0], end=DAY[1], target_seconds=30, short_abandon_seconds=0).total
    assert (wide.offered, wide.abandoned, wide.short_abandoned, wide.answered_within_target) == (6, 2, 0, 4)


@pytest.mark.django_db
def test_replaying_again_or_in_another_order_changes_nothing(agent_a, agent_b):
    events, _messages = ami_events()
    replay(events)
    snapshot = sorted(Contact.objects.values_list("call_id", "state", "offered_at", "answered_at", "ended_at",
                                                  "wait_seconds", "talk_seconds", "hold_seconds", "agent_id"))
    assert {r.status for r in replay(events)} == {"duplicate"}
    assert TelephonyEvent.objects.count() == len(events)
    Contact.objects.all().delete()
    TelephonyEvent.objects.all().delete()
    shuffled = list(events)
    random.Random(6).shuffle(shuffled)
    for event in reversed(shuffled):
        services.telephony_event_ingest(event=event)
    assert sorted(Contact.objects.values_list("call_id", "state", "offered_at", "answered_at", "ended_at",
                                              "wait_seconds", "talk_seconds", "hold_seconds", "agent_id")) == snapshot


@pytest.mark.django_db
def test_kefu_telephony_replay_command(agent_a, agent_b):
    out = io.StringIO()
    call_command("telephony", "replay", str(LOG), stdout=out)
    assert "applied" in out.getvalue() and Contact.objects.count() == 7
    out = io.StringIO()
    call_command("telephony", "replay", str(LOG), stdout=out)
    assert "0 applied" in out.getvalue() and Contact.objects.count() == 7


@pytest.mark.django_db
def test_the_replay_command_refuses_a_log_without_timestamps(tmp_path):
    log = tmp_path / "old.log"
    log.write_text("Event: Hangup\nUniqueid: 1.1\nLinkedid: 1.1\nChannel: SIP/trunk-1\n\n", encoding="utf-8")
    with pytest.raises(CommandError, match="timestampevents"):
        call_command("telephony", "replay", str(log))
    assert Contact.objects.count() == 0


@pytest.mark.django_db
def test_the_replay_command_reads_generic_json_lines(tmp_path):
    log = tmp_path / "events.jsonl"
    log.write_text('{"id": "e1", "type": "offered", "call_id": "c1", "timestamp": "2026-03-02T09:00:00+08:00", '
                   '"caller": "+86 138 1234 5678", "queue": "support"}\n'
                   '{"id": "e2", "type": "ended", "call_id": "c1", "timestamp": "2026-03-02T09:00:09+08:00"}\n',
                   encoding="utf-8")
    call_command("telephony", "replay", str(log), "--format", "json", stdout=io.StringIO())
    contact = Contact.objects.get(call_id="c1")
    assert (contact.caller_number, contact.state, contact.wait_seconds) == ("13812345678", "abandoned", 9)


class FakeAmi(threading.Thread):
    """A one-connection AMI server that checks the login and then plays the recorded log."""

    def __init__(self, payload: bytes):
        super().__init__(daemon=True)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.payload = payload
        self.login = b""

    def run(self):
        conn, _addr = self.server.accept()
        with conn:
            conn.sendall(b"Asterisk Call Manager/5.0.2\r\n")
            while b"\r\n\r\n" not in self.login:
                self.login += conn.recv(4096)
            conn.sendall(b"Response: Success\r\nMessage: Authentication accepted\r\n\r\n")
            conn.sendall(self.payload)
        self.server.close()


@pytest.mark.django_db(transaction=True)
def test_kefu_telephony_listen_reads_a_live_ami_connection(agent_a, agent_b, monkeypatch):
    body = LOG.read_bytes().split(b"Authentication accepted\r\n\r\n", 1)[1]
    server = FakeAmi(body)
    server.start()
    monkeypatch.setenv("KEFU_AMI_SECRET", "ami-secret")
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("telephony", "listen", "--port", str(server.port), "--username", "kefu", stderr=err)
    server.join(5)
    assert b"Username: kefu" in server.login and b"Secret: ami-secret" in server.login
    assert Contact.objects.count() == 7
    one = Contact.objects.get(call_id="1772413200.1")
    assert (one.wait_seconds, one.talk_seconds, one.agent_id) == (12, 180, agent_a.pk)
    assert "closed after" in err.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_replay_command_can_go_through_the_endpoint(live_server, agent_a, agent_b, telephony_secret):
    out = io.StringIO()
    call_command("telephony", "replay", str(LOG), "--url", f"{live_server.url}/api/v1/telephony/events",
                 "--batch", "20", stdout=out)
    assert "0 already there" in out.getvalue() and Contact.objects.count() == 7
    assert Contact.objects.get(call_id="1772413500.3").hold_seconds == 30
    out = io.StringIO()
    call_command("telephony", "replay", str(LOG), "--url", f"{live_server.url}/api/v1/telephony/events", stdout=out)
    assert "0 applied" in out.getvalue()
