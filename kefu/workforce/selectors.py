"""The workforce calculators behind the command line, the API and the staffing page (R9.2–R9.4).

They change nothing: each checks its input, fills the defaults from the tunables (`kefu.workforce.defaults`)
and calls the pure modules `erlang.py` and `seats.py`. All three entry points go through these functions, so
the rules and the messages (a `FieldError` naming the field, in Chinese and English) are the same everywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.db import DatabaseError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kefu.core import tunables
from kefu.core.errors import FieldError

from . import defaults, erlang
from . import seats as seating
from .erlang import Number

logger = logging.getLogger(__name__)
_warned: list[str] = []

LABELS: dict[str, Promise] = {
    "calls": _("number of calls"),
    "interval_seconds": _("interval length"),
    "aht_seconds": _("average handling time"),
    "answer_within_seconds": _("answer time"),
    "service_level": _("service-level target"),
    "answer_rate": _("answer-rate target"),
    "agents": _("number of agents"),
    "patience_seconds": _("average patience"),
    "shrinkage": _("shrinkage"),
    "max_occupancy": _("maximum occupancy"),
    "subscribers": _("number of subscribers"),
    "subscribers_per_seat": _("subscribers per seat"),
    "seat_hours_per_day": _("seat hours per day"),
    "days_per_month": _("days per month"),
    "legal_hours_per_month": _("legal working hours per month"),
    "seats": _("number of seats"),
    "weekly_answer_rates": _("weekly answer rates"),
    "baseline": _("baseline answer rate"),
}


def default(key: str) -> Any:
    """A tunable's value; its registered default when the settings table cannot be read (a command run
    before `kefu migrate`), so the calculators work on a fresh machine too."""
    try:
        return tunables.get(key)
    except DatabaseError:
        if not _warned:
            logger.warning("The settings table cannot be read (run `kefu migrate`); using the built-in defaults.")
            _warned.append(key)
        return tunables.REGISTRY[key].default


def workforce_defaults() -> list[dict[str, Any]]:
    """Every workforce default with its current value and where it comes from (shown on the staffing page)."""
    return [{"key": t.key, "label": str(t.label), "value": default(t.key), "default": t.default,
             "source": t.source, "help_text": str(t.help_text)} for t in defaults.ALL]


# --- Checks ---------------------------------------------------------------------------------------------------

def _fail(field: str, message: Promise, code: str, **params: Any) -> FieldError:
    return FieldError(message, field=field, code=code, label=LABELS.get(field, field), **params)


def number(field: str, value: Any, *, positive: bool = False, whole: bool = False,
           below: Number | None = None, at_most: Number | None = None) -> Fraction:
    """An exact, finite, non-negative number (a decimal string, int or Decimal; a float via its shortest form)."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise _fail(field, _("The %(label)s must be a number."), "invalid")
    try:
        decimal = value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(value, float)
                                                                   else str(value).strip())
    except (InvalidOperation, ValueError):
        raise _fail(field, _("The %(label)s must be a number."), "invalid") from None
    if not decimal.is_finite():
        raise _fail(field, _("The %(label)s must be a number."), "invalid")
    result = Fraction(decimal)
    if result < 0:
        raise _fail(field, _("The %(label)s must not be negative."), "negative")
    if positive and result == 0:
        raise _fail(field, _("The %(label)s must be greater than zero."), "not_positive")
    if whole and result.denominator != 1:
        raise _fail(field, _("The %(label)s must be a whole number."), "not_whole")
    if below is not None and result >= erlang.exact(below):
        raise _fail(field, _("The %(label)s must be below %(limit)s."), "out_of_range", limit=below)
    if at_most is not None and result > erlang.exact(at_most):
        raise _fail(field, _("The %(label)s must be at most %(limit)s."), "out_of_range", limit=at_most)
    return result


def target(field: str, value: Any) -> Fraction:
    """A target share such as 0.8: at least 0 and below 1 (a 100 % target cannot be staffed for)."""
    result = number(field, value)
    if result >= 1:
        raise _fail(field, _("The %(label)s must be a share below 1, such as 0.8; 1 or more cannot be planned "
                             "for."), "out_of_range")
    return result


# --- R9.2 staffing --------------------------------------------------------------------------------------------

