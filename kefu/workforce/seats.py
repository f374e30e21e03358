"""Seats and headcount (R9.3, R9.4) — pure functions on exact fractions, no database.

Seed [004]: "按照每 2 万户为标准开通一个座席 … 目前公司共 13 万用户 … 座席数量应当为 6 个"; "可按照接通率连续 3 周降低
5%, 每增加 2 万用户的标准新开设一个座席"; "每个座席需配备人员数量 = (1 个座席每日工作时间 × 月工作天数) / 每月法定工作
时长 … 14 个小时 … 每开通 1 个坐席配备 2.5 人 … 3 个座席, 应配备 7.5 名话务员".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from .erlang import Number, exact


def seats_for_subscribers(subscribers: Number, subscribers_per_seat: Number) -> int:
    """R9.3 [004]: ⌊subscribers / subscribers per seat⌋ — 130,000 subscribers at 20,000 per seat → 6 seats."""
    return math.floor(exact(subscribers) / exact(subscribers_per_seat))


def people_per_seat(seat_hours_per_day: Number, days_per_month: Number, legal_hours_per_month: Number) -> Fraction:
    """R9.4 [004]: (seat hours per day × days served per month) / legal working hours per month, unrounded.

    14 h × 30 days / 166.64 h = 2.5204…, the seed's "about 2.5 people per seat".
    """
    return exact(seat_hours_per_day) * exact(days_per_month) / exact(legal_hours_per_month)


def headcount(seats: Number, seat_hours_per_day: Number, days_per_month: Number,
              legal_hours_per_month: Number) -> Fraction:
    """R9.4 [004]: seats × people per seat, unrounded (3 seats at 14 h/day → 7.56…, the seed's "7.5")."""
    return exact(seats) * people_per_seat(seat_hours_per_day, days_per_month, legal_hours_per_month)


@dataclass(frozen=True)
class SeatTrigger:
    """The outcome of the seat-opening rule on a run of weekly answer rates."""

    propose_seat: bool
    baseline: float | None
    threshold: float | None
    weeks_below: int  # how many of the latest weeks, running, are at or below the threshold
    weeks_required: int


def seat_opening_proposal(weekly_answer_rates: Sequence[Number], *, drop_points: Number, weeks: int,
                          baseline: Number | None = None) -> SeatTrigger:
    """R9.3 [004]: propose opening a seat when the answer rate is down `drop_points` percentage points for
    `weeks` weeks running.

    `weekly_answer_rates` are shares (0.92 = 92 %), oldest first; the real weekly figures come from the
    contacts (R3) reports. "Down" is measured against `baseline` when given, else against the week just before
    the latest `weeks` weeks (the level the decline started from). Each of the latest `weeks` weeks must be at
    least `drop_points` below it; fewer figures than needed never propose anything.
    """
    rates = [exact(rate) for rate in weekly_answer_rates]
    drop = exact(drop_points) / 100
    if baseline is not None:
        reference: Fraction | None = exact(baseline)
    elif len(rates) > weeks:
        reference = rates[-weeks - 1]
    else:
        reference = None
    if reference is None:
        return SeatTrigger(False, None, None, 0, weeks)
    threshold = reference - drop
    running = 0
    for rate in reversed(rates if baseline is not None else rates[-weeks:]):
        if rate > threshold:
            break
        running += 1
    return SeatTrigger(running >= weeks, float(reference), float(threshold), running, weeks)
