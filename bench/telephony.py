#!/usr/bin/env python
"""Telephony benchmark (issue 6, R3.6): event ingestion through the real HTTP endpoint, and the call-center
figures for a month of contacts.

    KEFU_DATA_DIR=/tmp/kefu-bench-tel .venv/bin/python bench/telephony.py ingest --calls 4000
    KEFU_DATABASE_URL=postgres://kefu@127.0.0.1:55441/kefu_bench .venv/bin/python bench/telephony.py ingest ...
    KEFU_DATABASE_URL=postgres://... .venv/bin/python bench/telephony.py figures --contacts 3000000
    KEFU_DATABASE_URL=postgres://... .venv/bin/python bench/telephony.py load --lines 90 --minutes 10

ingest: starts `--servers` server processes that share one port (SO_REUSEPORT), each Django's WSGI
application (settings kefu.settings.base, DEBUG off) under a stdlib WSGI server with a fixed thread pool — the locked
dependencies hold no gunicorn/uvicorn — then `--clients` client threads POST signed requests to
/api/v1/telephony/events: `--calls` simulated calls of 5 events each (offered, queued, answered, ended,
recording ready), sent `--batch` events per request (1 = one request per event), the events of a call in
order but calls interleaved. The full pipeline runs for every event: signature, JSON check, event row under
its unique constraint, contact locked, re-folded from all its events and updated, agent resolved, hook
`contact_offered` (the workbench's screen-pop push for calls ringing at an agent). Afterwards it
checks that no event was lost or doubled (events = sent, contacts = calls, all completed) and that sending
the first requests again changes nothing.

load: the issue's load test — `--lines` (90) simultaneous calls, each line with its own agent, placing calls one
after the other for `--minutes` (10) in real time; every event is sent when it happens, one request per event
(offered, queued, ringing at the agent, answered, sometimes held/retrieved, ended, recording ready; about one call
in twenty abandoned in the queue). Checks that every event was stored exactly once, every answered call is a
completed contact with its agent, talk time and recording, and every abandoned call is abandoned.

figures: loads `--contacts` inbound-call contacts spread over 30 days (3 queues, 90 agents, ~7 % abandoned,
~3 % short abandons) unless they are there, then times `kefu.contacts.figures.call_figures()` for the month:
per queue and 30-minute interval, per agent, and the total.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _django  # noqa: E402

SECRET = "bench-telephony-secret"
PATH = "/api/v1/telephony/events"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ingest = sub.add_parser("ingest")
    ingest.add_argument("--calls", type=int, default=4000)
    ingest.add_argument("--batch", type=int, nargs="+", default=[1, 50], help="events per request (one run each)")
    ingest.add_argument("--servers", type=int, default=2, help="server processes")
    ingest.add_argument("--threads", type=int, default=8, help="threads per server process")
    ingest.add_argument("--clients", type=int, default=8, help="client threads")
    ingest.add_argument("--port", type=int, default=0)
    ingest.add_argument("--json", help="write the figures to this file")
    load = sub.add_parser("load", help="90 lines busy for 10 minutes in real time, one request per event")
    load.add_argument("--lines", type=int, default=90, help="simultaneous calls (one agent each)")
    load.add_argument("--minutes", type=float, default=10.0)
    load.add_argument("--talk", type=float, nargs=2, default=[20.0, 90.0], metavar=("MIN", "MAX"),
                      help="talk time range in seconds")
    load.add_argument("--servers", type=int, default=2, help="server processes")
    load.add_argument("--threads", type=int, default=120,
                      help="threads per server process (each open agent stream holds one)")
    load.add_argument("--no-streams", action="store_true",
                      help="do not open the agents' workbench streams (server-sent events)")
    load.add_argument("--port", type=int, default=0)
    load.add_argument("--json", help="write the figures to this file")
    figures = sub.add_parser("figures")
    figures.add_argument("--contacts", type=int, default=3_000_000)
    figures.add_argument("--repeat", type=int, default=5)
    figures.add_argument("--json", help="write the figures to this file")
    serve = sub.add_parser("_serve", help=argparse.SUPPRESS)
    serve.add_argument("port", type=int)
    serve.add_argument("threads", type=int)
    return parser.parse_args()


# --- the server -----------------------------------------------------------------------------------------

def serve(port: int, threads: int) -> None:
    """One server process: Django's WSGI app under a threaded stdlib WSGI server on a shared port."""
    from concurrent.futures import ThreadPoolExecutor as Pool
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

    _django.setup()
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()

    class Server(WSGIServer):
        """A fixed pool of threads (as a production server's workers), so database connections persist."""

        request_queue_size = 256
        pool = Pool(threads)

        def process_request(self, request, client_address):
            self.pool.submit(self._handle, request, client_address)

        def _handle(self, request, client_address):
            try:
                self.finish_request(request, client_address)
            except Exception:  # noqa: BLE001 — reported like socketserver does
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

        def server_bind(self):
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            super().server_bind()

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = Server(("127.0.0.1", port), QuietHandler)
    server.set_app(application)
    print(f"ready {os.getpid()}", flush=True)
    server.serve_forever()


