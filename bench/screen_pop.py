#!/usr/bin/env python
"""Screen-pop benchmark (issue 6 item 5, R3.2): from a signed `offered` event to the pop in the agent's browser,
with 1,000,000 customers, under gunicorn (gthread) with several processes.

    KEFU_DATABASE_URL=postgres://kefu@127.0.0.1:55441/kefu_workbench_bench \\
        .venv/bin/python bench/screen_pop.py --customers 1000000 --agents 40 --pops 600

Migrates if needed and loads `--customers` benchmark customers (bench/lookup.py's loader, 3 phones each) unless
they are there. Then it starts gunicorn (`kefu.wsgi`, `--worker-class gthread`, `--workers` processes, each with
`--threads` threads: every open stream holds one) on 127.0.0.1:`--port`, signs in `--agents` agents (sessions
made in the database, as a log-in would) and opens one server-sent-events stream per agent
(/contacts/workbench/stream/) with a Python client that reads it as a browser's EventSource does.

Latency: `--pops` calls, each a signed `offered` event (one request, one event: the PBX's live feed) from a
random benchmark customer's mobile number at one agent's extension, `--rate` per second spread over
`--posters` sender threads. For each it measures, from just before the POST is sent:
  * push — until the `contacts.offered` message arrives on that agent's stream (POST, commit, NOTIFY, the stream
    reading the outbox row), and
  * card — until the screen-pop fragment the browser then fetches (/contacts/workbench/pop/?contact=…, on the
    agent's own keep-alive connection) has arrived with the right customer's card.
p50 / p95 / p99 / max over all pops; every pop must arrive exactly once, for the right agent, with the right card.

Throughput (`--calls`, 0 to skip): calls of 5 events (offered at an agent, queued, answered, ended, recording
ready) posted in batches of `--batch` by 2 senders while the streams stay open: events per second with the full
pipeline (contact folded and updated, agent state, one outbox row + NOTIFY per call, after the commit), and
every call's pop must reach its agent's stream.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _django  # noqa: E402
import lookup  # noqa: E402

SECRET = "bench-screen-pop-secret"
EVENTS = "/api/v1/telephony/events"
STREAM = "/contacts/workbench/stream/"
POP = "/contacts/workbench/pop/"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="benchmark customers to have (default 1M)")
    parser.add_argument("--batch-load", type=int, default=5000, help="customers_bulk batch size")
    parser.add_argument("--agents", type=int, default=40, help="agents with an open stream (default 40)")
    parser.add_argument("--pops", type=int, default=600, help="timed screen pops (default 600)")
    parser.add_argument("--warmup", type=int, default=40, help="untimed pops first (default 40)")
    parser.add_argument("--rate", type=float, default=20.0, help="offered calls per second (default 20)")
    parser.add_argument("--posters", type=int, default=4, help="sender threads (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes (default 2)")
    parser.add_argument("--threads", type=int, default=0, help="threads per process (default agents + 16)")
    parser.add_argument("--calls", type=int, default=2000, help="throughput run: calls of 5 events (0: skip)")
    parser.add_argument("--batch", type=int, default=100, help="throughput run: events per request")
    parser.add_argument("--port", type=int, default=8794)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", help="write the figures to this file")
    return parser.parse_args()


# --- set-up -----------------------------------------------------------------------------------------------------

def ensure_agents(count: int) -> list[tuple[int, str, str]]:
    """(user id, extension, session key) of `count` agents, signed in through sessions made in the database."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from kefu.accounts.models import Role, User

    role = Role.objects.get(code="agent")
    agents = []
    for n in range(count):
        username, extension = f"bench-pop-{n:03d}", str(7000 + n)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, extension=extension, work_number=f"P{n:04d}", full_name=f"压测坐席{n}")
            user.set_unusable_password()
            user.save()
            user.roles.add(role)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "kefu.accounts.backends.RoleBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        agents.append((user.pk, extension, session.session_key))
    return agents


