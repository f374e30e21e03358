"""How many agents start each shift each day (R9.5 [000]) — a pure module: OR-Tools CP-SAT, no database.

The day is cut into intervals of 15 or 30 minutes. A shift template starts at a time of day and lasts up to 24
hours, so a night shift (20:00–08:00) started on day d covers the evening of d and the morning of d + 1. The
integer programme:

    minimise   Σ_{d,t} paid_minutes(t) · x[d, t]  +  P · Σ_{d,i} short[d, i]
    subject to Σ_{(d', t) covering (d, i)} x[d', t] + short[d, i] ≥ required[d, i]    for every interval
               Σ_t x[d, t] ≤ headcount[d]                                            (when a day's headcount is given)
               x integer ≥ 0, 0 ≤ short[d, i] ≤ required[d, i]

`required[d, i]` already holds the agents to schedule (Erlang staffing after the occupancy cap, the minimum per
period, shrinkage). P = (largest paid minutes of a shift) + 1, so covering one more agent-interval always beats
saving a shift: the solver leaves an interval short only when nothing can cover it (no template reaches it, or
the day's headcount is used up). Intervals no template reaches are reported as uncoverable and left out of the
model. Shifts that started the day before the horizon and run into its first morning are variables too
(`lead_in`), or constants when the previous plan's last-day starts are given (then they cost nothing here).

Without a headcount limit every column of the coverage matrix is a run of consecutive intervals, so the matrix
is an interval matrix (totally unimodular): the LP relaxation is integral and CP-SAT proves optimality at once.
The result states CP-SAT's status, the objective, the best bound and the relative gap.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

MINUTES_PER_DAY = 24 * 60

OPTIMAL = "optimal"
FEASIBLE = "feasible"
INFEASIBLE = "infeasible"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class ShiftSpec:
    """One shift template: start (minutes after midnight), length and paid minutes (≤ 24 hours)."""

    code: str
    start_minute: int
    duration_minutes: int
    paid_minutes: int
    is_night: bool = False

    @property
    def end_minute(self) -> int:
        """Minutes after the start day's midnight; above 1,440 when the shift crosses midnight."""
        return self.start_minute + self.duration_minutes

    def covered(self, interval_minutes: int) -> range:
        """Indexes of the intervals (counted from the start day's midnight, so ≥ intervals-per-day means the next
        day) wholly inside the shift."""
        first = math.ceil(self.start_minute / interval_minutes)
        last = self.end_minute // interval_minutes
        return range(first, last)


def check_shift(spec: ShiftSpec) -> None:
    if not 0 <= spec.start_minute < MINUTES_PER_DAY:
        raise ValueError(f"shift {spec.code}: start outside the day")
    if not 0 < spec.duration_minutes <= MINUTES_PER_DAY:
        raise ValueError(f"shift {spec.code}: a shift lasts more than 0 and at most 24 hours")
    if spec.paid_minutes < 0:
        raise ValueError(f"shift {spec.code}: negative paid time")


@dataclass
class PlanResult:
    """The optimiser's answer (arrays are days × templates and days × intervals)."""

    status: str
    starts: np.ndarray
    lead_in: np.ndarray
    required: np.ndarray
    scheduled: np.ndarray
    short: np.ndarray
    uncoverable: np.ndarray
    paid_minutes: int
    objective: float | None
    best_bound: float | None
    wall_seconds: float
    templates: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float | None:
        """Relative gap (objective − bound) / objective; 0 when optimal."""
        if self.objective is None or self.best_bound is None:
            return None
        if self.status == OPTIMAL:
            return 0.0
        return abs(self.objective - self.best_bound) / max(abs(self.objective), 1e-9)

    @property
    def short_intervals(self) -> list[tuple[int, int, int]]:
        """(day, interval, agents missing) for every interval not fully covered (uncoverable ones included)."""
        missing = self.short + self.uncoverable
        return [(int(d), int(i), int(missing[d, i])) for d, i in zip(*np.nonzero(missing), strict=True)]

    def summary(self) -> dict[str, object]:
        return {"status": self.status, "objective": self.objective, "best_bound": self.best_bound, "gap": self.gap,
                "paid_hours": self.paid_minutes / 60, "wall_seconds": round(self.wall_seconds, 3),
                "short_intervals": len(self.short_intervals),
                "uncoverable_intervals": int(np.count_nonzero(self.uncoverable)),
                "shifts": int(self.starts.sum())}


def coverage_columns(templates: Sequence[ShiftSpec], days: int, interval_minutes: int
                     ) -> tuple[dict[tuple[int, int], list[int]], int]:
    """For every (start day, template), with start day −1 for shifts running into the first morning: the flat
    indexes d·I + i of the horizon's intervals it covers."""
    per_day = MINUTES_PER_DAY // interval_minutes
    columns: dict[tuple[int, int], list[int]] = {}
    for t, spec in enumerate(templates):
        covered = list(spec.covered(interval_minutes))
        for day in range(-1, days):
            cells = [day * per_day + i for i in covered if 0 <= day * per_day + i < days * per_day]
            if day == -1 and not cells:
                continue
            columns[(day, t)] = cells
    return columns, per_day


