"""R9.5/R9.6: the roster solver keeps every rule, the fixed assignments and the leave, and shares nights fairly
— pure, small cases checked with the independent `check_assignments`."""

from datetime import date

import numpy as np

from kefu.workforce import rostering as r
from kefu.workforce import shifts as s

D = s.ShiftSpec("D", 8 * 60, 720, 720)
M = s.ShiftSpec("M", 9 * 60, 720, 720)
N = s.ShiftSpec("N", 20 * 60, 720, 720, is_night=True)
FIRST = date(2026, 3, 2)  # a Monday: two whole weeks in 14 days
RULES = r.RosterRules(min_rest_minutes=12 * 60, max_consecutive_days=5, weekly_rest_days=2,
                      max_paid_minutes=120 * 60)


def demand(days: int, per_day: list[int]) -> np.ndarray:
    return np.array([per_day] * days)


def solve(agents, days=14, per_day=(1, 0, 1), templates=(D, M, N), rules=RULES):
    return r.solve_roster(FIRST, days, list(templates), demand(days, list(per_day)), agents, rules,
                          time_limit_seconds=20, workers=2)


def test_rest_conflicts_of_the_default_shifts():
    conflicts = set(r.rest_conflicts([D, M, N], 12 * 60))
    assert (2, 1, 0) in conflicts  # night, then the day shift at 08:00 the next morning
    assert (1, 1, 0) in conflicts  # 09:00–21:00, then 08:00 the next day: 11 hours
    assert (0, 1, 0) not in conflicts and (2, 1, 2) not in conflicts  # 12 hours exactly is enough


def test_a_fortnight_for_six_agents_keeps_every_rule_and_fills_every_shift():
    agents = [r.AgentSpec(key=k) for k in range(6)]
    result = solve(agents)
    assert result.status in (s.OPTIMAL, s.FEASIBLE)
    assert int(result.short.sum()) == 0
    assert len(result.assignments) == 28
    assert r.check_assignments(FIRST, 14, [D, M, N], result.assignments, RULES) == []
    nights = [result.nights_per_agent[k] for k in range(6)]
    assert max(nights) - min(nights) <= 1  # 14 nights over 6 agents: 2 or 3 each
    assert result.status == s.OPTIMAL


def test_fixed_assignments_leave_and_night_exclusions_are_respected():
    agents = [
        r.AgentSpec(key=0, fixed={0: "N", 3: None}),  # fixed night on day 0, a day off fixed on day 3
        r.AgentSpec(key=1, unavailable=frozenset(range(4, 9))),  # approved leave
        r.AgentSpec(key=2, templates=frozenset({"D", "M"})),  # works no nights
        r.AgentSpec(key=3), r.AgentSpec(key=4), r.AgentSpec(key=5),
    ]
    result = solve(agents)
    assert result.status in (s.OPTIMAL, s.FEASIBLE)
    assert result.assignments[(0, 0)] == "N"
    assert result.assignments.get((0, 1)) != "D"  # too little rest after the fixed night
    assert (0, 3) not in result.assignments
    assert not [day for (key, day) in result.assignments if key == 1 and 4 <= day <= 8]
    assert not [day for (key, day), code in result.assignments.items() if key == 2 and code == "N"]
    assert r.check_assignments(FIRST, 14, [D, M, N], result.assignments, RULES) == []
    assert result.fixed_breaches == []


def test_shifts_worked_before_the_horizon_count():
    """A night shift on the last day before the horizon ends at 08:00 on day 0: no day shift then; five days
    worked before the horizon allow none on day 0 either."""
    agents = [r.AgentSpec(key=0, prior={-1: "N"}), r.AgentSpec(key=1, prior={d: "D" for d in range(-5, 0)}),
              r.AgentSpec(key=2)]
    result = solve(agents, days=1, per_day=(1, 0, 0))
    assert result.assignments == {(2, 0): "D"}


def test_fixed_assignments_that_break_a_rule_are_kept_and_reported():
    agents = [r.AgentSpec(key=0, fixed={0: "N", 1: "D"}), r.AgentSpec(key=1), r.AgentSpec(key=2)]
    result = solve(agents, days=2, per_day=(1, 0, 1))
    assert result.assignments[(0, 0)] == "N" and result.assignments[(0, 1)] == "D"
    assert any("rest" in breach for breach in result.fixed_breaches)


def test_too_few_agents_leave_shifts_empty_rather_than_break_rules():
    agents = [r.AgentSpec(key=0)]
    result = solve(agents, days=7, per_day=(1, 0, 1))
    assert result.status in (s.OPTIMAL, s.FEASIBLE)
    assert int(result.short.sum()) == 14 - sum(1 for _ in result.assignments)
    assert len(result.assignments) <= 5  # two days of weekly rest
    assert r.check_assignments(FIRST, 7, [D, M, N], result.assignments, RULES) == []


def test_preferences_are_followed_when_they_cost_nothing():
    agents = [r.AgentSpec(key=0, preferred_days_off=frozenset({5, 6})), r.AgentSpec(key=1), r.AgentSpec(key=2)]
    result = solve(agents, days=7, per_day=(1, 0, 0))
    assert not [day for (key, day) in result.assignments if key == 0 and day in (5, 6)]