def start_servers(count: int, threads: int, port: int) -> tuple[list[subprocess.Popen], int]:
    if not port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    env = {**os.environ, "KEFU_TELEPHONY_SECRET": SECRET, "KEFU_DEBUG": "false",
           "DJANGO_SETTINGS_MODULE": "kefu.settings.base", "KEFU_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    processes = []
    for _index in range(count):
        process = subprocess.Popen([sys.executable, __file__, "_serve", str(port), str(threads)], env=env,
                                   stdout=subprocess.PIPE, text=True)
        processes.append(process)
    for process in processes:
        line = process.stdout.readline()
        if not line.startswith("ready"):
            raise SystemExit("a server process did not start")
    return processes, port


def stop_servers(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


# --- the client -----------------------------------------------------------------------------------------

def call_events(run: str, calls: int, seed: int = 6) -> list[dict]:
    """5 events per call, calls overlapping: call i starts at i seconds; events in call order."""
    rng = random.Random(seed)
    base = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    timeline = []
    for index in range(calls):
        call_id = f"{run}-{index}"
        start = base + timedelta(seconds=index)
        wait = rng.randint(2, 40)
        talk = rng.randint(30, 400)
        agent = str(8001 + index % 90)
        caller = f"139{index % 100_000_000:08d}"
        steps = [("offered", 0, {"caller": caller, "called": "4008208820"}), ("queued", 2, {"queue": "support"}),
                 ("answered", 2 + wait, {"agent": agent}), ("ended", 2 + wait + talk, {}),
                 ("recording_ready", 2 + wait + talk + 5, {"recording_url": f"https://rec.example.cn/{call_id}.wav"})]
        for step, (kind, offset, data) in enumerate(steps):
            timeline.append((start + timedelta(seconds=offset), {
                "id": f"{call_id}-{step}", "type": kind, "call_id": call_id,
                "timestamp": (start + timedelta(seconds=offset)).isoformat(), **data}))
    timeline.sort(key=lambda item: item[0])
    return [event for _at, event in timeline]


def post(port: int, body: bytes) -> tuple[int, bytes]:
    from kefu.contacts.telephony.signing import signed_headers

    headers = {"Content-Type": "application/json", "Host": "127.0.0.1", **signed_headers(SECRET, body, now=time.time())}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("POST", PATH, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def ingest_run(port: int, events: list[dict], batch: int, clients: int) -> dict:
    bodies = [json.dumps({"events": events[i:i + batch]}).encode() for i in range(0, len(events), batch)]
    # Calls interleave, so concurrent requests hit the same call at times: the contact lock is exercised.
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def send(body: bytes) -> None:
        started = time.perf_counter()
        status, content = post(port, body)
        elapsed = time.perf_counter() - started
        with lock:
            latencies.append(elapsed)
            if status != 200:
                failures.append(f"{status} {content[:200]!r}")

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, bodies))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"batch": batch, "requests": len(bodies), "events": len(events), "seconds": round(elapsed, 2),
            "events_per_second": round(len(events) / elapsed), "requests_per_second": round(len(bodies) / elapsed),
            "latency_ms_p50": round(_django.percentile(latencies, 50) * 1000, 1),
            "latency_ms_p95": round(_django.percentile(latencies, 95) * 1000, 1),
            "failures": failures[:5], "failed": len(failures)}


def ensure_agents() -> None:
    from kefu.accounts.models import User

    have = set(User.objects.filter(username__startswith="bench-agent-").values_list("username", flat=True))
    new = [User(username=f"bench-agent-{n}", extension=str(8001 + n), work_number=f"B{n:04d}")
           for n in range(90) if f"bench-agent-{n}" not in have]
    for user in new:
        user.set_unusable_password()
    User.objects.bulk_create(new)


