#!/usr/bin/env python
"""Ticket speed benchmark (issue 4): creation through the API under a production server, the filtered list and
the detail page.

    KEFU_DATABASE_URL=postgres://kefu@127.0.0.1:55441/kefu_tickets_bench .venv/bin/python bench/tickets.py \
        --tickets 1000000 --events-per-ticket 5 --clients 4 --seconds 30

1. Loads `--tickets` tickets with `--events-per-ticket` history rows each by bulk inserts (no services: this is
   only data to read), unless there are that many already.
2. Creates tickets in this process through the whole Django stack (token authentication, middleware, DRF, the
   service): prints the SQL statements of one creation (`--show-sql` lists them) and the CPU time per creation.
3. Starts gunicorn (DEBUG off; `--worker-class gthread`, `--workers` processes × `--threads` threads as
   docs/DECISIONS.md advises, or `--worker-class sync`) on 127.0.0.1 and drives `--clients` concurrent clients
   creating tickets through `POST /api/v1/tickets/` for `--seconds` after a short warm-up; prints tickets/s and
   the CPU time per ticket of the gunicorn processes, of the PostgreSQL server processes serving them (read from
   /proc when the database runs on this machine) and of the clients, and what an idle machine with this many
   cores would therefore sustain — on a shared machine the rate itself depends on what else runs. It also
   samples how many PostgreSQL server processes wait on a lock (the day's ticket-number counter).
4. Times, in this process, the first page of the list (50 rows) for each single filter, and the detail of a
   ticket with 50 history rows; prints p50/p95 in ms and the number of SQL queries of each (`--skip-reads` skips).
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


def _cpu_seconds(pids) -> float:
    """User + system CPU time of processes, read from /proc (no psutil); a process that is gone counts 0."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / tick


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _database_backends() -> list[int]:
    """The PostgreSQL server processes serving this database (the gunicorn workers' connections); [] on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid()")
        pids = [row[0] for row in cursor.fetchall()]
    return [pid for pid in pids if Path(f"/proc/{pid}").exists()]  # only a server on this machine


class _LockSampler(threading.Thread):
    """Samples pg_stat_activity every 20 ms while the clients run: how many server processes wait on a lock."""

    def __init__(self, phase: dict) -> None:
        super().__init__(daemon=True)
        self.phase, self.samples, self.waiting = phase, 0, 0
        self.start()

    def run(self) -> None:
        from django.db import connection

        try:
            with connection.cursor() as cursor:
                while time.monotonic() < self.phase["stop_at"]:
                    cursor.execute("SELECT count(*) FILTER (WHERE wait_event_type = 'Lock') FROM pg_stat_activity "
                                   "WHERE datname = current_database() AND pid <> pg_backend_pid()")
                    self.waiting += cursor.fetchone()[0]
                    self.samples += 1
                    time.sleep(0.02)
        finally:
            connection.close()

    def result(self) -> float:
        self.join()
        return self.waiting / max(self.samples, 1)


BODY = {"kind": "repair", "title": "并发创建", "priority": "normal"}


def bench_user():
    from rest_framework.authtoken.models import Token

    from kefu.accounts.models import User
    from kefu.accounts.services import user_create

    user = User.objects.filter(username="bench-agent").first() or user_create(
        username="bench-agent", password=None, roles=["agent"])
    token, _ = Token.objects.get_or_create(user=user)
    return user, token.key


def in_process_creation(repeats: int, out=print) -> dict:
    """One creation through the whole Django stack (token auth, middleware, DRF) without gunicorn: its SQL
    queries and the CPU time of this process per creation."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    _user, key = bench_user()
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {key}")
    body = json.dumps(BODY)

    def create() -> None:
        response = client.post("/api/v1/tickets/", body, content_type="application/json")
        assert response.status_code == 201, response.content[:300]

    for _ in range(10):
        create()
    with CaptureQueriesContext(connection) as queries:
        create()
    statements = [q["sql"] for q in queries.captured_queries]
    started = time.process_time()
    for _ in range(repeats):
        create()
    cpu_ms = (time.process_time() - started) * 1000 / repeats
    out(f"in-process creation: {len(statements)} SQL statements per creation "
        f"({sum(s.split()[0] not in ('BEGIN', 'COMMIT', 'SAVEPOINT', 'RELEASE') for s in statements)} without "
        f"transaction control), {cpu_ms:.1f} ms CPU per creation (test client, {repeats} creations)")
    return {"queries": len(statements), "cpu_ms": cpu_ms, "sql": statements}


