#!/usr/bin/env python
"""Ticket speed benchmark (issue 4): creation through the API under a production server, the filtered list and
the detail page.

    KEFU_DATABASE_URL=postgres://kefu@127.0.0.1:55433/kefu_bench .venv/bin/python bench/tickets.py \
        --tickets 1000000 --events-per-ticket 5 --clients 4 --seconds 20

1. Loads `--tickets` tickets with `--events-per-ticket` history rows each by bulk inserts (no services: this is
   only data to read), unless there are that many already.
2. Starts gunicorn (DEBUG off) on 127.0.0.1 and drives `--clients` concurrent clients creating tickets through
   `POST /api/v1/tickets/` (the full service path: numbering, clocks, history) for `--seconds`; prints tickets/s.
3. Times, in the server process, the first page of the list (50 rows) for each single filter, and the detail
   of a ticket with 50 history rows; prints p50/p95 in ms and the number of SQL queries of each.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _django  # noqa: E402


def load(tickets: int, events_per_ticket: int, out=print) -> None:
    from datetime import timedelta

    from django.db import transaction

    from kefu.core import clock
    from kefu.tickets.models import Priority, Ticket, TicketEvent, TicketKind, WorkflowState

    have = Ticket.objects.filter(number__startswith="BT").count()
    if have >= tickets:
        out(f"{have} benchmark tickets already loaded")
        return
    kinds = list(TicketKind.objects.select_related("workflow"))
    states = {w: list(WorkflowState.objects.filter(workflow=w)) for w in {k.workflow for k in kinds}}
    priorities = list(Priority.objects.all())
    from kefu.accounts.models import Team

    teams = list(Team.objects.all()) or [None]
    rng = random.Random(4)
    now = clock.now()
    batch = 10000
    started = time.perf_counter()
    for offset in range(have, tickets, batch):
        upto = min(offset + batch, tickets)
        rows = []
        for i in range(offset, upto):
            kind = rng.choice(kinds)
            rows.append(Ticket(number=f"BT{i:012d}", kind=kind, priority=rng.choice(priorities),
                               state=rng.choice(states[kind.workflow]), title=f"基准工单 {i}",
                               team=rng.choice(teams), created_at=now - timedelta(minutes=i),
                               answer_due_at=now + timedelta(hours=rng.randint(-48, 72))))
        with transaction.atomic():
            Ticket.objects.bulk_create(rows, batch_size=2000)
            ids = list(Ticket.objects.filter(number__gte=f"BT{offset:012d}", number__lt=f"BT{upto:012d}")
                       .values_list("id", flat=True))
            TicketEvent.objects.bulk_create(
                [TicketEvent(ticket_id=pk, action="changed", field="location", old=str(n), new=str(n + 1))
                 for pk in ids for n in range(events_per_ticket)], batch_size=5000)
        out(f"{upto}/{tickets} tickets ({time.perf_counter() - started:.0f} s)")


def serve_and_create(clients: int, seconds: float, port: int, out=print) -> float:
    from rest_framework.authtoken.models import Token

    from kefu.accounts.models import User
    from kefu.accounts.services import user_create

    user = User.objects.filter(username="bench-agent").first() or user_create(
        username="bench-agent", password=None, roles=["agent"])
    token, _ = Token.objects.get_or_create(user=user)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kefu.settings.base", "KEFU_DEBUG": "false",
           "KEFU_ALLOWED_HOSTS": "127.0.0.1"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "kefu.wsgi:application", "--bind",
                               f"127.0.0.1:{port}", "--workers", str(os.cpu_count() * 2), "--log-level", "warning"],
                              env=env)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        created = [0] * clients
        errors = [0] * clients
        stop_at = time.monotonic() + seconds

        def client(index: int) -> None:
            body = json.dumps({"kind": "repair", "title": "并发创建", "priority": "normal"}).encode()
            while time.monotonic() < stop_at:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/tickets/", data=body, method="POST",
                                                 headers={"Authorization": f"Token {token.key}",
                                                          "Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        created[index] += response.status == 201
                except OSError:
                    errors[index] += 1

        started = time.monotonic()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    rate = sum(created) / elapsed
    out(f"API creation: {sum(created)} tickets in {elapsed:.1f} s with {clients} clients = {rate:.0f} tickets/s "
        f"({sum(errors)} errors)")
    return rate


def time_reads(repeats: int, out=print) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kefu.accounts.models import User
    from kefu.tickets.models import Ticket, TicketEvent

    user = User.objects.get(username="bench-agent")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    team = Ticket.objects.exclude(team=None).values_list("team__code", flat=True).first()
    filters = {"none": {}, "state": {"state": "in_progress"}, "kind": {"kind": "repair"}, "team": {"team": team},
               "priority": {"priority": "high"}, "overdue": {"overdue": "1"},
               "created_from": {"created_from": "2026-11-01"}, "q": {"q": "BT000000012345"}}
    if team is None:
        del filters["team"]
    results = {}
    for name, params in filters.items():
        samples = []
        for _ in range(repeats):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get("/api/v1/tickets/", params)
                samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content[:200]
        samples.sort()
        results[f"list {name}"] = (_django.percentile(samples, 50), _django.percentile(samples, 95), len(queries))
    ticket = Ticket.objects.filter(number__startswith="BT").first()
    missing = 50 - ticket.events.count()
    if missing > 0:
        TicketEvent.objects.bulk_create([TicketEvent(ticket=ticket, action="changed", field="title", old="a", new="b")
                                         for _ in range(missing)])
    samples = []
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(f"/api/v1/tickets/{ticket.pk}/")
            samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    samples.sort()
    results["detail (50 history rows)"] = (_django.percentile(samples, 50), _django.percentile(samples, 95),
                                           len(queries))
    for name, (p50, p95, count) in results.items():
        out(f"{name:<28} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   {count} queries")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--events-per-ticket", type=int, default=5)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--skip-create", action="store_true")
    args = parser.parse_args()
    _django.setup()
    _django.migrate_if_needed()
    print(_django.database_description(), "|", _django.load_average())
    load(args.tickets, args.events_per_ticket)
    if not args.skip_create:
        from django.db import connection

        connection.close()
        serve_and_create(args.clients, args.seconds, args.port)
    time_reads(args.repeats)


if __name__ == "__main__":
    main()