def plan_shifts(required: np.ndarray, templates: Sequence[ShiftSpec], interval_minutes: int, *,
                time_limit_seconds: float = 30.0, workers: int = 2, headcount: Sequence[int | None] | None = None,
                previous_lead_in: Mapping[str, int] | None = None, seed: int = 0) -> PlanResult:
    """R9.5: the cheapest starts per day and template covering `required` (days × intervals, agents to schedule).

    `headcount[d]` caps the shifts starting on day d (None: no cap); `previous_lead_in` fixes the shifts started
    the day before the horizon (by template code), e.g. the last day of the previous month's plan.
    """
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    required = np.asarray(required, dtype=np.int64)
    if required.ndim != 2 or MINUTES_PER_DAY % interval_minutes:
        raise ValueError("required must be days × intervals of a whole day")
    days, per_day = required.shape
    if per_day != MINUTES_PER_DAY // interval_minutes:
        raise ValueError("required has the wrong number of intervals per day")
    for spec in templates:
        check_shift(spec)
    columns, _ = coverage_columns(templates, days, interval_minutes)
    flat = required.ravel()
    covering: list[list[tuple[int, int]]] = [[] for _ in range(days * per_day)]
    for key, cells in columns.items():
        for cell in cells:
            covering[cell].append(key)
    uncoverable = np.array([flat[c] if not covering[c] else 0 for c in range(len(flat))], dtype=np.int64)

    model = cp_model.CpModel()
    penalty = max([s.paid_minutes for s in templates] + [0]) + 1
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    fixed_lead = {code: int(n) for code, n in (previous_lead_in or {}).items()}
    for (day, t), cells in columns.items():
        upper = int(max((flat[c] for c in cells), default=0))
        if day == -1 and previous_lead_in is not None:
            value = fixed_lead.get(templates[t].code, 0)
            x[(day, t)] = model.new_constant(value)
            continue
        if headcount is not None and day >= 0 and headcount[day] is not None:
            upper = min(upper, int(headcount[day]))
        x[(day, t)] = model.new_int_var(0, max(upper, 0), f"x_{day}_{t}")
    short: dict[int, cp_model.IntVar] = {}
    for cell, keys in enumerate(covering):
        need = int(flat[cell])
        if need <= 0 or not keys:
            continue
        short[cell] = model.new_int_var(0, need, f"s_{cell}")
        model.add(sum(x[k] for k in keys) + short[cell] >= need)
    if headcount is not None:
        for day, cap in enumerate(headcount):
            if cap is not None:
                model.add(sum(x[(day, t)] for t in range(len(templates)) if (day, t) in x) <= int(cap))
    costs = [templates[t].paid_minutes * var for (day, t), var in x.items()
             if not (day == -1 and previous_lead_in is not None)]
    model.minimize(sum(costs) + penalty * sum(short.values()))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_seconds)
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    code = solver.solve(model)
    status = {cp_model.OPTIMAL: OPTIMAL, cp_model.FEASIBLE: FEASIBLE,
              cp_model.INFEASIBLE: INFEASIBLE}.get(code, UNKNOWN)
    starts = np.zeros((days, len(templates)), dtype=np.int64)
    lead_in = np.zeros(len(templates), dtype=np.int64)
    short_grid = np.zeros(days * per_day, dtype=np.int64)
    objective = bound = None
    if status in (OPTIMAL, FEASIBLE):
        for (day, t), var in x.items():
            if day == -1:
                lead_in[t] = solver.value(var)
            else:
                starts[day, t] = solver.value(var)
        for cell, var in short.items():
            short_grid[cell] = solver.value(var)
        objective, bound = float(solver.objective_value), float(solver.best_objective_bound)
    scheduled = coverage_of(starts, lead_in, templates, interval_minutes)
    paid = int(sum(templates[t].paid_minutes * int(starts[:, t].sum()) for t in range(len(templates))))
    if previous_lead_in is None:
        paid += int(sum(templates[t].paid_minutes * int(lead_in[t]) for t in range(len(templates))))
    return PlanResult(status=status, starts=starts, lead_in=lead_in, required=required, scheduled=scheduled,
                      short=short_grid.reshape(days, per_day), uncoverable=uncoverable.reshape(days, per_day),
                      paid_minutes=paid, objective=objective, best_bound=bound,
                      wall_seconds=time.perf_counter() - started, templates=[s.code for s in templates])


def coverage_of(starts: np.ndarray, lead_in: np.ndarray, templates: Sequence[ShiftSpec],
                interval_minutes: int) -> np.ndarray:
    """Agents on duty per day and interval given the starts (and the shifts run in from the day before)."""
    days = starts.shape[0]
    columns, per_day = coverage_columns(templates, days, interval_minutes)
    flat = np.zeros(days * per_day, dtype=np.int64)
    for (day, t), cells in columns.items():
        count = int(lead_in[t]) if day == -1 else int(starts[day, t])
        if count:
            flat[cells] += count
    return flat.reshape(days, per_day)


def minimum_per_interval(periods: Sequence[tuple[int, int, int]], interval_minutes: int) -> np.ndarray:
    """The minimum agents per interval of a day from periods (start minute, end minute, agents), where an end
    at or before the start crosses midnight (20:00–08:00) and start = end means the whole day. An interval
    counts when it starts inside the period; overlapping periods take the larger minimum."""
    per_day = MINUTES_PER_DAY // interval_minutes
    out = np.zeros(per_day, dtype=np.int64)
    for start, end, agents in periods:
        for i in range(per_day):
            minute = i * interval_minutes
            inside = (start <= minute < end) if start < end else (minute >= start or minute < end)
            if inside:
                out[i] = max(out[i], int(agents))
    return out
