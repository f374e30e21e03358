#!/usr/bin/env python
"""Deadline arithmetic speed (issue 5, R11.1): working-time deadlines per second, from 1 hour to 1 year.

    .venv/bin/python bench/deadlines.py            # 100,000 deadlines per duration
    .venv/bin/python bench/deadlines.py --n 20000 --json figures.json

Builds the "default" calendar (China's official working days 2004–2026 from the chinese-calendar package, as
seeded into the database; 09:00–18:00) as the plain `kefu.calendars.arithmetic.CalendarSpec` that
`kefu.calendars.selectors.calendar_spec()` caches, then times `arithmetic.deadline()` — the entry point the
API, the CLI and the SLA code call, input checks included — for random starts (2005–2024, to the second) and
working-time durations from 1 working hour to 1 year of working hours. No database is needed: the ORM part
(building the spec) happens once per process and calendar change. Every 97th deadline is checked against a slow
day-by-day walk over chinese-calendar's is_workday(); a mismatch aborts. Target: ≥ 20,000 deadlines/second
whatever the duration.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TARGET = 20_000
SH = ZoneInfo("Asia/Shanghai")
# (label, unit, amount): 1 year of working time ≈ 250 working days × 9 h.
DURATIONS = [
    ("1 working hour", "working_hours", 1),
    ("8 working hours", "working_hours", 8),
    ("1 working day (9 h)", "working_hours", 9),
    ("1 week (45 h)", "working_hours", 45),
    ("1 month (~200 h)", "working_hours", 200),
    ("1 quarter (~570 h)", "working_hours", 570),
    ("1 year (2,250 h)", "working_hours", 2250),
    ("3 working days", "working_days", 3),
    ("250 working days", "working_days", 250),
]


def setup_django() -> None:
    """Only the translation machinery is used (for error messages); no database, no project settings."""
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=True, USE_TZ=True, TIME_ZONE="Asia/Shanghai", LANGUAGE_CODE="en",
                           INSTALLED_APPS=[])
    django.setup()


def build_spec():
    from chinese_calendar import constants

    from kefu.calendars import arithmetic

    years = frozenset(range(min(constants.holidays).year, max(constants.holidays).year + 1))
    exceptions = {day: False for day in constants.holidays} | {day: True for day in constants.workdays}
    return arithmetic.CalendarSpec(name="default", intervals=(arithmetic.hours("09:00", "18:00"),), years=years,
                                   working_days=arithmetic.official_working_days(years, exceptions))


def reference(start: datetime, unit: str, amount: int) -> datetime:
    """Slow and obvious: walk day by day with chinese_calendar.is_workday()."""
    import chinese_calendar

    local = start.astimezone(SH)
    if unit == "working_days":
        day, left = local.date(), amount
        while left:
            day += timedelta(days=1)
            left -= chinese_calendar.is_workday(day)
        return datetime.combine(day, datetime.min.time(), SH) + timedelta(hours=18)
    left, day = timedelta(hours=amount), local.date()
    while True:
        if chinese_calendar.is_workday(day):
            opening = max(datetime.combine(day, datetime.min.time(), SH) + timedelta(hours=9), local)
            closing = datetime.combine(day, datetime.min.time(), SH) + timedelta(hours=18)
            if closing > opening:
                if left <= closing - opening:
                    return opening + left
                left -= closing - opening
        day += timedelta(days=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="deadlines per duration (default 100,000)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    setup_django()
    from kefu.calendars import arithmetic

    started = time.perf_counter()
    spec = build_spec()
    build_ms = (time.perf_counter() - started) * 1000
    rng = random.Random(args.seed)
    first, last = date(2005, 1, 1).toordinal(), date(2024, 12, 31).toordinal()
    starts = [datetime.combine(date.fromordinal(rng.randint(first, last)), datetime.min.time(), SH)
              + timedelta(seconds=rng.randrange(86_400)) for _ in range(args.n)]
    print(f"Kefu deadline arithmetic — Python {platform.python_version()} on {platform.machine()}, "
          f"{args.n:,} deadlines per duration; calendar built in {build_ms:.1f} ms")
    print(f"{'duration':<22} {'deadlines/s':>12} {'µs each':>9}  check")
    rows, worst = [], float("inf")
    for label, unit, amount in DURATIONS:
        deadline = arithmetic.deadline
        for start in starts[:1000]:  # warm-up
            deadline(spec, start, amount, unit)
        began = time.perf_counter()
        results = [deadline(spec, start, amount, unit) for start in starts]
        elapsed = time.perf_counter() - began
        for index in range(0, args.n, 97):
            expected = reference(starts[index], unit, amount)
            if results[index] != expected:
                print(f"WRONG: {starts[index].isoformat()} + {amount} {unit} = {results[index].isoformat()}, "
                      f"expected {expected.isoformat()}")
                return 1
        rate = args.n / elapsed
        worst = min(worst, rate)
        rows.append({"duration": label, "unit": unit, "amount": amount, "per_second": round(rate),
                     "microseconds": round(elapsed / args.n * 1e6, 2)})
        print(f"{label:<22} {rate:>12,.0f} {elapsed / args.n * 1e6:>9.2f}  ok ({len(range(0, args.n, 97))} checked)")
    verdict = "PASS" if worst >= TARGET else "FAIL"
    print(f"slowest: {worst:,.0f} deadlines/s (target ≥ {TARGET:,}): {verdict}")
    if args.json:
        Path(args.json).write_text(json.dumps({"n": args.n, "build_ms": round(build_ms, 1), "rows": rows,
                                               "slowest_per_second": round(worst), "target": TARGET}, indent=1))
    return 0 if worst >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