def ingest(args) -> dict:
    _django.setup()
    _django.migrate_if_needed()
    from kefu.contacts.models import Contact, TelephonyEvent

    ensure_agents()
    description = _django.database_description()
    processes, port = start_servers(args.servers, args.threads, args.port)
    results = {"database": description, "servers": args.servers, "threads_per_server": args.threads,
               "clients": args.clients, "cpus": os.cpu_count(), "runs": []}
    try:
        for batch in args.batch:
            run = f"bench{int(time.time())}b{batch}"
            events = call_events(run, args.calls)
            before = TelephonyEvent.objects.count()
            outcome = ingest_run(port, events, batch, args.clients)
            contacts = Contact.objects.filter(call_id__startswith=f"{run}-")
            outcome["events_stored"] = TelephonyEvent.objects.count() - before
            outcome["contacts"] = contacts.count()
            outcome["contacts_completed"] = contacts.filter(state="completed", talk_seconds__isnull=False,
                                                            recording_url__startswith="https://").count()
            again = ingest_run(port, events[: min(len(events), 500)], batch, args.clients)
            outcome["resent_events_stored"] = TelephonyEvent.objects.count() - before - outcome["events_stored"]
            outcome["resent_failed"] = again["failed"]
            results["runs"].append(outcome)
            print(json.dumps(outcome, ensure_ascii=False), flush=True)
            assert outcome["failed"] == 0 and outcome["events_stored"] == len(events), "events lost"
            assert outcome["contacts"] == outcome["contacts_completed"] == args.calls, "contacts wrong"
            assert outcome["resent_events_stored"] == 0, "a repeat was stored"
    finally:
        stop_servers(processes)
    return results


# --- the 90-line load test -----------------------------------------------------------------------------

def line_calls(run: str, line: int, stop_at: float, talk: tuple[float, float], port: int, record,
               extension: str | None = None) -> None:
    """One line of the PBX: calls one after the other until `stop_at`, each event sent as it happens (one
    request per event, as a live AMI bridge does): offered, queued, ringing at the line's agent, answered, held
    and retrieved now and then, ended, recording ready — or abandoned in the queue (about 1 call in 20)."""
    rng = random.Random(f"{run}-{line}")
    extension = extension or str(8001 + line)
    number = 0
    while time.monotonic() < stop_at:
        call_id = f"{run}-{line}-{number}"
        number += 1
        caller = f"13{rng.randint(0, 999_999_999):09d}"
        steps: list[tuple[float, str, dict]] = [
            (0, "offered", {"caller": caller, "called": "4008208820"}), (0.2, "queued", {"queue": "load"})]
        if rng.random() < 0.05:
            steps.append((rng.uniform(1, 8), "abandoned", {}))
        else:
            talk_seconds = rng.uniform(*talk)
            steps += [(rng.uniform(0.5, 4), "offered", {"agent": extension}), (1.0, "answered", {"agent": extension})]
            if rng.random() < 0.2:
                steps += [(talk_seconds / 3, "held", {}), (3.0, "retrieved", {})]
                talk_seconds -= talk_seconds / 3 + 3
            steps += [(max(talk_seconds, 1), "ended", {}), (0.5, "recording_ready",
                                                           {"recording_url": f"https://rec.example.cn/{call_id}.wav"})]
        for index, (delay, kind, data) in enumerate(steps):
            time.sleep(delay)
            event = {"id": f"{call_id}-{index}", "type": kind, "call_id": call_id, "timestamp": time.time(), **data}
            started = time.perf_counter()
            try:
                status, content = post(port, json.dumps({"events": [event]}).encode())
            except OSError as error:
                status, content = 0, str(error).encode()
            record(call_id, kind, status, time.perf_counter() - started, content)
        time.sleep(rng.uniform(0.5, 3))  # wrap-up before the line's next call