def start_gunicorn(port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "KEFU_TELEPHONY_SECRET": SECRET, "KEFU_DEBUG": "false",
           "DJANGO_SETTINGS_MODULE": "kefu.settings.base", "KEFU_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    command = [sys.executable, "-m", "gunicorn", "kefu.wsgi:application", "--worker-class", "gthread",
               "--workers", str(workers), "--threads", str(threads), "--bind", f"127.0.0.1:{port}",
               "--keep-alive", "30", "--graceful-timeout", "5", "--log-level", "warning", "--chdir", str(_django.REPO)]
    process = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn did not start")
        try:
            status, _body = request(port, "GET", "/login/")
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_gunicorn(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
            connection: http.client.HTTPConnection | None = None) -> tuple[int, bytes]:
    own = connection is None
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        if own:
            connection.close()


def post_events(port: int, events: list[dict]) -> tuple[int, bytes]:
    from kefu.contacts.telephony.signing import signed_headers

    body = json.dumps({"events": events} if len(events) > 1 else events[0]).encode()
    return request(port, "POST", EVENTS, body, {"Content-Type": "application/json",
                                                 **signed_headers(SECRET, body, now=time.time())})


# --- the agents' browsers -----------------------------------------------------------------------------------------

class Browser(threading.Thread):
    """One agent's workbench: an EventSource on the stream and, for each pop, the fetch of the pop fragment."""

    def __init__(self, port: int, user_id: int, session: str, after: int, board: Board):
        super().__init__(daemon=True, name=f"browser-{user_id}")
        self.port, self.user_id, self.after, self.board = port, user_id, after, board
        self.cookie = f"sessionid={session}"
        self.fetch_cards = True
        self.ready = threading.Event()
        self.stop = False
        self.stream: http.client.HTTPConnection | None = None
        self.pages = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def run(self) -> None:
        while not self.stop:
            try:
                self._listen()
            except (OSError, http.client.HTTPException) as error:
                if not self.stop:
                    self.board.note(f"stream of {self.user_id} broke: {error!r}; reconnecting")
                    time.sleep(0.5)

    def _listen(self) -> None:
        self.stream = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        self.stream.request("GET", f"{STREAM}?after={self.after}", headers={
            "Host": "127.0.0.1", "Cookie": self.cookie, "Accept": "text/event-stream",
            **({"Last-Event-ID": str(self.after)} if self.after else {})})
        response = self.stream.getresponse()
        if response.status != 200:
            raise SystemExit(f"stream of {self.user_id}: HTTP {response.status}")
        self.ready.set()
        fields: dict[str, str] = {}
        while not self.stop:
            line = response.readline()
            if not line:
                return  # the stream ended (after its maximum duration): reconnect, as EventSource does
            line = line.decode().rstrip("\n")
            if line == "":
                if fields.get("event") == "contacts.offered":
                    self._offered(int(fields["id"]), json.loads(fields["data"]))
                fields = {}
            elif not line.startswith(":") and ": " in line:
                key, value = line.split(": ", 1)
                fields[key] = value

    def _offered(self, message_id: int, data: dict) -> None:
        arrived = time.perf_counter()
        self.after = message_id
        call_id, contact = data["payload"]["call_id"], data["payload"]["contact"]
        self.board.pushed(call_id, self.user_id, arrived)
        if not self.fetch_cards:
            return
        try:
            status, body = request(self.port, "GET", f"{POP}?contact={contact}", headers={"Cookie": self.cookie},
                                   connection=self.pages)
        except (OSError, http.client.HTTPException):
            self.pages.close()
            self.pages = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            status, body = request(self.port, "GET", f"{POP}?contact={contact}", headers={"Cookie": self.cookie},
                                   connection=self.pages)
        self.board.card(call_id, time.perf_counter(), status, body)


