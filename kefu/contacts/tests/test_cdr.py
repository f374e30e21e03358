"""R3.6: call detail records. tests/fixtures/Master.csv is Asterisk's cdr_csv output for 3 March 2026
(8 rows, 7 calls; Shanghai time). Hand-checked:

| row | uniqueid | what | queue | agent | wait | talk |
| 1 | 1772503200.16 | answered 10:00:15, recording in userfield | support | 8001 | 15 | 240 |
| 2–3 | 1772503500.18 | ring-all: 8001 NO ANSWER, 8002 ANSWERED 10:05:25 → one call | support | 8002 | 25 | 180 |
| 4 | 1772504100.21 | Queue() answered, no agent, caller left at 10:10:40 → abandoned | support | — | 40 | — |
| 5 | 1772504400.22 | NO ANSWER after 4 s → short abandon | support | — | 4 | — |
| 6 | 1772504700.23 | Playback only → IVR self-service | — | — | — | — |
| 7 | 1772505600.24 | dcontext from-internal → outbound from 8001 to 13812345678 | — | 8001 | — | 120 |
| 8 | 1772505900.26 | answered 10:45:05 | billing | 8002 | 5 | 60 |
"""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from kefu.contacts import cdr, figures
from kefu.contacts.models import CdrImport, Contact, Queue

from .conftest import FIXTURES, local

MASTER = (FIXTURES / "Master.csv").read_bytes()
DAY = (local(2026, 3, 3), local(2026, 3, 4))


def run(content: bytes = MASTER, fmt: str = "asterisk-csv", dry_run: bool = False):
    return cdr.cdr_import(actor=None, filename="Master.csv", content=content, fmt=fmt, dry_run=dry_run)


@pytest.mark.django_db
def test_master_csv_imports_into_the_right_contacts(agent_a, agent_b, customer):
    report, log = run()
    assert report.ok and (report.total_rows, len(report.calls), report.created, report.skipped) == (8, 7, 7, 0)
    assert (log.created_count, log.calls, log.errors) == (7, 7, [])
    calls = {c.call_id: c for c in Contact.objects.select_related("queue")}
    one = calls["1772503200.16"]
    assert (one.channel, one.state, one.source) == ("inbound_call", "completed", "cdr")
    assert (one.offered_at, one.answered_at, one.ended_at) == (local(2026, 3, 3, 10, 0), local(2026, 3, 3, 10, 0, 15),
                                                              local(2026, 3, 3, 10, 4, 15))
    assert (one.wait_seconds, one.talk_seconds, one.agent, one.queue.code) == (15, 240, agent_a, "support")
    assert one.customer == customer and one.recording_url.endswith("1772503200.16.wav")
    two = calls["1772503500.18"]
    assert (two.agent, two.wait_seconds, two.talk_seconds) == (agent_b, 25, 180)
    assert (calls["1772504100.21"].state, calls["1772504100.21"].wait_seconds, calls["1772504100.21"].agent) == (
        "abandoned", 40, None)
    assert (calls["1772504400.22"].state, calls["1772504400.22"].wait_seconds) == ("abandoned", 4)
    assert calls["1772504700.23"].channel == "ivr" and calls["1772504700.23"].state == "completed"
    outbound = calls["1772505600.24"]
    assert (outbound.channel, outbound.agent, outbound.customer, outbound.talk_seconds) == (
        "outbound_call", agent_a, customer, 120)
    assert calls["1772505900.26"].queue.code == "billing"


@pytest.mark.django_db
def test_master_csv_gives_the_right_figures(agent_a, agent_b):
    run()
    result = figures.call_figures(start=DAY[0], end=DAY[1], group_by=("queue", "interval"), interval_minutes=30,
                                  target_seconds=20, short_abandon_seconds=5)
    support, billing = Queue.objects.get(code="support").pk, Queue.objects.get(code="billing").pk
    rows = {(r.queue_id, r.interval_start.strftime("%H:%M")): r for r in result.rows}
    assert set(rows) == {(support, "10:00"), (billing, "10:30")}
    s = rows[(support, "10:00")]
    assert (s.offered, s.short_abandoned, s.answered, s.abandoned, s.answered_within_target) == (3, 1, 2, 1, 1)
    assert s.answer_rate == pytest.approx(2 / 3) and s.service_level == pytest.approx(1 / 3)
    assert s.average_speed_of_answer == 20 and s.average_talk == 210  # (15 + 25) / 2, (240 + 180) / 2
    b = rows[(billing, "10:30")]
    assert (b.offered, b.answered, b.service_level, b.average_speed_of_answer, b.average_talk) == (1, 1, 1.0, 5, 60)
    total = result.total  # IVR and outbound calls are not offered to the agents
    assert (total.offered, total.answered, total.abandoned, total.short_abandoned) == (4, 3, 1, 1)
    assert total.answer_rate == 0.75 and total.service_level == 0.5 and total.abandon_rate == 0.25
    assert total.average_speed_of_answer == 15 and total.average_talk == 160


@pytest.mark.django_db
def test_importing_again_changes_nothing():
    run()
    report, _log = run()
    assert (report.created, report.skipped) == (0, 7) and Contact.objects.count() == 7


@pytest.mark.django_db
def test_a_gbk_file_imports_the_same(agent_a):
    text = MASTER.decode("utf-8")
    assert "张记餐饮" in text
    report, _log = run(text.encode("gbk"))
    assert report.ok and report.created == 7
    assert Contact.objects.get(call_id="1772503200.16").agent == agent_a