def load(args) -> dict:
    """Issue 6: the seeds' center answers up to 90 simultaneous lines [000]; drive them for `--minutes` and prove
    that no event is lost or doubled and every call ends up as a complete contact."""
    _django.setup()
    _django.migrate_if_needed()
    from kefu.contacts.models import Contact, TelephonyEvent

    ensure_agents()
    run = f"load{int(time.time())}"
    streams: list = []
    board = None
    extensions: list[str | None] = [None] * args.lines
    if not args.no_streams:
        # Each line's agent has his workbench open: one server-sent-events stream per agent (bench/screen_pop.py's
        # client), and every call ringing at his extension must pop there exactly once.
        import screen_pop

        from kefu.core.push import latest_id

        board = screen_pop.Board()
        agents = screen_pop.ensure_agents(args.lines)
        extensions = [extension for _id, extension, _session in agents]
    lock = threading.Lock()
    sent: dict[str, list[str]] = {}
    latencies: list[float] = []
    failures: list[str] = []

    def record(call_id: str, kind: str, status: int, elapsed: float, content: bytes) -> None:
        with lock:
            sent.setdefault(call_id, []).append(kind)
            latencies.append(elapsed)
            if status != 200:
                failures.append(f"{call_id} {kind}: {status} {content[:200]!r}")

    processes, port = start_servers(args.servers, args.threads, args.port)
    load_before = os.getloadavg()
    try:
        if board is not None:
            for user_id, _extension, session in agents:
                browser = screen_pop.Browser(port, user_id, session, latest_id(user_id), board)
                browser.fetch_cards = False
                browser.start()
                streams.append(browser)
            for browser in streams:
                if not browser.ready.wait(30):
                    raise SystemExit("a workbench stream did not open")
        started = time.monotonic()
        stop_at = started + args.minutes * 60
        threads = [threading.Thread(target=line_calls, args=(run, line, stop_at, tuple(args.talk), port, record,
                                                             extensions[line]))
                   for line in range(args.lines)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        time.sleep(2)  # the last pops are on their way
    finally:
        for browser in streams:
            browser.stop = True
        stop_servers(processes)
    load_after = os.getloadavg()
    events_sent = sum(len(kinds) for kinds in sent.values())
    contacts = Contact.objects.filter(call_id__startswith=f"{run}-")
    stored = TelephonyEvent.objects.filter(call_id__startswith=f"{run}-").count()
    answered_calls = [c for c, kinds in sent.items() if "recording_ready" in kinds]
    abandoned_calls = [c for c, kinds in sent.items() if "abandoned" in kinds]
    latencies.sort()
    result = {
        "database": _django.database_description(), "servers": args.servers, "threads_per_server": args.threads,
        "lines": args.lines, "minutes": args.minutes, "seconds": round(elapsed, 1), "calls": len(sent),
        "events_sent": events_sent, "events_stored": stored, "failed_requests": len(failures),
        "failures": failures[:5], "events_per_second": round(events_sent / elapsed, 1),
        "latency_ms_p50": round(_django.percentile(latencies, 50) * 1000, 1),
        "latency_ms_p95": round(_django.percentile(latencies, 95) * 1000, 1),
        "latency_ms_max": round(latencies[-1] * 1000, 1) if latencies else None,
        "contacts": contacts.count(),
        "contacts_completed": contacts.filter(call_id__in=answered_calls, state="completed", agent__isnull=False,
                                              talk_seconds__isnull=False,
                                              recording_url__startswith="https://").count(),
        "answered_calls": len(answered_calls),
        "contacts_abandoned": contacts.filter(call_id__in=abandoned_calls, state="abandoned").count(),
        "abandoned_calls": len(abandoned_calls),
        "rang_at_agent": len(answered_calls),
        "pops_received": len(board.push_at) if board else None,
        "pops_for_rung_calls": len(set(board.push_at) & set(answered_calls)) if board else None,
        "pop_problems": (board.problems[:5] if board else None),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
    }
    print(json.dumps(result, ensure_ascii=False), flush=True)
    assert not failures, "requests failed"
    assert stored == events_sent, "events lost or doubled"
    assert result["contacts"] == len(sent), "a call has no contact"
    assert result["contacts_completed"] == len(answered_calls), "an answered call is incomplete"
    assert result["contacts_abandoned"] == len(abandoned_calls), "an abandoned call is wrong"
    if board is not None:
        assert not board.problems, "a pop went wrong"
        assert result["pops_for_rung_calls"] == result["pops_received"] == len(answered_calls), "a pop was lost"
    return result


# --- figures ----------------------------------------------------------------------------------------------

MONTH_START = datetime(2026, 1, 31, 16, 0, tzinfo=UTC)  # 1 February 2026 00:00 in Shanghai


def load_month(count: int) -> dict:
    from django.db import connection

    from kefu.contacts.models import Contact, Queue
    from kefu.contacts.services import quarter_hour

    have = Contact.objects.filter(call_id__startswith="month-").count()
    info = {"had": have, "load_seconds": None}
    if have >= count:
        return info
    ensure_agents()
    from kefu.accounts.models import User

    agents = list(User.objects.filter(username__startswith="bench-agent-").values_list("pk", flat=True))
    queues = [Queue.objects.get_or_create(code=code)[0].pk for code in ("support", "billing", "repair")]
    rng = random.Random(2026)
    started = time.perf_counter()
    batch: list[Contact] = []
    seconds = 28 * 86400
    for index in range(have, count):
        # More calls by day (08:00–20:00 Shanghai) than by night.
        while True:
            offset = rng.randrange(seconds)
            hour = (offset // 3600) % 24
            if 8 <= hour < 20 or rng.random() < 0.15:
                break
        offered = MONTH_START + timedelta(seconds=offset)
        roll = rng.random()
        contact = Contact(channel="inbound_call", source="cdr", call_id=f"month-{index}", offered_at=offered,
                          offered_slot=quarter_hour(offered), queue_id=queues[index % 3],
                          caller_number=f"139{index:08d}"[:11])
        if roll < 0.03:
            wait = rng.randint(0, 5)
            contact.state, contact.wait_seconds, contact.ended_at = "abandoned", wait, offered + timedelta(seconds=wait)
        elif roll < 0.10:
            wait = rng.randint(6, 180)
            contact.state, contact.wait_seconds, contact.ended_at = "abandoned", wait, offered + timedelta(seconds=wait)
        else:
            wait = int(rng.expovariate(1 / 15))
            talk = int(rng.lognormvariate(5, 0.6))
            wrap = rng.randint(0, 60)
            contact.state, contact.agent_id = "completed", agents[index % len(agents)]
            contact.answered_at = offered + timedelta(seconds=wait)
            contact.ended_at = contact.answered_at + timedelta(seconds=talk)
            contact.wait_seconds, contact.talk_seconds, contact.wrap_up_seconds = wait, talk, wrap
            contact.handle_seconds = talk + wrap
        batch.append(contact)
        if len(batch) == 10_000:
            Contact.objects.bulk_create(batch)
            batch = []
            if index % 200_000 < 10_000:
                print(f"  {index + 1}/{count} ({time.perf_counter() - started:.0f} s)", flush=True)
    if batch:
        Contact.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE contacts_contact")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    info["load_seconds"] = round(time.perf_counter() - started)
    return info


def figures_bench(args) -> dict:
    _django.setup()
    _django.migrate_if_needed()
    from kefu.contacts.figures import call_figures
    from kefu.contacts.models import Contact

    info = load_month(args.contacts)
    start, end = MONTH_START, MONTH_START + timedelta(days=28)
    in_month = Contact.objects.filter(channel="inbound_call", offered_at__gte=start, offered_at__lt=end).count()
    results = {"database": _django.database_description(), "contacts_in_month": in_month, **info, "timings": {}}
    for label, kwargs in (("queue_x_30min", {"group_by": ("queue", "interval"), "interval_minutes": 30}),
                          ("agent", {"group_by": ("agent",)}), ("total", {})):
        times = []
        for _attempt in range(args.repeat):
            started = time.perf_counter()
            result = call_figures(start=start, end=end, target_seconds=20, short_abandon_seconds=5, **kwargs)
            times.append(time.perf_counter() - started)
        results["timings"][label] = {"rows": len(result.rows), "median_s": round(statistics.median(times), 3),
                                     "best_s": round(min(times), 3), "worst_s": round(max(times), 3)}
        total = result.total
        results["timings"][label]["check"] = {
            "offered": total.offered, "answered": total.answered, "abandoned": total.abandoned,
            "short_abandoned": total.short_abandoned, "service_level": round(total.service_level or 0, 4)}
        print(label, json.dumps(results["timings"][label]), flush=True)
    return results


def main() -> None:
    args = parse_args()
    if args.command == "_serve":
        serve(args.port, args.threads)
        return
    result = {"ingest": ingest, "load": load, "figures": figures_bench}[args.command](args)
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str))


if __name__ == "__main__":
    main()