class Board:
    """What was sent and what arrived, per call."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sent: dict[str, tuple[float, int, str]] = {}  # call id → (send time, agent id, customer number)
        self.push_at: dict[str, float] = {}
        self.card_at: dict[str, float] = {}
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.post_ms: list[float] = []

    def note(self, text: str) -> None:
        with self.lock:
            self.notes.append(text)

    def pushed(self, call_id: str, user_id: int, at: float) -> None:
        with self.lock:
            if call_id in self.push_at:
                self.problems.append(f"{call_id} pushed twice")
            self.push_at[call_id] = at
            sent = self.sent.get(call_id)
            if sent is not None and sent[1] != user_id:
                self.problems.append(f"{call_id} reached agent {user_id}, not {sent[1]}")

    def card(self, call_id: str, at: float, status: int, body: bytes) -> None:
        with self.lock:
            self.card_at[call_id] = at
            sent = self.sent.get(call_id)
            if status != 200 or sent is None or b'id="customer-card"' not in body or sent[2].encode() not in body:
                self.problems.append(f"{call_id}: card HTTP {status} without the expected customer")


# --- runs ---------------------------------------------------------------------------------------------------------

def mobile_of(n: int) -> str:
    from kefu.core.demo import MOBILE_PREFIXES

    return f"{MOBILE_PREFIXES[n % len(MOBILE_PREFIXES)]}{n:08d}"


def pop_run(port: int, run: str, agents: list[tuple[int, str, str]], count: int, rate: float, posters: int,
            customers: int, board: Board, rng: random.Random) -> None:
    """`count` offered calls at `rate` per second, agents in turn; each from a random customer's mobile."""
    plan = []
    for index in range(count):
        user_id, extension, _session = agents[index % len(agents)]
        n = rng.randrange(customers)
        plan.append((f"{run}-{index}", user_id, extension, mobile_of(n), f"BK{n:09d}"))
    started = time.perf_counter()

    def send(index: int) -> None:
        call_id, user_id, extension, caller, customer_number = plan[index]
        due = started + index / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        event = {"id": f"{call_id}-offered", "type": "offered", "call_id": call_id, "timestamp": time.time(),
                 "caller": caller, "called": "4008208820", "queue": "support", "agent": extension}
        with board.lock:
            board.sent[call_id] = (time.perf_counter(), user_id, customer_number)
        before = time.perf_counter()
        status, body = post_events(port, [event])
        with board.lock:
            board.post_ms.append((time.perf_counter() - before) * 1000)
            if status != 200:
                board.problems.append(f"{call_id}: POST {status} {body[:200]!r}")

    with ThreadPoolExecutor(posters) as pool:
        list(pool.map(send, range(count)))
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with board.lock:
            done = all(call_id in board.card_at for call_id, *_rest in plan)
        if done:
            break
        time.sleep(0.1)


def summary(values_ms: list[float]) -> dict:
    values = sorted(values_ms)
    if not values:
        return {"n": 0}
    return {"n": len(values), "p50": round(_django.percentile(values, 50), 1),
            "p95": round(_django.percentile(values, 95), 1), "p99": round(_django.percentile(values, 99), 1),
            "max": round(values[-1], 1)}


def latencies(board: Board, prefix: str) -> dict:
    with board.lock:
        calls = [c for c in board.sent if c.startswith(prefix)]
        push = [(board.push_at[c] - board.sent[c][0]) * 1000 for c in calls if c in board.push_at]
        card = [(board.card_at[c] - board.sent[c][0]) * 1000 for c in calls if c in board.card_at]
        missing = [c for c in calls if c not in board.card_at]
    return {"pops": len(calls), "push_ms": summary(push), "card_ms": summary(card), "missing": len(missing)}


def throughput_run(port: int, run: str, agents: list[tuple[int, str, str]], calls: int, batch: int,
                   board: Board) -> dict:
    events = []
    for index in range(calls):
        call_id = f"{run}-{index}"
        user_id, extension, _session = agents[index % len(agents)]
        board.sent[call_id] = (time.perf_counter(), user_id, "")
        base = time.time() - calls + index
        steps = [("offered", 0, {"caller": mobile_of(index), "called": "4008208820", "agent": extension}),
                 ("queued", 1, {"queue": "support"}), ("answered", 5, {"agent": extension}), ("ended", 95, {}),
                 ("recording_ready", 100, {"recording_url": f"https://rec.example.cn/{call_id}.wav"})]
        for step, (kind, offset, data) in enumerate(steps):
            events.append((base + offset, {"id": f"{call_id}-{step}", "type": kind, "call_id": call_id,
                                           "timestamp": base + offset, **data}))
    events.sort(key=lambda item: item[0])
    bodies = [[event for _at, event in events[i:i + batch]] for i in range(0, len(events), batch)]
    failures: list[str] = []
    started = time.perf_counter()

    def send(chunk: list[dict]) -> None:
        status, body = post_events(port, chunk)
        if status != 200:
            failures.append(f"{status} {body[:200]!r}")

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(send, bodies))
    elapsed = time.perf_counter() - started
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with board.lock:
            arrived = sum(1 for index in range(calls) if f"{run}-{index}" in board.push_at)
        if arrived == calls:
            break
        time.sleep(0.2)
    return {"calls": calls, "events": len(events), "batch": batch, "seconds": round(elapsed, 2),
            "events_per_second": round(len(events) / elapsed), "failed_requests": len(failures),
            "pops_delivered": arrived, "failures": failures[:3]}


