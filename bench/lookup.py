#!/usr/bin/env python
"""Look-up speed benchmark (issue "Foundation", R2.2): time `customer_lookup()` on a large data set.

    KEFU_DATA_DIR=/tmp/kefu-bench-sqlite .venv/bin/python bench/lookup.py --customers 1000000 --queries 500
    KEFU_DATABASE_URL=postgres://kefu@127.0.0.1:55433/kefu_bench .venv/bin/python bench/lookup.py ...

Migrates if needed, loads `--customers` benchmark customers with `kefu.core.demo.customers_bulk()` (3 phone
numbers each) unless they are there already, then times the one search-box function used by the UI and by
`/api/v1/lookup/?q=` for each kind of query, over many random queries run in shuffled order, and prints
p50/p95/p99/max in milliseconds. With `--api` it also times the whole HTTP request (routing, middleware,
permission check, serializer with masking) through Django's test client. Times are taken in the server
process (no network); each query is checked to find what it should (a wrong answer is reported).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _django  # noqa: E402

CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
TARGET_MS = {"mobile": 20, "landline": 20, "customer_number": 20, "merchant_number": 20}
TARGET_NAME_PG_MS = 150

KINDS = {
    "mobile": "exact mobile number, e.g. 13800123456",
    "landline": "landline as typed, e.g. 021-20123456 / (0755) 2012 3456 转 456",
    "customer_number": "customer number, e.g. bk000123456 (lower case)",
    "merchant_number": "merchant number, e.g. 899000000123456",
    "name3": "name fragment of 3-4 Chinese characters that occurs",
    "name2": "name fragment of 2 Chinese characters that occurs",
    "name_miss": "3 Chinese characters that occur in no name (worst case)",
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="benchmark customers to have (default 1M)")
    parser.add_argument("--queries", type=int, default=500, help="timed queries per kind (default 500)")
    parser.add_argument("--warmup", type=int, default=100, help="untimed queries first (default 100)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--batch", type=int, default=5000, help="customers_bulk batch size")
    parser.add_argument("--no-load", action="store_true", help="use what is there; do not load customers")
    parser.add_argument("--no-analyze", action="store_true", help="PostgreSQL: skip ANALYZE after loading")
    parser.add_argument("--api", action="store_true", help="also time GET /api/v1/lookup/?q= (test client)")
    parser.add_argument("--sql-times", action="store_true", help="also report the time spent in SQL per look-up")
    parser.add_argument("--explain", action="store_true", help="print the plan of one query of each name kind")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--allow-dev-db", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def load(count: int, batch: int, analyze: bool) -> dict:
    from django.db import connection

    from kefu.core.demo import customers_bulk
    from kefu.customers.models import Customer

    have = Customer.objects.filter(customer_number__startswith="BK").count()
    info = {"had": have, "load_seconds": None}
    if have < count:
        print(f"loading benchmark customers: {have} there, {count} wanted", flush=True)
        started = time.perf_counter()
        last = [started]

        def out(line: str) -> None:
            now = time.perf_counter()
            if now - last[0] >= 30 or line.startswith(f"{count}/"):
                last[0] = now
                print(f"  {line}  ({now - started:.0f} s)", flush=True)

        customers_bulk(count, batch=batch, out=out)
        info["load_seconds"] = round(time.perf_counter() - started, 1)
        print(f"loaded in {info['load_seconds']} s", flush=True)
    if analyze and connection.vendor == "postgresql":
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE customers_customer, customers_customerphone")
        print(f"ANALYZE in {time.perf_counter() - started:.1f} s", flush=True)
    return info


def bench_user():
    from kefu.accounts.models import User
    from kefu.accounts.services import user_create
    from kefu.core import permissions

    user = User.objects.filter(username="bench-agent").first() or user_create(
        username="bench-agent", password=None, full_name="压测坐席", roles=["agent"])
    if not permissions.has_permission(user, "customers.customer:view"):
        sys.exit("the agent role lacks customers.customer:view; the look-up would return nothing")
    return user


def landline_as_typed(number: str, extension: str, rng: random.Random) -> str:
    area = 3 if number[1] in "12" else 4
    head, rest = number[:area], number[area:]
    text = rng.choice([f"{head}-{rest}", f"({head}) {rest[:4]} {rest[4:]}", f"{head} {rest}"])
    return f"{text} 转 {extension}" if extension else text


def make_queries(count: int, per_kind: int, rng: random.Random) -> tuple[dict[str, list], dict]:
    """kind → [(query, expected)]; expected is the customer id to find, "any" (some name hit) or None."""
    from kefu.core.phones import normalise_query
    from kefu.customers.models import Customer, CustomerPhone

    indexes = rng.sample(range(count), min(count, per_kind * 4))
    numbers = [f"BK{i:09d}" for i in indexes]
    customers = {}
    for start in range(0, len(numbers), 900):
        for row in Customer.objects.filter(customer_number__in=numbers[start:start + 900]).values(
                "id", "customer_number", "merchant_number", "name"):
            customers[row["id"]] = row
    phones = defaultdict(list)
    ids = list(customers)
    for start in range(0, len(ids), 900):
        for row in CustomerPhone.objects.filter(customer_id__in=ids[start:start + 900]).values(
                "customer_id", "number", "extension", "kind"):
            phones[row["customer_id"]].append(row)
    stats = {"mobile_not_parsable": 0, "mobile_checked": 0, "landline_not_parsable": 0, "landline_checked": 0}
    queries: dict[str, list] = defaultdict(list)
    rows = list(customers.values())
    rng.shuffle(rows)
    for row in rows:
        pk = row["id"]
        mobiles = [p for p in phones[pk] if p["kind"] == "mobile"]
        landlines = [p for p in phones[pk] if p["kind"] == "landline"]
        for mobile in mobiles:
            stats["mobile_checked"] += 1
            if normalise_query(mobile["number"]) != mobile["number"]:
                stats["mobile_not_parsable"] += 1  # the search box cannot find this customer by it
            elif len(queries["mobile"]) < per_kind:
                queries["mobile"].append((mobile["number"], pk))
        for phone in landlines:
            stats["landline_checked"] += 1
            if normalise_query(phone["number"]) != phone["number"]:
                stats["landline_not_parsable"] += 1
        landlines = [p for p in landlines if normalise_query(p["number"]) == p["number"]]
        if landlines and len(queries["landline"]) < per_kind:
            phone = rng.choice(landlines)
            queries["landline"].append((landline_as_typed(phone["number"], phone["extension"], rng), pk))
        if len(queries["customer_number"]) < per_kind:
            number = row["customer_number"]
            queries["customer_number"].append((number.lower() if rng.random() < 0.5 else number, pk))
        if row["merchant_number"] and len(queries["merchant_number"]) < per_kind:
            queries["merchant_number"].append((row["merchant_number"], pk))
        runs = CJK_RUN.findall(row["name"])
        for kind, lengths in (("name3", (3, 4)), ("name2", (2,))):
            if len(queries[kind]) >= per_kind:
                continue
            length = rng.choice(lengths)
            usable = [r for r in runs if len(r) >= length]
            if usable:
                run = rng.choice(usable)
                start = rng.randrange(len(run) - length + 1)
                queries[kind].append((run[start:start + length], "any"))
    used = set("".join(r["name"] for r in rows))
    pool = [chr(c) for c in range(0x4E00, 0x9FA6) if chr(c) not in used]
    for _ in range(per_kind):
        queries["name_miss"].append(("".join(rng.sample(pool, 3)), None))
    stats["sample_names"] = [r["name"] for r in rows[:5]]
    return queries, stats


def split(queries: dict, warm_each: int, rng: random.Random) -> tuple[list, list]:
    """Untimed warm-up and timed queries, each a shuffled list of (kind, query, expected)."""
    warm = [(kind, q, e) for kind, items in queries.items() for q, e in items[:warm_each]]
    timed = [(kind, q, e) for kind, items in queries.items() for q, e in items[warm_each:]]
    rng.shuffle(warm)
    rng.shuffle(timed)
    return warm, timed


def expected_kind(kind: str) -> str | None:
    return {"mobile": "phone", "landline": "phone", "customer_number": "customer_number",
            "merchant_number": "merchant_number", "name3": "name", "name2": "name", "name_miss": None}[kind]


class GcPauses:
    """Total time this process spent in the garbage collector (the spikes in max are mostly these pauses)."""

    def __init__(self):
        self.total_ms = 0.0
        self._started = 0

    def __call__(self, phase, info):
        if phase == "start":
            self._started = time.perf_counter_ns()
        else:
            self.total_ms += (time.perf_counter_ns() - self._started) / 1e6

    def __enter__(self):
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc):
        gc.callbacks.remove(self)


def run_function(user, warm, queries) -> dict:
    from kefu.customers.selectors import customer_lookup

    for _kind, query, _expected in warm:
        customer_lookup(user, query)
    gc_pauses = GcPauses()
    gc_hit = defaultdict(int)
    times = defaultdict(list)
    hits = defaultdict(list)
    wrong = defaultdict(list)
    slowest = defaultdict(list)
    for kind, query, expected in queries:
        paused = gc_pauses.total_ms
        with gc_pauses:
            started = time.perf_counter_ns()
            result = customer_lookup(user, query)
            elapsed = (time.perf_counter_ns() - started) / 1e6
        if gc_pauses.total_ms - paused > 5:
            gc_hit[kind] += 1
        times[kind].append(elapsed)
        hits[kind].append(len(result.customers))
        slowest[kind] = sorted([*slowest[kind], (elapsed, query, len(result.customers))], reverse=True)[:5]
        ids = {c.pk for c in result.customers}
        if result.matched_by != expected_kind(kind) or (isinstance(expected, int) and expected not in ids):
            wrong[kind].append((query, result.matched_by, len(ids)))
    return {"times": times, "hits": hits, "wrong": wrong, "slowest": slowest, "gc_ms": gc_pauses.total_ms,
            "gc_hit": gc_hit}


def run_api(user, warm, queries) -> dict:
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    for _kind, query, _expected in warm:
        client.get("/api/v1/lookup/", {"q": query})
    times = defaultdict(list)
    wrong = defaultdict(list)
    for kind, query, _expected in queries:
        started = time.perf_counter_ns()
        response = client.get("/api/v1/lookup/", {"q": query})
        elapsed = (time.perf_counter_ns() - started) / 1e6
        times[kind].append(elapsed)
        if response.status_code != 200:
            wrong[kind].append((query, response.status_code))
    return {"times": times, "hits": {}, "wrong": wrong}


def run_sql_times(user, queries) -> dict:
    """Time spent in the database per look-up (sum of Django's own per-query timings, round trip included):
    separates the database's share from Python's (model building, garbage collector, other processes)."""
    from django.db import connection

    from kefu.customers.selectors import customer_lookup

    spent = [0]

    def timer(execute, sql, params, many, context):
        started = time.perf_counter_ns()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter_ns() - started

    times = defaultdict(list)
    with connection.execute_wrapper(timer):
        for kind, query, _expected in queries:
            spent[0] = 0
            customer_lookup(user, query)
            times[kind].append(spent[0] / 1e6)
    return times


def summarise(times: dict) -> dict:
    out = {}
    for kind in KINDS:
        values = sorted(times.get(kind, []))
        if not values:
            continue
        out[kind] = {"n": len(values), "p50": _django.percentile(values, 50), "p95": _django.percentile(values, 95),
                     "p99": _django.percentile(values, 99), "max": values[-1], "mean": sum(values) / len(values)}
    return out


def print_table(title: str, summary: dict, hits: dict, wrong: dict, vendor: str) -> None:
    print(f"\n{title}")
    print(f"{'kind':<16} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'hits':>6} {'wrong':>5}  "
          f"target")
    for kind, s in summary.items():
        mean_hits = sum(hits[kind]) / len(hits[kind]) if hits.get(kind) else float("nan")
        target = TARGET_MS.get(kind)
        if kind == "name3" and vendor == "postgresql":
            target = TARGET_NAME_PG_MS
        verdict = "" if target is None else f"p95 ≤ {target}: {'met' if s['p95'] <= target else 'MISSED'}"
        print(f"{kind:<16} {s['n']:>5} {s['p50']:>8.2f} {s['p95']:>8.2f} {s['p99']:>8.2f} {s['max']:>8.2f} "
              f"{mean_hits:>6.1f} {len(wrong.get(kind, [])):>5}  {verdict}")
    for kind, items in wrong.items():
        if items:
            print(f"  {kind}: {len(items)} queries did not find what they should, e.g. {items[:3]}")


def explain(user, queries, slowest) -> None:
    """The plan of the name query as customer_lookup sends it (captured SQL, run under EXPLAIN): the first
    query of each name kind and the slowest of each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kefu.customers.selectors import customer_lookup

    shown = set()
    picks = [(kind, query) for kind, query, _expected in queries if kind.startswith("name")]
    picks += [(f"{kind} (slowest)", slowest[kind][0][1]) for kind in ("name3", "name2") if slowest.get(kind)]
    for kind, query in picks:
        if kind in shown:
            continue
        shown.add(kind)
        with CaptureQueriesContext(connection) as captured:
            customer_lookup(user, query)
        sql = next(q["sql"] for q in captured.captured_queries if "LIKE" in q["sql"])
        print(f"\n--- {kind} {query!r}\n{sql}")
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
            for row in cursor.fetchall():
                print("   ", " | ".join(str(c) for c in row))


def main() -> None:
    args = parse_args()
    _django.setup(allow_dev_db=args.allow_dev_db)
    from django.db import connection

    from kefu.customers.models import Customer, CustomerPhone

    _django.migrate_if_needed()
    database = _django.database_description()
    print(f"database: {database}", flush=True)
    print(f"machine: {_django.load_average()} (before)", flush=True)
    info = {} if args.no_load else load(args.customers, args.batch, analyze=not args.no_analyze)
    count = Customer.objects.filter(customer_number__startswith="BK").count()
    customers, phones = Customer.objects.count(), CustomerPhone.objects.count()
    print(f"data: {customers} customers ({count} benchmark), {phones} phone numbers", flush=True)
    user = bench_user()
    rng = random.Random(args.seed)
    warm_each = -(-args.warmup // len(KINDS))
    queries, stats = make_queries(count, args.queries + warm_each, rng)
    warm, timed = split(queries, warm_each, rng)
    for kind in ("mobile", "landline"):
        if stats[f"{kind}_not_parsable"]:
            print(f"note: {stats[f'{kind}_not_parsable']} of {stats[f'{kind}_checked']} sampled {kind} numbers are "
                  f"not valid to kefu.core.phones.parse_phone, so the search box cannot find them (left out)")
    print(f"sample names: {', '.join(stats['sample_names'])}")
    print(f"queries: {len(timed)} timed (shuffled kinds), {len(warm)} warm-up", flush=True)
    started = time.perf_counter()
    result = run_function(user, warm, timed)
    print(f"timed run took {time.perf_counter() - started:.1f} s; {_django.load_average()} (after)")
    summary = summarise(result["times"])
    print_table(f"customer_lookup() on {database}, {count} benchmark customers, {phones} phones",
                summary, result["hits"], result["wrong"], connection.vendor)
    print(f"\nPython garbage collector: {result['gc_ms']:.0f} ms in all; queries that included a pause over 5 ms: "
          + (", ".join(f"{k} {v}" for k, v in result["gc_hit"].items()) or "none"))
    print("slowest name queries (ms, query, customers found):")
    for kind in ("name3", "name2", "name_miss"):
        print(f"  {kind:<10} " + ", ".join(f"{ms:.0f} {q} ({n})" for ms, q, n in result["slowest"][kind]))
    figures = {"database": database, "vendor": connection.vendor, "customers": customers, "phones": phones,
               "machine_after": _django.load_average(), "load": info, "function": summary,
               "wrong": {k: len(v) for k, v in result["wrong"].items()},
               "mean_hits": {k: sum(v) / len(v) for k, v in result["hits"].items() if v}, "stats": stats,
               "slowest": result["slowest"], "gc_ms": result["gc_ms"], "gc_hit": result["gc_hit"]}
    if args.api:
        api = run_api(user, warm, timed)
        api_summary = summarise(api["times"])
        print_table("GET /api/v1/lookup/?q= (whole request in the test client)", api_summary, result["hits"],
                    api["wrong"], connection.vendor)
        figures["api"] = api_summary
    if args.sql_times:
        sql_summary = summarise(run_sql_times(user, timed))
        title = "time in the database only (SQL of each look-up, round trip included)"
        if connection.vendor == "sqlite":
            title += " — SQLite: execute() up to the first row only; the rest is produced while Python fetches"
        print_table(title, sql_summary, result["hits"], {}, connection.vendor)
        figures["sql"] = sql_summary
    if args.explain:
        explain(user, timed, result["slowest"])
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=2))
        print(f"\nfigures written to {args.json}")


if __name__ == "__main__":
    main()