def staffing_calculate(*, calls: Any, interval_seconds: Any, aht_seconds: Any, answer_within_seconds: Any = None,
                       service_level: Any = None, answer_rate: Any = None, agents: Any = None,
                       patience_seconds: Any = None, shrinkage: Any = None,
                       max_occupancy: Any = None) -> erlang.Staffing:
    """R9.2: staffing of one interval — the fewest agents meeting every target (or the figures of `agents`).

    Missing answer time, shrinkage and occupancy cap come from the tunables. Errors: a negative figure, a zero
    interval or AHT or patience, a target of 1 or more, shrinkage outside [0, 1), a cap outside (0, 1], a
    fractional number of agents, no target and no agents, or agents together with a target.
    """
    if agents is not None and (service_level is not None or answer_rate is not None):
        raise _fail("agents", _("Give either a number of agents to evaluate or a target, not both."), "exclusive")
    if agents is None and service_level is None and answer_rate is None:
        raise _fail("service_level", _("Give a target (service level or answer rate) or a number of agents."),
                    "required")
    checked = {
        "calls": number("calls", calls),
        "interval_seconds": number("interval_seconds", interval_seconds, positive=True),
        "aht_seconds": number("aht_seconds", aht_seconds, positive=True),
        "answer_within_seconds": number("answer_within_seconds", default(defaults.ANSWER_WITHIN_SECONDS.key)
                                        if answer_within_seconds is None else answer_within_seconds),
        "service_level": None if service_level is None else target("service_level", service_level),
        "answer_rate": None if answer_rate is None else target("answer_rate", answer_rate),
        "patience_seconds": None if patience_seconds is None else number("patience_seconds", patience_seconds,
                                                                         positive=True),
        "shrinkage": number("shrinkage", default(defaults.SHRINKAGE.key) if shrinkage is None else shrinkage,
                            below=1),
        "max_occupancy": number("max_occupancy", default(defaults.MAX_OCCUPANCY.key) if max_occupancy is None
                                else max_occupancy, positive=True, at_most=1),
    }
    if agents is not None:
        checked["agents"] = int(number("agents", agents, whole=True, at_most=erlang.MAX_AGENTS))
    traffic = erlang.traffic_erlangs(checked["calls"], checked["interval_seconds"], checked["aht_seconds"])
    if traffic > erlang.MAX_TRAFFIC_ERLANGS:
        raise _fail("calls", _("The traffic of %(traffic)s Erlangs is more than one queue can be planned for "
                               "(at most %(limit)s)."), "out_of_range", traffic=f"{float(traffic):.0f}",
                    limit=erlang.MAX_TRAFFIC_ERLANGS)
    return erlang.staffing(**checked)


# --- R9.3 seats, R9.4 headcount -------------------------------------------------------------------------------

def seats_calculate(*, subscribers: Any, subscribers_per_seat: Any = None) -> dict[str, int]:
    """R9.3 [004]: seats = ⌊subscribers / subscribers per seat⌋ (default 20,000: 130,000 → 6)."""
    count = number("subscribers", subscribers)
    per_seat = number("subscribers_per_seat", default(defaults.SUBSCRIBERS_PER_SEAT.key)
                      if subscribers_per_seat is None else subscribers_per_seat, positive=True)
    return {"seats": seating.seats_for_subscribers(count, per_seat)}


def headcount_calculate(*, seat_hours_per_day: Any, days_per_month: Any = None, legal_hours_per_month: Any = None,
                        seats: Any = None) -> dict[str, float]:
    """R9.4 [004]: people per seat = seat hours per day × days per month / legal hours per month, and people =
    seats × people per seat, both unrounded (14 h/day → 2.52 per seat; 3 seats → 7.56)."""
    hours = number("seat_hours_per_day", seat_hours_per_day, at_most=24)
    days = number("days_per_month", default(defaults.DAYS_PER_MONTH.key) if days_per_month is None
                  else days_per_month, positive=True, at_most=31)
    legal = number("legal_hours_per_month", default(defaults.LEGAL_HOURS_PER_MONTH.key)
                   if legal_hours_per_month is None else legal_hours_per_month, positive=True)
    seat_count = number("seats", 1 if seats is None else seats, whole=True)
    per_seat = seating.people_per_seat(hours, days, legal)
    return {"people_per_seat": float(per_seat), "people": float(seat_count * per_seat)}


def seat_trigger_evaluate(*, weekly_answer_rates: Sequence[Any], baseline: Any = None) -> seating.SeatTrigger:
    """R9.3 [004]: answer rate down 5 points (tunable) for 3 weeks (tunable) running → propose opening a seat."""
    if isinstance(weekly_answer_rates, (str, bytes)) or not isinstance(weekly_answer_rates, Sequence):
        raise _fail("weekly_answer_rates", _("The %(label)s must be a list of shares such as 0.92."), "invalid")
    rates = [number("weekly_answer_rates", rate, at_most=1) for rate in weekly_answer_rates]
    reference = None if baseline is None else number("baseline", baseline, at_most=1)
    return seating.seat_opening_proposal(rates, baseline=reference,
                                       drop_points=default(defaults.SEAT_TRIGGER_DROP_POINTS.key),
                                       weeks=int(default(defaults.SEAT_TRIGGER_WEEKS.key)))