def main() -> None:
    args = parse_args()
    _django.setup()
    _django.migrate_if_needed()
    from django.db import connection

    from kefu.core import push
    from kefu.customers.models import Customer

    database = _django.database_description()
    print(f"database: {database}", flush=True)
    if connection.vendor != "postgresql":
        print("note: not PostgreSQL — the streams poll the outbox every 0.2 s instead of LISTEN/NOTIFY", flush=True)
    lookup.load(args.customers, args.batch_load, analyze=True)
    customers = Customer.objects.filter(customer_number__startswith="BK").count()
    print(f"data: {Customer.objects.count()} customers ({customers} benchmark)", flush=True)
    agents = ensure_agents(args.agents)
    threads = args.threads or args.agents + 16
    rng = random.Random(args.seed)
    load_before = _django.load_average()
    print(f"machine: {load_before} (before)", flush=True)
    server = start_gunicorn(args.port, args.workers, threads)
    board = Board()
    browsers = [Browser(args.port, user_id, session, push.latest_id(user_id), board)
                for user_id, _extension, session in agents]
    connection.close()
    figures: dict = {"database": database, "customers": customers, "agents": args.agents,
                     "gunicorn": f"{args.workers} processes × {threads} threads (gthread)", "cpus": os.cpu_count(),
                     "machine_before": load_before}
    try:
        for browser in browsers:
            browser.start()
        for browser in browsers:
            if not browser.ready.wait(30):
                raise SystemExit("a stream did not open")
        run = f"pop{int(time.time())}"
        print(f"{len(browsers)} streams open; {args.warmup} warm-up pops, then {args.pops} timed at {args.rate}/s",
              flush=True)
        pop_run(args.port, f"{run}w", agents, args.warmup, args.rate, args.posters, customers, board, rng)
        pop_run(args.port, f"{run}t", agents, args.pops, args.rate, args.posters, customers, board, rng)
        timed = latencies(board, f"{run}t")
        timed["post_ms"] = summary(board.post_ms[args.warmup:])
        figures["pops"] = timed
        print(json.dumps(timed, ensure_ascii=False), flush=True)
        if args.calls:
            for browser in browsers:
                browser.fetch_cards = False
            figures["throughput"] = throughput_run(args.port, f"{run}x", agents, args.calls, args.batch, board)
            print(json.dumps(figures["throughput"], ensure_ascii=False), flush=True)
    finally:
        for browser in browsers:
            browser.stop = True
            sock = browser.stream.sock if browser.stream is not None else None
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        stop_gunicorn(server)
    figures["machine_after"] = _django.load_average()
    figures["problems"] = board.problems[:20]
    figures["problem_count"] = len(board.problems)
    figures["stream_notes"] = board.notes[:10]
    print(f"machine: {figures['machine_after']} (after)")
    pops = figures["pops"]
    print(f"\nscreen pop, {pops['pops']} pops to {args.agents} agents at {args.rate}/s, {customers} customers, "
          f"{figures['gunicorn']}, {database}")
    print("                         p50      p95      p99      max   (ms from just before the POST is sent)")
    for label, key in (("POST answered", "post_ms"), ("push on the stream", "push_ms"), ("card fetched", "card_ms")):
        row = pops[key]
        print(f"  {label:<20} {row['p50']:>8} {row['p95']:>8} {row['p99']:>8} {row['max']:>8}")
    print(f"  missing pops: {pops['missing']}; problems: {len(board.problems)}")
    if "throughput" in figures:
        t = figures["throughput"]
        print(f"throughput: {t['events']} events in batches of {t['batch']}: {t['events_per_second']} events/s, "
              f"{t['pops_delivered']}/{t['calls']} pops delivered, {t['failed_requests']} failed requests")
    for problem in board.problems[:10]:
        print("problem:", problem)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=2))
        print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
