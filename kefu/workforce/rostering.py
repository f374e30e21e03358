"""Named agents on the planned shifts (R9.5 roster, R9.6 leave) — a pure module: OR-Tools CP-SAT, no database.

Input: the shifts to fill per day and template (the optimiser's starts, `shifts.plan_shifts`), the agents with
what each may work, and the rules. One boolean y[a, d, t] per agent, day and template the agent may work on
that day. Hard rules:

* at most one shift a day; only templates the agent may work (skills/queues, night shifts allowed or not);
* no shift on a day of approved leave or already worked on another roster;
* minimum rest between the end of one shift and the start of the next (also against the shifts worked just
  before the horizon), so a night shift ending at 08:00 is never followed by a day shift at 08:00;
* at most `max_consecutive_days` working days in a row (counting the days worked just before the horizon);
* at least `weekly_rest_days` days without a shift start in every calendar week (Monday–Sunday) inside the
  horizon;
* at most `max_paid_minutes` paid minutes in the horizon (legal hours plus the overtime allowed);
* assignments fixed by a supervisor (a shift, or a day off) are kept as they are. When fixed assignments break
  a rule by themselves the rule gives way around them and the breach is reported, never silently "repaired".

Soft goals, in this order of weight: fill every planned shift (a shift left empty costs `SHORT_WEIGHT`); share
night shifts fairly (each agent's nights within ⌊target⌋..⌈target⌉, the target proportional to his available
days); share all shifts the same way; preferences (preferred templates, preferred days off).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from .shifts import FEASIBLE, INFEASIBLE, MINUTES_PER_DAY, OPTIMAL, UNKNOWN, ShiftSpec

SHORT_WEIGHT = 1000
NIGHT_WEIGHT = 20
LOAD_WEIGHT = 5
PREFERENCE_WEIGHT = 1
_LOG = False  # set True to see CP-SAT's search log when tuning the model (bench, tests)


@dataclass(frozen=True)
class AgentSpec:
    """One agent as the solver sees him. Days are indexes into the horizon (negative: before it)."""

    key: int
    templates: frozenset[str] | None = None
    unavailable: frozenset[int] = frozenset()
    fixed: Mapping[int, str | None] = field(default_factory=dict)
    prior: Mapping[int, str] = field(default_factory=dict)
    preferred_templates: frozenset[str] = frozenset()
    preferred_days_off: frozenset[int] = frozenset()
    busy_minutes: int = 0


@dataclass(frozen=True)
class RosterRules:
    min_rest_minutes: int = 12 * 60
    max_consecutive_days: int = 6
    weekly_rest_days: int = 1
    max_paid_minutes: int | None = None


@dataclass
class RosterResult:
    status: str
    assignments: dict[tuple[int, int], str]
    short: np.ndarray
    objective: float | None
    best_bound: float | None
    wall_seconds: float
    fixed_breaches: list[str] = field(default_factory=list)
    shifts_per_agent: dict[int, int] = field(default_factory=dict)
    nights_per_agent: dict[int, int] = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.best_bound is None:
            return None
        if self.status == OPTIMAL:
            return 0.0
        return abs(self.objective - self.best_bound) / max(abs(self.objective), 1e-9)

    def summary(self, night_eligible: Sequence[int] | None = None) -> dict[str, object]:
        nights = [self.nights_per_agent.get(k, 0) for k in (night_eligible or self.nights_per_agent)]
        return {"status": self.status, "objective": self.objective, "best_bound": self.best_bound, "gap": self.gap,
                "wall_seconds": round(self.wall_seconds, 3), "assignments": len(self.assignments),
                "unfilled_shifts": int(self.short.sum()), "fixed_breaches": len(self.fixed_breaches),
                "nights_min": min(nights) if nights else None, "nights_max": max(nights) if nights else None}


def rest_conflicts(templates: Sequence[ShiftSpec], min_rest_minutes: int) -> list[tuple[int, int, int]]:
    """(template a, day offset δ ≥ 1, template b): b started δ days after a leaves less than the minimum rest
    (or overlaps it)."""
    longest = max((s.end_minute for s in templates), default=0)
    reach = max(1, math.ceil((longest + min_rest_minutes) / MINUTES_PER_DAY))
    out = []
    for a, first in enumerate(templates):
        for delta in range(1, reach + 1):
            for b, second in enumerate(templates):
                if delta * MINUTES_PER_DAY + second.start_minute - first.end_minute < min_rest_minutes:
                    out.append((a, delta, b))
    return out


def check_assignments(first_day: date, days: int, templates: Sequence[ShiftSpec],
                      assignments: Mapping[tuple[int, int], str], rules: RosterRules,
                      prior: Mapping[int, Mapping[int, str]] | None = None) -> list[str]:
    """Every rule breach in a set of assignments {(agent, day): template}: the tests' independent check and the
    report of breaches caused by fixed assignments."""
    by_code = {s.code: s for s in templates}
    breaches = []
    per_agent: dict[int, dict[int, str]] = {}
    for (agent, day), code in assignments.items():
        per_agent.setdefault(agent, {})[day] = code
    for agent, worked in per_agent.items():
        worked = {**dict((prior or {}).get(agent, {})), **worked}
        ordered = sorted(worked)
        for i, day in enumerate(ordered):
            spec = by_code[worked[day]]
            for later in ordered[i + 1:]:
                nxt = by_code[worked[later]]
                gap = (later - day) * MINUTES_PER_DAY + nxt.start_minute - spec.end_minute
                if gap >= rules.min_rest_minutes:
                    break
                breaches.append(f"agent {agent}: rest {gap} min between day {day} and day {later}")
        run = 0
        for day in range(min(ordered, default=0), days):
            run = run + 1 if day in worked else 0
            if run > rules.max_consecutive_days and day >= 0:
                breaches.append(f"agent {agent}: {run} working days in a row up to day {day}")
        for week_start in _full_weeks(first_day, days):
            count = sum(1 for d in range(week_start, week_start + 7) if d in worked)
            if count > 7 - rules.weekly_rest_days:
                breaches.append(f"agent {agent}: {7 - count} rest days in the week from day {week_start}")
        if rules.max_paid_minutes is not None:
            paid = sum(by_code[c].paid_minutes for d, c in worked.items() if d >= 0)
            if paid > rules.max_paid_minutes:
                breaches.append(f"agent {agent}: {paid} paid minutes over {rules.max_paid_minutes}")
    return breaches


def _full_weeks(first_day: date, days: int) -> list[int]:
    """Day indexes of the Mondays starting a whole calendar week inside the horizon."""
    offset = (7 - first_day.weekday()) % 7
    return list(range(offset, days - 6, 7))


def solve_roster(first_day: date, days: int, templates: Sequence[ShiftSpec], demand: np.ndarray,
                 agents: Sequence[AgentSpec], rules: RosterRules, *, time_limit_seconds: float = 50.0,
                 workers: int = 2, seed: int = 0) -> RosterResult:
    """R9.5: assign agents to the planned shifts (`demand`, days × templates) under the rules above."""
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    demand = np.asarray(demand, dtype=np.int64)
    codes = [s.code for s in templates]
    index = {c: t for t, c in enumerate(codes)}
    night = {t for t, s in enumerate(templates) if s.is_night}
    model = cp_model.CpModel()
    y: dict[tuple[int, int, int], cp_model.IntVar] = {}
    fixed_on: dict[tuple[int, int], int] = {}  # (agent index, day) → template index fixed by hand
    breaches: list[str] = []

    for a, agent in enumerate(agents):
        allowed = {t for t, c in enumerate(codes) if agent.templates is None or c in agent.templates}
        for day in range(days):
            if day in agent.fixed:
                code = agent.fixed[day]
                if code is not None and code in index:
                    fixed_on[(a, day)] = index[code]
                continue
            if day in agent.unavailable:
                continue
            for t in allowed:
                y[(a, day, t)] = model.new_bool_var(f"y_{a}_{day}_{t}")

    def worked(a: int, day: int, t: int):
        """1 (fixed), 0 or the variable."""
        if fixed_on.get((a, day)) == t:
            return 1
        return y.get((a, day, t), 0)

    # One shift a day.
    for a in range(len(agents)):
        for day in range(days):
            free = [y[(a, day, t)] for t in range(len(codes)) if (a, day, t) in y]
            if len(free) > 1:
                model.add_at_most_one(free)

    # Minimum rest, inside the horizon and against the shifts worked just before it.
    for a, agent in enumerate(agents):
        for ta, delta, tb in rest_conflicts(templates, rules.min_rest_minutes):
            for day in range(-delta, days):
                later = day + delta
                if later >= days:
                    break
                if day < 0:
                    first = 1 if agent.prior.get(day) == codes[ta] else 0
                else:
                    first = worked(a, day, ta)
                second = worked(a, later, tb)
                if isinstance(first, int) and isinstance(second, int):
                    if first and second:
                        breaches.append(f"agent {agent.key}: fixed shifts on days {day} and {later} leave too "
                                        f"little rest")
                    continue
                if isinstance(first, int):
                    if first:
                        model.add(second == 0)
                elif isinstance(second, int):
                    if second:
                        model.add(first == 0)
                else:
                    model.add_bool_or([first.Not(), second.Not()])

    def day_work(a: int, day: int) -> tuple[int, list]:
        """(constant part, variables) of 'agent a works on day'."""
        agent = agents[a]
        if day < 0:
            return (1 if day in agent.prior else 0), []
        if (a, day) in fixed_on:
            return 1, []
        return 0, [y[(a, day, t)] for t in range(len(codes)) if (a, day, t) in y]

    def window(a: int, day_range: range, limit: int, rule: str) -> None:
        constant, free = 0, []
        for day in day_range:
            c, v = day_work(a, day)
            constant += c
            free += v
        if constant > limit:
            breaches.append(f"agent {agents[a].key}: fixed shifts break the {rule} rule around day "
                            f"{day_range.start}")
            limit = constant
        if free and constant + len(free) > limit:
            model.add(sum(free) <= limit - constant)

    span = rules.max_consecutive_days + 1
    weeks = _full_weeks(first_day, days)
    vars_of: list[list[tuple[int, int, object]]] = [[] for _ in agents]
    for (a, day, t), var in y.items():
        vars_of[a].append((day, t, var))
    fixed_of: list[list[tuple[int, int]]] = [[] for _ in agents]
    for (a, day), t in fixed_on.items():
        fixed_of[a].append((day, t))
    for a, agent in enumerate(agents):
        earliest = min([d for d in agent.prior] + [0])
        for start in range(max(earliest, -rules.max_consecutive_days), days - span + 1):
            window(a, range(start, start + span), rules.max_consecutive_days, "consecutive days")
        for monday in weeks:
            window(a, range(monday, monday + 7), 7 - rules.weekly_rest_days, "weekly rest")
        if rules.max_paid_minutes is not None:
            fixed_paid = sum(templates[t].paid_minutes for _day, t in fixed_of[a])
            room = rules.max_paid_minutes - agent.busy_minutes - fixed_paid
            terms = [templates[t].paid_minutes * var for _d, t, var in vars_of[a]]
            if room < 0:
                breaches.append(f"agent {agent.key}: fixed shifts exceed the paid hours allowed")
                room = 0
            if terms:
                model.add(sum(terms) <= room)

    # Fill the planned shifts.
    by_slot: dict[tuple[int, int], list] = {}
    for (_a, day, t), var in y.items():
        by_slot.setdefault((day, t), []).append(var)
    fixed_count: dict[tuple[int, int], int] = {}
    for (_a, day), t in fixed_on.items():
        fixed_count[(day, t)] = fixed_count.get((day, t), 0) + 1
    short_vars = {}
    for day in range(days):
        for t in range(len(codes)):
            need = int(demand[day, t])
            fixed_here = fixed_count.get((day, t), 0)
            free = by_slot.get((day, t), [])
            if free:
                model.add(sum(free) <= max(0, need - fixed_here))
            missing = max(0, need - fixed_here)
            if missing:
                short_vars[(day, t)] = model.new_int_var(0, missing, f"short_{day}_{t}")
                model.add(sum(free) + short_vars[(day, t)] >= missing)

    # Fairness: shifts and nights within ⌊target⌋..⌈target⌉, targets proportional to the available days.
    available = [sum(1 for d in range(days) if d not in agent.unavailable or d in agent.fixed) for agent in agents]
    night_able = [a for a, agent in enumerate(agents)
                  if any(agent.templates is None or codes[t] in agent.templates for t in night)]
    deviations = []
    balances: list[tuple[object, object, int, set[int], int, int]] = []  # over, under, agent, slots, lo, hi

    def fair(members: list[int], slots: set[int], total: int, weight: int) -> None:
        pool = sum(available[a] for a in members)
        if not pool or not total:
            return
        for a in members:
            target = total * available[a] / pool
            constant = sum(1 for _d, t in fixed_of[a] if t in slots)
            terms = [var for _d, t, var in vars_of[a] if t in slots]
            count = sum(terms) + constant
            bound = days + math.ceil(target)
            over = model.new_int_var(0, bound, f"over_{weight}_{a}")
            under = model.new_int_var(0, bound, f"under_{weight}_{a}")
            model.add(over >= count - math.ceil(target))
            model.add(under >= math.floor(target) - count)
            deviations.append(weight * (over + under))
            balances.append((over, under, a, slots, math.floor(target), math.ceil(target)))

    fair(list(range(len(agents))), set(range(len(codes))), int(demand.sum()), LOAD_WEIGHT)
    if night:
        fair(night_able, night, int(demand[:, sorted(night)].sum()), NIGHT_WEIGHT)

    preference_terms = []
    for (a, day, t), var in y.items():
        agent = agents[a]
        penalty = 0
        if agent.preferred_templates and codes[t] not in agent.preferred_templates:
            penalty += 1
        if (first_day + timedelta(days=day)).weekday() in agent.preferred_days_off:
            penalty += 1
        if penalty:
            preference_terms.append(PREFERENCE_WEIGHT * penalty * var)

    model.minimize(SHORT_WEIGHT * sum(short_vars.values()) + sum(deviations) + sum(preference_terms))
    chosen = greedy_roster(first_day, days, templates, demand, agents, rules, set(y), fixed_on)
    for key, var in y.items():
        model.add_hint(var, key in chosen)
    filled: dict[tuple[int, int], int] = {}
    counts: dict[tuple[int, int], int] = {}
    for a, day, t in list(chosen) + [(a, d, t) for (a, d), t in fixed_on.items()]:
        filled[(day, t)] = filled.get((day, t), 0) + 1
        counts[(a, t)] = counts.get((a, t), 0) + 1
    for (day, t), var in short_vars.items():
        model.add_hint(var, max(0, int(demand[day, t]) - filled.get((day, t), 0)))
    for over, under, a, slots, low, high in balances:
        count = sum(counts.get((a, t), 0) for t in slots)
        model.add_hint(over, max(0, count - high))
        model.add_hint(under, max(0, low - count))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_seconds)
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    solver.parameters.log_search_progress = _LOG
    code = solver.solve(model)
    status = {cp_model.OPTIMAL: OPTIMAL, cp_model.FEASIBLE: FEASIBLE,
              cp_model.INFEASIBLE: INFEASIBLE}.get(code, UNKNOWN)
    assignments: dict[tuple[int, int], str] = {}
    short = np.zeros_like(demand)
    objective = bound = None
    for (a, day), t in fixed_on.items():
        assignments[(agents[a].key, day)] = codes[t]
    if status in (OPTIMAL, FEASIBLE):
        for (a, day, t), var in y.items():
            if solver.boolean_value(var):
                assignments[(agents[a].key, day)] = codes[t]
        for (day, t), var in short_vars.items():
            short[day, t] = solver.value(var)
        objective, bound = float(solver.objective_value), float(solver.best_objective_bound)
    else:
        short = np.maximum(demand - np.array([[fixed_count.get((d, t), 0) for t in range(len(codes))]
                                              for d in range(days)], dtype=np.int64).reshape(demand.shape), 0)
    shifts_per_agent = {agent.key: 0 for agent in agents}
    nights_per_agent = {agents[a].key: 0 for a in night_able}
    for (key, _day), code_ in assignments.items():
        shifts_per_agent[key] = shifts_per_agent.get(key, 0) + 1
        if index[code_] in night:
            nights_per_agent[key] = nights_per_agent.get(key, 0) + 1
    return RosterResult(status=status, assignments=assignments, short=short, objective=objective, best_bound=bound,
                        wall_seconds=time.perf_counter() - started, fixed_breaches=breaches,
                        shifts_per_agent=shifts_per_agent, nights_per_agent=nights_per_agent)


def greedy_roster(first_day: date, days: int, templates: Sequence[ShiftSpec], demand: np.ndarray,
                  agents: Sequence[AgentSpec], rules: RosterRules, allowed: set[tuple[int, int, int]],
                  fixed_on: Mapping[tuple[int, int], int]) -> set[tuple[int, int, int]]:
    """A first roster by hand's rule of thumb, used as CP-SAT's hint: day by day and shift by shift, the agent
    with the fewest shifts (nights first for night shifts) who may take it without breaking a rule. CP-SAT then
    starts from a full roster instead of searching for one among many interchangeable agents."""
    after: dict[int, list[tuple[int, int]]] = {}
    before: dict[int, list[tuple[int, int]]] = {}
    for ta, delta, tb in rest_conflicts(templates, rules.min_rest_minutes):
        after.setdefault(ta, []).append((delta, tb))
        before.setdefault(tb, []).append((delta, ta))
    codes = {spec.code: t for t, spec in enumerate(templates)}
    taken: list[dict[int, int]] = [{day: codes[c] for day, c in agent.prior.items() if c in codes}
                                   for agent in agents]
    load = [0] * len(agents)
    nights = [0] * len(agents)
    paid = [agent.busy_minutes for agent in agents]
    fixed_slots: dict[tuple[int, int], int] = {}
    for (a, day), t in fixed_on.items():
        taken[a][day] = t
        load[a] += 1
        nights[a] += templates[t].is_night
        paid[a] += templates[t].paid_minutes
        fixed_slots[(day, t)] = fixed_slots.get((day, t), 0) + 1
    week_of = {}
    for monday in _full_weeks(first_day, days):
        for d in range(monday, monday + 7):
            week_of[d] = monday
    chosen: set[tuple[int, int, int]] = set()

    def may(a: int, day: int, t: int) -> bool:
        mine = taken[a]
        if (a, day, t) not in allowed or day in mine:
            return False
        if any(mine.get(day - delta) == ta for delta, ta in before.get(t, [])):
            return False
        if any(mine.get(day + delta) == tb for delta, tb in after.get(t, [])):
            return False
        run, d = 1, day - 1
        while d in mine:
            run, d = run + 1, d - 1
        d = day + 1
        while d in mine:
            run, d = run + 1, d + 1
        if run > rules.max_consecutive_days:
            return False
        if day in week_of:
            monday = week_of[day]
            if sum(1 for d in range(monday, monday + 7) if d in mine) + 1 > 7 - rules.weekly_rest_days:
                return False
        return rules.max_paid_minutes is None or paid[a] + templates[t].paid_minutes <= rules.max_paid_minutes

    order = sorted(range(len(templates)), key=lambda t: not templates[t].is_night)  # nights are hardest
    for day in range(days):
        for t in order:
            need = int(demand[day, t]) - fixed_slots.get((day, t), 0)
            if need <= 0:
                continue
            night = templates[t].is_night
            for a in sorted(range(len(agents)), key=lambda k: (nights[k] if night else 0, load[k], k)):
                if may(a, day, t):
                    taken[a][day] = t
                    chosen.add((a, day, t))
                    load[a] += 1
                    nights[a] += night
                    paid[a] += templates[t].paid_minutes
                    need -= 1
                    if need <= 0:
                        break
    return chosen
