"""Push to a user's browser (R3.2: the workbench screen pop; any later live message).

The channel is the database, never a process's memory, so it works whatever server process the browser's
stream and the cause (a telephony event, a form) land in:

* **Write**: `push(user_id=…, kind=…, payload=…)` inserts one outbox row (`core.PushMessage`) in the
  transaction of its cause. On PostgreSQL the same statement calls `pg_notify('kefu_push', '<user>:<id>')`;
  PostgreSQL delivers a notification only when the transaction commits, so a stream is never woken for a row
  that is not there (or rolled back). Inside `with batch():` the rows are written together, in one statement.
* **Read**: `stream_response()` answers a server-sent-events stream (`text/event-stream`). On PostgreSQL it
  holds its own psycopg connection with `LISTEN kefu_push` and sleeps until a notification for its user
  arrives; on SQLite (and any other database) it polls the outbox every `KEFU_PUSH_POLL_SECONDS` (0.2 s).
  Either way the rows are read from the outbox, so what the browser gets is what was committed.
* **Resume**: each event carries the row id (`id:`); the browser's EventSource sends it back as
  `Last-Event-ID` when it reconnects, and the stream starts after it — nothing is lost across a reconnect.
  A new stream starts after `?after=` (the page renders the user's latest id) or, without it, at the latest.
* **Bounded**: a heartbeat comment every `KEFU_PUSH_HEARTBEAT_SECONDS` (15 s) keeps proxies from closing the
  stream and notices a browser that went away; the stream ends after `KEFU_PUSH_STREAM_SECONDS` (300 s) and
  EventSource reconnects by itself. While it waits it holds no Django database connection.
* **Pruned**: rows older than the tunable `core.push_keep_hours` are deleted by the periodic job
  `core.push_prune`.

Sizing: each open stream holds one server thread (and, on PostgreSQL, one database connection) for as long as
the browser keeps the page open — see docs/DECISIONS.md.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from . import clock, tunables
from .models import PushMessage

logger = logging.getLogger(__name__)

CHANNEL = "kefu_push"
FETCH_LIMIT = 200

tunables.register(tunables.Tunable(
    "core.push_keep_hours", 24, int, _("Keep pushed messages this many hours"),
    help_text=_("Messages pushed to browsers (screen pops) are kept so that a stream that reconnects gets what it "
                "missed; older ones are deleted."), source="R3.2", minimum=1, maximum=24 * 90))


def stream_seconds() -> float:
    return float(getattr(settings, "KEFU_PUSH_STREAM_SECONDS", 300))


def heartbeat_seconds() -> float:
    return float(getattr(settings, "KEFU_PUSH_HEARTBEAT_SECONDS", 15))


def poll_seconds() -> float:
    return float(getattr(settings, "KEFU_PUSH_POLL_SECONDS", 0.2))


@dataclass(frozen=True)
class Message:
    id: int
    kind: str
    payload: dict[str, Any]
    created_at: datetime

    def as_sse(self) -> str:
        data = json.dumps({"id": self.id, "kind": self.kind, "payload": self.payload,
                           "created_at": self.created_at.isoformat()}, cls=DjangoJSONEncoder, ensure_ascii=False)
        return f"id: {self.id}\nevent: {self.kind}\ndata: {data}\n\n"


# --- writing ---------------------------------------------------------------------------------------------------

_local = threading.local()


def push(*, user_id: int, kind: str, payload: dict[str, Any] | None = None) -> None:
    """Queue one message for one user's browser, in the current transaction (or at once in autocommit).
    Keep the payload small (ids, not rendered pages): the browser fetches what it shows with the user's rights."""
    row = (user_id, kind[:50], payload or {})
    buffer = getattr(_local, "buffer", None)
    if buffer is not None:
        buffer.append(row)
        return
    _write([row])


@contextmanager
def batch() -> Iterator[None]:
    """Collect the pushes of a block and write them in one statement at its end (nothing if it fails)."""
    if getattr(_local, "buffer", None) is not None:
        yield  # already inside a batch: the outer one writes
        return
    _local.buffer = []
    try:
        yield
        rows = _local.buffer
    finally:
        _local.buffer = None
    if rows:
        _write(rows)


def _write(rows: list[tuple[int, str, dict[str, Any]]]) -> None:
    now = clock.now()
    if connection.vendor != "postgresql":
        PushMessage.objects.bulk_create([PushMessage(user_id=user_id, kind=kind, payload=payload, created_at=now)
                                         for user_id, kind, payload in rows])
        return
    # One round trip: insert the rows and notify each id. pg_notify inside a transaction is sent at commit.
    table = connection.ops.quote_name(PushMessage._meta.db_table)
    values = ", ".join(["(%s, %s, %s::jsonb, %s)"] * len(rows))
    params: list[Any] = []
    for user_id, kind, payload in rows:
        params += [user_id, kind, json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False), now]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH m AS (INSERT INTO {table} (user_id, kind, payload, created_at) VALUES {values} "
            f"RETURNING id, user_id) SELECT pg_notify(%s, m.user_id::text || ':' || m.id::text) FROM m",
            [*params, CHANNEL])


