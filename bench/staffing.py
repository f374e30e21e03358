#!/usr/bin/env python
"""Staffing speed benchmark (issue 7, R9.2): Erlang C and Erlang A for a day's plan and for one big queue.

    .venv/bin/python bench/staffing.py [--repeat 15] [--json FILE]

Targets: staffing for 96 intervals × 20 queues in ≤ 100 ms in total; one Erlang A computation at 1,000 Erlangs
in ≤ 5 ms. The plan is a synthetic but realistic day: 20 queues of 400 to 30,000 calls a day spread over 96
quarter-hours (night trough, morning and afternoon peaks), AHT 120–420 s, 80 % answered within 20 s, patience
60–240 s for Erlang A. "Staffing" is the whole job: the minimum agents per interval (`agents_array`) and the
figures at that staffing (`figures_array`: service level, ASA, occupancy, P(wait), P(abandon)). For reference
the same 1,920 intervals are also run one by one through `erlang.staffing()`, the path of `kefu staffing` and
the API. Pure computation: no database, no Django. Times are wall-clock, best and median of --repeat runs.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kefu.workforce import erlang  # noqa: E402

PLAN_TARGET_MS = 100
SINGLE_TARGET_MS = 5


def day_profile(intervals: int = 96) -> np.ndarray:
    """Share of a day's calls per quarter-hour: a night trough and peaks around 10:00 and 15:00."""
    hours = (np.arange(intervals) + 0.5) * 24 / intervals
    shape = 0.08 + np.exp(-((hours - 10) / 2.2) ** 2) + 0.8 * np.exp(-((hours - 15) / 2.5) ** 2)
    return shape / shape.sum()


def plan(seed: int = 2026) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    queues, intervals, interval_seconds = 20, 96, 900
    daily = np.geomspace(400, 30_000, queues)
    aht = rng.integers(120, 421, queues).astype(float)
    patience = rng.integers(60, 241, queues).astype(float)
    calls = daily[:, None] * day_profile(intervals)[None, :] * rng.uniform(0.9, 1.1, (queues, intervals))
    traffic = calls * aht[:, None] / interval_seconds
    return {"traffic": traffic.ravel(), "aht": np.repeat(aht, intervals), "patience": np.repeat(patience, intervals),
            "calls": calls.ravel(), "interval_seconds": interval_seconds}


def timed(function, repeat: int) -> list[float]:
    function()  # warm-up (imports, caches)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times: list[float]) -> dict[str, float]:
    return {"best_ms": round(min(times), 3), "median_ms": round(statistics.median(times), 3),
            "max_ms": round(max(times), 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    day = plan()
    traffic, aht, patience = day["traffic"], day["aht"], day["patience"]

    def plan_c():
        agents = erlang.agents_array(traffic, aht, 20, service_level=0.8)
        return agents, erlang.figures_array(agents, traffic, aht, 20)

    def plan_a():
        agents = erlang.agents_array(traffic, aht, 20, service_level=0.8, patience_seconds=patience)
        return agents, erlang.figures_array(agents, traffic, aht, 20, patience)

    def one_by_one(with_patience: bool):
        def run():
            for calls, handling, wait in zip(day["calls"].tolist(), aht.tolist(), patience.tolist(), strict=True):
                erlang.staffing(calls=calls, interval_seconds=day["interval_seconds"], aht_seconds=handling,
                                answer_within_seconds=20, service_level=0.8,
                                patience_seconds=wait if with_patience else None)
        return run

    def single_a():
        n = erlang.agents_for_targets(1000, 180, 20, service_level=0.8, patience_seconds=120)
        return erlang.queue_figures(n, 1000, 180, 20, 120)

    agents_c, figures_c = plan_c()
    agents_a, figures_a = plan_a()
    big = single_a()
    results = {
        "machine": f"{platform.python_implementation()} {platform.python_version()}, numpy {np.__version__}, "
                   f"{platform.machine()}",
        "plan": {"queues": 20, "intervals": 96, "traffic_erlangs_max": round(float(traffic.max()), 1),
                 "traffic_erlangs_total": round(float(traffic.sum()), 1),
                 "agents_erlang_c_peak_interval": int(agents_c.reshape(20, 96).sum(axis=0).max()),
                 "agents_erlang_a_peak_interval": int(agents_a.reshape(20, 96).sum(axis=0).max()),
                 "all_targets_met": bool((figures_c["service_level"] >= 0.8).all()
                                         and (figures_a["service_level"] >= 0.8).all())},
        "plan_erlang_c": summary(timed(plan_c, args.repeat)),
        "plan_erlang_a": summary(timed(plan_a, args.repeat)),
        "one_by_one_erlang_c": summary(timed(one_by_one(False), max(3, args.repeat // 5))),
        "one_by_one_erlang_a": summary(timed(one_by_one(True), max(3, args.repeat // 5))),
        "single_erlang_a_1000_erlangs": {
            **summary(timed(single_a, args.repeat * 4)), "agents": big.agents,
            "service_level": round(big.service_level, 4), "p_abandon": round(big.p_abandon, 4)},
        "single_erlang_a_1000_erlangs_figures_only": summary(
            timed(lambda: erlang.queue_figures(big.agents, 1000, 180, 20, 120), args.repeat * 4)),
    }
    ok_plan = max(results["plan_erlang_c"]["median_ms"], results["plan_erlang_a"]["median_ms"]) <= PLAN_TARGET_MS
    ok_single = results["single_erlang_a_1000_erlangs"]["median_ms"] <= SINGLE_TARGET_MS
    results["targets"] = {"plan_ms": PLAN_TARGET_MS, "single_erlang_a_ms": SINGLE_TARGET_MS,
                          "plan_met": ok_plan, "single_met": ok_single}

    print(f"machine: {results['machine']}")
    p = results["plan"]
    print(f"plan: 20 queues × 96 quarter-hours, {p['traffic_erlangs_total']} Erlang-intervals, busiest queue "
          f"interval {p['traffic_erlangs_max']} E; peak agents C {p['agents_erlang_c_peak_interval']}, "
          f"A {p['agents_erlang_a_peak_interval']}; all 80/20 targets met: {p['all_targets_met']}")
    for key, label in (("plan_erlang_c", "96×20 plan, Erlang C (vectorised)"),
                       ("plan_erlang_a", "96×20 plan, Erlang A (vectorised)"),
                       ("one_by_one_erlang_c", "96×20 one by one via staffing(), Erlang C"),
                       ("one_by_one_erlang_a", "96×20 one by one via staffing(), Erlang A"),
                       ("single_erlang_a_1000_erlangs", "one Erlang A at 1,000 E: search + figures"),
                       ("single_erlang_a_1000_erlangs_figures_only", "one Erlang A at 1,000 E: figures only")):
        r = results[key]
        print(f"{label:<48} best {r['best_ms']:>8.3f} ms  median {r['median_ms']:>8.3f} ms  max {r['max_ms']:>8.3f} ms")
    print(f"targets: plan ≤ {PLAN_TARGET_MS} ms {'met' if ok_plan else 'MISSED'}; "
          f"single Erlang A ≤ {SINGLE_TARGET_MS} ms {'met' if ok_single else 'MISSED'}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0 if ok_plan and ok_single else 1


if __name__ == "__main__":
    sys.exit(main())