@pytest.mark.django_db
def test_a_file_that_is_neither_utf8_nor_gbk_is_refused_with_its_line():
    content = MASTER + b'"",\xff\xfe\xff\n'
    with pytest.raises(cdr.CdrFileError) as caught:
        run(content)
    assert "line 9" in caught.value.message_en and caught.value.message_zh
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_a_wrong_column_count_is_reported_per_row_and_nothing_is_imported():
    lines = MASTER.decode().splitlines()
    lines[3] = lines[3].rsplit(",", 6)[0]  # row 4 loses its last 6 columns
    lines.append('"","1","2"')
    report, log = run("\n".join(lines).encode())
    assert not report.ok
    assert [(e.row, e.field) for e in report.errors] == [(4, None), (9, None)]
    assert "found 12" in report.errors[0].message_en and "found 3" in report.errors[1].message_en
    assert Contact.objects.count() == 0 and log.dry_run and len(log.errors) == 2


@pytest.mark.django_db
def test_bad_cells_are_reported_with_their_field():
    lines = MASTER.decode().splitlines()
    lines[0] = lines[0].replace('"2026-03-03 10:00:15"', '"3 March"').replace('"ANSWERED"', '"MAYBE"')
    report, _log = run("\n".join(lines).encode())
    assert [(e.row, e.field) for e in report.errors] == [(1, "answer"), (1, "disposition")]


@pytest.mark.django_db
def test_kefu_import_cdr_command(tmp_path, agent_a):
    path = tmp_path / "Master.csv"
    path.write_bytes(MASTER)
    out = io.StringIO()
    call_command("import-cdr", str(path), "--format", "asterisk-csv", "--dry-run", stdout=out)
    assert "dry run" in out.getvalue() and not Contact.objects.exists()
    out = io.StringIO()
    call_command("import-cdr", str(path), "--format", "asterisk-csv", stdout=out)
    assert "8 rows, 7 calls: 7 imported, 0 already there." in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b'"","1","2"\n')
    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import-cdr", str(bad), "--format", "asterisk-csv", stdout=out)
    assert "row 1" in out.getvalue()
    assert CdrImport.objects.count() == 3


GENERIC = """call_id,direction,caller,called,queue,agent,offered_at,answered_at,ended_at,outcome,recording_url,\
wrap_up_seconds
g-1,inbound,138-1234-5678,4008208820,support,1001,2026-03-04 08:00:00,2026-03-04 08:00:10,2026-03-04 08:05:10,,https://rec.example.cn/g-1.wav,20
g-2,inbound,13900001111,4008208820,support,,2026-03-04T08:01:00+08:00,,2026-03-04T08:01:30+08:00,abandoned,,
g-3,outbound,8001,13812345678,,8001,2026-03-04 08:10:00,,2026-03-04 08:10:40,,,
g-4,inbound,13500004444,4008208820,,,2026-03-04 08:20:00,,2026-03-04 08:21:00,ivr,,
"""


@pytest.mark.django_db
def test_the_generic_csv(agent_a, customer):
    report, _log = run(GENERIC.encode(), fmt="generic-csv")
    assert report.ok and report.created == 4
    calls = {c.call_id: c for c in Contact.objects.all()}
    one = calls["g-1"]
    assert (one.agent, one.customer, one.wait_seconds, one.talk_seconds, one.wrap_up_seconds, one.handle_seconds) == (
        agent_a, customer, 10, 300, 20, 320)  # agent by work number 1001
    assert (calls["g-2"].state, calls["g-2"].wait_seconds) == ("abandoned", 30)
    assert (calls["g-3"].channel, calls["g-3"].state, calls["g-3"].agent) == ("outbound_call", "not_answered",
                                                                             agent_a)
    assert calls["g-4"].channel == "ivr"


@pytest.mark.django_db
def test_the_generic_csv_reports_bad_rows():
    content = GENERIC.replace("g-2,", "g-1,").replace("2026-03-04 08:10:00", "soon") + "g-9,inbound\n"
    report, _log = run(content.encode(), fmt="generic-csv")
    assert [(e.row, e.field) for e in report.errors] == [(3, "call_id"), (4, "offered_at"), (6, None)]
    assert Contact.objects.count() == 0
    with pytest.raises(cdr.CdrFileError, match="colour"):
        run(b"call_id,offered_at,colour\n1,2026-03-04 08:00:00,red\n", fmt="generic-csv")


@pytest.mark.django_db
def test_the_import_api_and_page(make_user):
    supervisor, agent = make_user("supervisor"), make_user("agent")
    client = Client()
    client.force_login(agent)
    upload = io.BytesIO(MASTER)
    upload.name = "Master.csv"
    assert client.post("/api/v1/cdr-imports/", {"file": upload, "format": "asterisk-csv"}).status_code == 403
    client.force_login(supervisor)
    upload.seek(0)
    response = client.post("/api/v1/cdr-imports/", {"file": upload, "format": "asterisk-csv"})
    assert response.status_code == 201 and response.json()["created_count"] == 7
    bad = io.BytesIO(b'"","1"\n')
    bad.name = "bad.csv"
    response = client.post("/api/v1/cdr-imports/", {"file": bad, "format": "asterisk-csv"})
    assert response.status_code == 400 and response.json()["errors"][0]["row"] == 1
    upload.seek(0)
    page = client.post("/contacts/cdr-imports/", {"file": upload, "format": "asterisk-csv"})
    assert page.status_code == 200 and 'id="cdr-report"' in page.content.decode()
    assert Contact.objects.count() == 7