# --- reading ---------------------------------------------------------------------------------------------------

def latest_id(user_id: int) -> int:
    """The id of the user's newest message (0 without any): a new stream starts after it."""
    return PushMessage.objects.filter(user_id=user_id).order_by("-id").values_list("id", flat=True).first() or 0


def messages_after(user_id: int, after: int, *, limit: int = FETCH_LIMIT) -> list[Message]:
    rows = (PushMessage.objects.filter(user_id=user_id, id__gt=after).order_by("id")
            .values_list("id", "kind", "payload", "created_at")[:limit])
    return [Message(*row) for row in rows]


def push_prune(*, now: datetime | None = None) -> int:
    """Periodic (`core.push_prune`): delete messages older than `core.push_keep_hours`; idempotent."""
    cut = (now or clock.now()) - timedelta(hours=tunables.get("core.push_keep_hours"))
    deleted, _by_model = PushMessage.objects.filter(created_at__lt=cut).delete()
    return deleted


def _release_django_connection() -> None:
    """A stream must not keep a Django connection open while it waits. Inside a test's transaction the
    connection is the test's own and stays."""
    if not connection.in_atomic_block:
        connection.close()


class _Polling:
    """Any database (SQLite): read the outbox every poll interval through Django, releasing the connection
    between polls."""

    def __init__(self, user_id: int, poll: float):
        self.user_id, self.poll = user_id, poll

    def fetch(self, after: int) -> list[Message]:
        try:
            return messages_after(self.user_id, after)
        finally:
            _release_django_connection()

    def wait(self, timeout: float) -> bool:
        time.sleep(max(0.0, min(timeout, self.poll)))
        return timeout >= self.poll  # woke for a poll (True) or only for the deadline (False)

    def close(self) -> None:
        pass


class _Listening:
    """PostgreSQL: an own autocommit psycopg connection with LISTEN kefu_push; woken by notifications for
    the user (payload '<user id>:<message id>'), it reads the new rows over the same connection."""

    def __init__(self, user_id: int):
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        self.user_id, self.prefix = user_id, f"{user_id}:"
        self.conn = psycopg.connect(autocommit=True, **params)
        self.conn.execute(f"LISTEN {CHANNEL}")
        self.sql = (f"SELECT id, kind, payload, created_at FROM {PushMessage._meta.db_table} "
                    f"WHERE user_id = %s AND id > %s ORDER BY id LIMIT {FETCH_LIMIT}")

    def fetch(self, after: int) -> list[Message]:
        rows = self.conn.execute(self.sql, (self.user_id, after)).fetchall()
        # Django's adapters (reused for the time zone) load jsonb as text: JSONField decodes it, so do we.
        return [Message(pk, kind, json.loads(payload) if isinstance(payload, str) else payload, created_at)
                for pk, kind, payload, created_at in rows]

    def wait(self, timeout: float) -> bool:
        woke = False
        # stop_after=1 returns after the first packet of notifications, read whole (a break would drop the rest).
        for notify in self.conn.notifies(timeout=max(0.0, timeout), stop_after=1):
            woke = woke or notify.payload.startswith(self.prefix)
        return woke

    def close(self) -> None:
        self.conn.close()


def event_stream(*, user_id: int, after: int, max_seconds: float | None = None) -> Iterator[str]:
    """The server-sent events of one user's messages after `after`, until `max_seconds` have passed."""
    max_seconds = stream_seconds() if max_seconds is None else max_seconds
    heartbeat = heartbeat_seconds()
    started = time.monotonic()
    deadline = started + max_seconds
    yield "retry: 1000\n\n"
    _release_django_connection()
    source: _Polling | _Listening | None = None
    try:
        if connection.vendor == "postgresql":
            source = _Listening(user_id)  # LISTEN before the first read: nothing committed in between is missed
        else:
            source = _Polling(user_id, poll_seconds())
        last = after
        woke = True
        next_beat = started + heartbeat
        while True:
            if woke:
                for message in source.fetch(last):
                    last = message.id
                    yield message.as_sse()
            now = time.monotonic()
            if now >= deadline:
                return
            if now >= next_beat:
                yield ": heartbeat\n\n"
                next_beat = now + heartbeat
            woke = source.wait(min(deadline, next_beat) - now)
    except Exception as error:  # noqa: BLE001 — the database went away: end the stream, the browser reconnects
        logger.warning("push stream of user %s ended: %r", user_id, error)
    finally:
        if source is not None:
            source.close()


def stream_after(request: HttpRequest, user_id: int) -> int:
    """Where a stream starts: after the browser's Last-Event-ID (a reconnect), else after ?after= (the id the
    page was rendered with), else after the user's latest message."""
    for raw in (request.headers.get("Last-Event-ID"), request.GET.get("after")):
        if raw is not None and raw.strip().isdigit():
            return int(raw.strip())
    return latest_id(user_id)


def stream_response(request: HttpRequest, *, user_id: int) -> StreamingHttpResponse:
    response = StreamingHttpResponse(event_stream(user_id=user_id, after=stream_after(request, user_id)),
                                     content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response
