"""R9.3 and R9.4 [004]: seats by subscribers, headcount per seat and the seat-opening rule (pure functions)."""

from fractions import Fraction

import pytest

from kefu.workforce import seats


@pytest.mark.parametrize(("subscribers", "per_seat", "expected"), [
    (130_000, 20_000, 6),   # the seed's example [004]
    (139_999, 20_000, 6),
    (140_000, 20_000, 7),
    (19_999, 20_000, 0),
    (0, 20_000, 0),
    (130_000, "21666.66", 6),   # 6.0000018… seats
    (130_000, "21666.67", 5),   # 5.9999990… seats: floored, exactly
])
def test_seats_are_floored(subscribers, per_seat, expected):
    assert seats.seats_for_subscribers(subscribers, per_seat) == expected


def test_headcount_reproduces_the_seed():
    """[004]: 14 hours a day → about 2.5 people per seat; 3 seats → about 7.5 people (unrounded here)."""
    per_seat = seats.people_per_seat(14, 30, "166.64")
    assert float(per_seat) == pytest.approx(2.5204, abs=1e-4)
    assert float(seats.headcount(3, 14, 30, "166.64")) == pytest.approx(7.5612, abs=1e-4)
    assert seats.people_per_seat(24, 30, "166.64") == Fraction(720) / Fraction("166.64")  # a 7×24 seat: 4.32


def rule(rates, **kwargs):
    return seats.seat_opening_proposal(rates, drop_points=5, weeks=3, **kwargs)


def test_three_weeks_five_points_down_proposes_a_seat():
    result = rule(["0.93", "0.87", "0.88", "0.86"])  # baseline 0.93 (the week before), threshold 0.88
    assert result.propose_seat and result.weeks_below == 3 and result.baseline == pytest.approx(0.93)
    assert result.threshold == pytest.approx(0.88)


@pytest.mark.parametrize("rates", [
    ["0.93", "0.87", "0.89", "0.86"],   # the middle week recovered above the threshold
    ["0.93", "0.87", "0.86"],           # too few weeks to compare with a week before
    ["0.93", "0.90", "0.90", "0.90"],   # down only 3 points
    [],
])
def test_no_seat_without_three_weeks_running(rates):
    assert not rule(rates).propose_seat


def test_against_a_given_baseline():
    assert rule(["0.95", "0.84", "0.85", "0.84"], baseline="0.90").propose_seat
    result = rule(["0.84", "0.85", "0.91", "0.84"], baseline="0.90")
    assert not result.propose_seat and result.weeks_below == 1