def serve_and_create(clients: int, seconds: float, port: int, *, workers: int, worker_class: str = "sync",
                     threads: int = 1, warmup: float = 3, out=print) -> dict:
    """Drive `clients` concurrent clients creating tickets through gunicorn; tickets/s and CPU per ticket of the
    server processes, of PostgreSQL's backends (when the server runs on this machine) and of the clients."""
    import http.client

    from django.db import connection

    _user, key = bench_user()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kefu.settings.base", "KEFU_DEBUG": "false",
           "KEFU_ALLOWED_HOSTS": "127.0.0.1"}
    command = [sys.executable, "-m", "gunicorn", "kefu.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--worker-class", worker_class, "--log-level", "warning"]
    if worker_class == "gthread":
        command += ["--threads", str(threads)]
    server = subprocess.Popen(command, env=env)
    body = json.dumps(BODY).encode()
    headers = {"Authorization": f"Token {key}", "Content-Type": "application/json", "Host": "127.0.0.1"}
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        created = [0] * clients
        errors = [0] * clients
        phase = {"stop_at": time.monotonic() + warmup, "counting": False}

        def client(index: int) -> None:
            while time.monotonic() < phase["stop_at"]:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    conn.request("POST", "/api/v1/tickets/", body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    conn.close()
                    ok = response.status == 201
                except OSError:
                    ok = False
                if phase["counting"]:
                    created[index] += ok
                    errors[index] += not ok

        def run(duration: float) -> float:
            phase["stop_at"] = time.monotonic() + duration
            if phase["counting"] and database_pids:
                phase["waits"] = _LockSampler(phase)
            threads_ = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
            started = time.monotonic()
            for thread in threads_:
                thread.start()
            for thread in threads_:
                thread.join()
            return time.monotonic() - started

        database_pids: list[int] = []
        run(warmup)  # every worker imports and connects before the figures start
        server_pids = [server.pid, *_children(server.pid)]
        connection.connect()
        database_pids = _database_backends()
        connection.close()
        before = (_cpu_seconds(server_pids), _cpu_seconds(database_pids), sum(os.times()[:2]))
        load_before = os.getloadavg()[0]
        phase["counting"] = True
        elapsed = run(seconds)
        after = (_cpu_seconds(server_pids), _cpu_seconds(database_pids), sum(os.times()[:2]))
        load_after = os.getloadavg()[0]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    total = sum(created)
    rate = total / elapsed
    per = [(b - a) * 1000 / max(total, 1) for a, b in zip(before, after, strict=True)]
    out(f"API creation: {total} tickets in {elapsed:.1f} s with {clients} clients, gunicorn {workers} "
        f"{worker_class} workers{f' x {threads} threads' if worker_class == 'gthread' else ''} = {rate:.0f} "
        f"tickets/s ({sum(errors)} errors; load average {load_before:.2f} before, {load_after:.2f} after)")
    if "waits" in phase:
        waiting = phase["waits"].result()
        out(f"PostgreSQL server processes waiting on a lock (the day's number counter): {waiting:.2f} on average "
            f"of {len(database_pids)}")
    out(f"CPU per ticket: gunicorn {per[0]:.1f} ms + PostgreSQL backends {per[1]:.1f} ms"
        f"{' (not on this machine)' if not database_pids else ''} + clients {per[2]:.1f} ms = "
        f"{sum(per):.1f} ms -> {os.cpu_count()} idle cores would sustain about "
        f"{os.cpu_count() * 1000 / sum(per):.0f} tickets/s (server and database alone: "
        f"{os.cpu_count() * 1000 / (per[0] + per[1]):.0f}/s)")
    return {"rate": rate, "server_ms": per[0], "database_ms": per[1], "client_ms": per[2], "errors": sum(errors)}


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
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="gunicorn processes")
    parser.add_argument("--worker-class", choices=["gthread", "sync"], default="gthread")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread process")
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--skip-create", action="store_true")
    parser.add_argument("--skip-reads", action="store_true")
    parser.add_argument("--show-sql", action="store_true", help="print the statements of one creation")
    args = parser.parse_args()
    _django.setup()
    _django.migrate_if_needed()
    print(_django.database_description(), "|", _django.load_average())
    load(args.tickets, args.events_per_ticket)
    if not args.skip_create:
        from django.db import connection

        measured = in_process_creation(max(args.repeats, 100))
        if args.show_sql:
            for statement in measured["sql"]:
                print("   ", statement[:160])
        connection.close()
        serve_and_create(args.clients, args.seconds, args.port, workers=args.workers,
                         worker_class=args.worker_class, threads=args.threads)
    if not args.skip_reads:
        time_reads(args.repeats)


if __name__ == "__main__":
    main()
