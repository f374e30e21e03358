"""R9.5: the shift optimiser on small cases checked by hand, coverage, uncoverable intervals, midnight."""

import numpy as np
import pytest

from kefu.workforce import shifts as s

D = s.ShiftSpec("D", 8 * 60, 720, 720)
M = s.ShiftSpec("M", 9 * 60, 720, 720)
N = s.ShiftSpec("N", 20 * 60, 720, 720, is_night=True)
HALF_HOURS = 48


def need(days: int, spans: list[tuple[float, float, int]]) -> np.ndarray:
    """Required agents per half hour from (from hour, until hour, agents), the same every day."""
    out = np.zeros((days, HALF_HOURS), dtype=int)
    for start, end, agents in spans:
        out[:, int(start * 2):int(end * 2)] = agents
    return out


def test_two_day_shifts_cover_two_agents_from_8_to_20():
    result = s.plan_shifts(need(1, [(8, 20, 2)]), [D, M, N], 30)
    assert result.status == s.OPTIMAL and result.gap == 0
    assert result.starts.tolist() == [[2, 0, 0]]
    assert result.paid_minutes == 1440 and result.objective == 1440
    assert (result.scheduled >= result.required).all()
    assert result.short_intervals == []


def test_8_to_21_needs_both_day_shifts():
    result = s.plan_shifts(need(1, [(8, 21, 1)]), [D, M], 30)
    assert result.status == s.OPTIMAL
    assert result.starts.tolist() == [[1, 1]]
    np.testing.assert_array_equal(result.scheduled[0, 16:42], [1, 1] + [2] * 22 + [1, 1])


def test_night_shift_covers_the_next_morning_and_the_lead_in_the_first():
    required = need(2, [(0, 8, 1), (20, 24, 1)])
    result = s.plan_shifts(required, [D, M, N], 30)
    assert result.status == s.OPTIMAL
    # Day 1's night shift covers 20:00–08:00; the first morning needs a night shift started the day before.
    assert result.starts[:, 2].tolist() == [1, 1] and result.lead_in.tolist() == [0, 0, 1]
    assert result.paid_minutes == 3 * 720
    assert (result.scheduled >= required).all()
    # When the previous plan already started it, it is a constant and costs nothing here.
    carried = s.plan_shifts(required, [D, M, N], 30, previous_lead_in={"N": 1})
    assert carried.lead_in.tolist() == [0, 0, 1] and carried.paid_minutes == 2 * 720


def test_uncoverable_intervals_are_reported():
    required = need(1, [(2, 4, 3), (10, 12, 1)])
    result = s.plan_shifts(required, [D, M], 30)
    assert result.status == s.OPTIMAL
    assert int(result.uncoverable.sum()) == 3 * 4
    assert [(d, i) for d, i, _missing in result.short_intervals] == [(0, i) for i in range(4, 8)]
    assert result.starts.sum() == 1  # the morning need is still met, cheaply


def test_a_headcount_cap_leaves_intervals_short_but_never_idle_capacity():
    required = need(1, [(8, 20, 5)])
    result = s.plan_shifts(required, [D, M, N], 30, headcount=[3])
    assert result.status == s.OPTIMAL
    assert result.starts.sum() == 3
    assert int(result.short.sum()) == 2 * 24  # two agents missing in each of the 24 half hours


def test_cheaper_short_shifts_are_preferred_and_paid_time_counts():
    early = s.ShiftSpec("E", 8 * 60, 240, 240)
    late = s.ShiftSpec("L", 12 * 60, 480, 450)  # 30 minutes unpaid break
    result = s.plan_shifts(need(1, [(8, 20, 1)]), [D, early, late], 30)
    assert result.status == s.OPTIMAL
    assert result.starts.tolist() == [[0, 1, 1]] and result.paid_minutes == 690


def test_minimum_per_interval_handles_periods_across_midnight():
    minimum = s.minimum_per_interval([(9 * 60, 20 * 60, 8), (20 * 60, 8 * 60, 2)], 30)
    assert minimum[18:40].tolist() == [8] * 22
    assert minimum[40:].tolist() == [2] * 8 and minimum[:16].tolist() == [2] * 16
    assert minimum[16:18].tolist() == [0, 0]
    assert s.minimum_per_interval([(0, 0, 1)], 15).tolist() == [1] * 96


def test_a_month_with_ten_templates_is_solved_to_optimality():
    rng = np.random.default_rng(3)
    hours = (np.arange(HALF_HOURS) + 0.5) / 2
    curve = 2 + 14 * np.exp(-((hours - 10) / 2.5) ** 2) + 11 * np.exp(-((hours - 15) / 2.5) ** 2)
    required = np.ceil(curve[None, :] * rng.uniform(0.8, 1.2, (31, 1))).astype(int)
    templates = [D, M, N] + [s.ShiftSpec(f"S{h}", h * 60, 480, 480) for h in (6, 7, 10, 12, 13, 14, 16)]
    result = s.plan_shifts(required, templates, 30, time_limit_seconds=30)
    assert result.status == s.OPTIMAL and result.gap == 0
    assert (result.scheduled >= required).all()


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        s.plan_shifts(np.zeros((1, 47)), [D], 30)
    with pytest.raises(ValueError):
        s.plan_shifts(np.zeros((1, 48)), [s.ShiftSpec("X", 0, 25 * 60, 60)], 30)
