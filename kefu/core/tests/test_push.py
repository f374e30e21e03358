"""kefu.core.push: the outbox, its server-sent-events stream (LISTEN/NOTIFY on PostgreSQL, polling elsewhere),
resuming after Last-Event-ID, the bounded stream and pruning."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client

from kefu.core import clock, push
from kefu.core.models import PushMessage, Setting


def events_of(chunks) -> list[tuple[int, str]]:
    """(id, event name) of each message in a stream's output."""
    found = []
    for block in "".join(chunks).split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "id" in lines:
            found.append((int(lines["id"]), lines["event"]))
    return found


@pytest.fixture
def quick_stream(settings):
    settings.KEFU_PUSH_STREAM_SECONDS = 0.4
    settings.KEFU_PUSH_HEARTBEAT_SECONDS = 0.15
    settings.KEFU_PUSH_POLL_SECONDS = 0.05
    return settings


def stream_output(client: Client, **extra) -> list[str]:
    response = client.get("/contacts/workbench/stream/", **extra)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"].startswith("no-cache")
    return [chunk.decode() for chunk in response.streaming_content]


@pytest.mark.django_db(transaction=True)
def test_a_user_gets_only_his_own_messages_and_the_stream_ends_by_itself(make_user, quick_stream):
    one, other = make_user("agent"), make_user("agent")
    first = Client()
    first.force_login(one)
    push.push(user_id=one.pk, kind="test.hello", payload={"n": 1})
    push.push(user_id=other.pk, kind="test.hello", payload={"n": 2})
    push.push(user_id=one.pk, kind="test.bye", payload={"n": 3})
    started = time.monotonic()
    chunks = stream_output(first, QUERY_STRING="after=0")
    assert time.monotonic() - started < 3  # bounded: EventSource reconnects by itself
    mine = list(PushMessage.objects.filter(user=one).order_by("id").values_list("id", flat=True))
    assert events_of(chunks) == [(mine[0], "test.hello"), (mine[1], "test.bye")]
    assert chunks[0].startswith("retry:") and any(c.startswith(": heartbeat") for c in chunks)
    assert '"payload": {"n": 3}' in "".join(chunks) and '"n": 2' not in "".join(chunks)


@pytest.mark.django_db(transaction=True)
def test_a_reconnect_resumes_after_last_event_id(make_user, quick_stream):
    agent = make_user("agent")
    client = Client()
    client.force_login(agent)
    for n in range(3):
        push.push(user_id=agent.pk, kind="test.n", payload={"n": n})
    ids = list(PushMessage.objects.order_by("id").values_list("id", flat=True))
    assert [i for i, _kind in events_of(stream_output(client, HTTP_LAST_EVENT_ID=str(ids[0])))] == ids[1:]
    # The browser's Last-Event-ID wins over the ?after= the page was rendered with.
    assert [i for i, _kind in events_of(stream_output(client, HTTP_LAST_EVENT_ID=str(ids[1]),
                                                      QUERY_STRING="after=0"))] == ids[2:]
    # A new stream without either starts at the latest message: nothing old is replayed.
    assert events_of(stream_output(client)) == []


@pytest.mark.django_db
def test_the_stream_needs_the_workbench_permission(make_user):
    client = Client()
    client.force_login(make_user("qa_inspector"))
    assert client.get("/contacts/workbench/stream/").status_code == 403
    assert Client().get("/contacts/workbench/stream/").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_a_message_written_by_another_thread_wakes_a_waiting_stream(make_user, settings):
    """The listener (a stream, as a server thread runs it) waits; a writer in another thread commits a message.
    On PostgreSQL only NOTIFY can wake the stream here (no polling, the heartbeat is far away); elsewhere the
    poll finds it."""
    settings.KEFU_PUSH_HEARTBEAT_SECONDS = 30
    settings.KEFU_PUSH_POLL_SECONDS = 0.05
    agent, other = make_user("agent"), make_user("agent")
    received: list[tuple[float, str]] = []

    def listen():
        try:
            for chunk in push.event_stream(user_id=agent.pk, after=push.latest_id(agent.pk), max_seconds=4):
                received.append((time.monotonic(), chunk))
                if chunk.startswith("id:"):
                    return
        finally:
            connection.close()

    listener = threading.Thread(target=listen)
    listener.start()
    time.sleep(0.8)  # the stream has listened (or polled) and is waiting
    push.push(user_id=other.pk, kind="test.other")  # someone else's message does not wake it up for nothing
    sent = time.monotonic()
    with transaction.atomic():
        push.push(user_id=agent.pk, kind="contacts.offered", payload={"contact": 7})
    listener.join(timeout=6)
    assert not listener.is_alive()
    messages = [(at, chunk) for at, chunk in received if chunk.startswith("id:")]
    assert len(messages) == 1 and '"contact": 7' in messages[0][1]
    assert messages[0][0] - sent < 1.0


@pytest.mark.django_db(transaction=True)
def test_nothing_is_pushed_for_a_rolled_back_cause(make_user):
    agent = make_user("agent")
    with pytest.raises(RuntimeError), transaction.atomic():
        push.push(user_id=agent.pk, kind="test.lost")
        raise RuntimeError
    with pytest.raises(RuntimeError), transaction.atomic(), push.batch():
        push.push(user_id=agent.pk, kind="test.lost")
        raise RuntimeError
    assert not PushMessage.objects.exists()


@pytest.mark.django_db
def test_a_batch_writes_its_messages_together_in_order(make_user, django_assert_num_queries):
    one, two = make_user("agent"), make_user("agent")
    with django_assert_num_queries(1), push.batch():
        push.push(user_id=one.pk, kind="test.a", payload={"n": 1})
        with push.batch():  # nested: the outer batch writes
            push.push(user_id=two.pk, kind="test.b", payload={"n": 2})
    rows = list(PushMessage.objects.order_by("id").values_list("user_id", "kind", "payload"))
    assert rows == [(one.pk, "test.a", {"n": 1}), (two.pk, "test.b", {"n": 2})]
    assert push.latest_id(one.pk) < push.latest_id(two.pk)
    assert [m.kind for m in push.messages_after(two.pk, 0)] == ["test.b"]


@pytest.mark.django_db
def test_old_messages_are_pruned_by_the_periodic_job(make_user):
    from kefu.core import periodic

    agent = make_user("agent")
    now = clock.now()
    PushMessage.objects.create(user=agent, kind="test.old", created_at=now - timedelta(hours=25))
    PushMessage.objects.create(user=agent, kind="test.recent", created_at=now - timedelta(hours=23))
    assert periodic.REGISTRY["core.push_prune"] is push.push_prune
    assert push.push_prune(now=now) == 1
    assert list(PushMessage.objects.values_list("kind", flat=True)) == ["test.recent"]
    Setting.objects.create(key="core.push_keep_hours", value=1)
    assert push.push_prune(now=now) == 1 and push.push_prune(now=now) == 0
