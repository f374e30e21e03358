"""The workforce reads (SPEC §9): the calculators behind the command line, the API and the staffing page
(R9.2–R9.4), and the reads of forecasts, plans, rosters, leave and surges (R9.1, R9.5, R9.6).

They change nothing. The calculators check their input, fill the defaults from the tunables
(`kefu.workforce.defaults`) and call the pure modules `erlang.py` and `seats.py`; all three entry points go through
them, so the rules and the messages (a `FieldError` naming the field, in Chinese and English) are the same
everywhere. Row scope lives here too: an agent reads only his own roster and his own leave (404 otherwise).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import numpy as np
from django.db import DatabaseError
from django.db.models import Max, Min, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Team, User
from kefu.core import permissions, tunables
from kefu.core.errors import FieldError

from . import defaults, erlang, forecasting, shifts
from . import seats as seating
from .erlang import Number
from .models import (
    AgentProfile,
    CoverageMinimum,
    Forecast,
    IntervalVolume,
    LeaveRequest,
    PlanDay,
    PlanningQueue,
    Roster,
    RosterAssignment,
    ShiftTemplate,
    SolverJob,
    StaffingPlan,
    Surge,
    WorkforceEvent,
)

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


# --- R9.1 calendar features and history ------------------------------------------------------------------------

def day_kinds(first: date, last: date) -> dict[date, str]:
    """R9.1, R11.1: the kind of every day from `first` to `last` for the forecast — a holiday or an adjusted
    working day (调休) from China's official schedule (`calendars.OfficialDay`), else Monday–Friday work."""
    from kefu.calendars.models import OfficialDay

    special = dict(OfficialDay.objects.filter(date__gte=first, date__lte=last)
                   .values_list("date", "is_working_day"))
    out = {}
    day = first
    while day <= last:
        if day in special:
            out[day] = forecasting.ADJUSTED_WORKING_DAY if special[day] else forecasting.HOLIDAY
        else:
            out[day] = forecasting.plain_day_kind(day)
        day += timedelta(days=1)
    return out


def day_kind_function(first: date, last: date) -> Callable[[date], str]:
    kinds = day_kinds(first, last)
    return lambda day: kinds.get(day) or forecasting.plain_day_kind(day)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.get_current_timezone())


def volume_history(queue: PlanningQueue, *, before: date, days: int) -> forecasting.History:
    """R9.1: offered contacts per day and interval (the queue's interval length) for up to `days` days before
    `before`, from the first to the last day with any figure (an interval without a figure inside that span
    had no contacts). Finer figures are summed, coarser ones split evenly."""
    step = queue.interval_minutes
    per_day = 24 * 60 // step
    window = local_midnight(before - timedelta(days=days))
    rows = IntervalVolume.objects.filter(queue=queue, interval_start__gte=window,
                                         interval_start__lt=local_midnight(before))
    bounds = rows.aggregate(first=Min("interval_start"), last=Max("interval_start"))
    if bounds["first"] is None:
        return forecasting.History(before, np.zeros((0, per_day)))
    # From the first to the last day with any figure: days after it have no figures yet, not zero contacts.
    start = timezone.localtime(bounds["first"]).date()
    end = timezone.localtime(bounds["last"]).date() + timedelta(days=1)
    values = np.zeros(((end - start).days + 1, per_day))
    for moment, minutes, offered in rows.values_list("interval_start", "interval_minutes", "offered"):
        local = timezone.localtime(moment)
        row = (local.date() - start).days
        minute = local.hour * 60 + local.minute
        if minutes <= step:
            values[row, minute // step] += offered
        else:
            parts = minutes // step
            for k in range(parts):
                cell = minute // step + k
                values[row + cell // per_day, cell % per_day] += offered / parts
    return forecasting.History(start, values[:-1])  # the spare row takes a split interval's spill-over


# --- Reads of plans, rosters, leave and surges --------------------------------------------------------------

def planning_queues() -> QuerySet[PlanningQueue]:
    return PlanningQueue.objects.filter(is_active=True).order_by("code")


def planning_queue_get(pk: Any) -> PlanningQueue:
    return get_object_or_404(PlanningQueue, pk=pk)


def forecasts_for(queue: PlanningQueue, first: date, last: date) -> QuerySet[Forecast]:
    return Forecast.objects.filter(queue=queue, date__gte=first, date__lte=last).order_by("date")


def forecast_list(*, queue: Any = None, first: date | None = None, last: date | None = None) -> QuerySet[Forecast]:
    queryset = Forecast.objects.select_related("queue").order_by("queue__code", "date")
    if queue:
        queryset = queryset.filter(queue=queue)
    if first:
        queryset = queryset.filter(date__gte=first)
    if last:
        queryset = queryset.filter(date__lte=last)
    return queryset


def shift_templates(*, active_only: bool = True) -> QuerySet[ShiftTemplate]:
    queryset = ShiftTemplate.objects.order_by("start", "code")
    return queryset.filter(is_active=True) if active_only else queryset


def coverage_minimums(queue: PlanningQueue | None = None) -> QuerySet[CoverageMinimum]:
    queryset = CoverageMinimum.objects.filter(is_active=True)
    if queue is not None:
        queryset = queryset.filter(Q(queue__isnull=True) | Q(queue=queue))
    return queryset.order_by("start", "name")


def minimum_per_interval(queue: PlanningQueue) -> np.ndarray:
    """R9.5 [000]: the minimum agents per interval of a day for this queue (≥ 8 at peak, ≥ 2 at night)."""
    periods = [(CoverageMinimum.minute_of(m.start), CoverageMinimum.minute_of(m.end), m.minimum_agents)
               for m in coverage_minimums(queue)]
    return shifts.minimum_per_interval(periods, queue.interval_minutes)


def required_agents(queue: PlanningQueue, calls: np.ndarray, minimum: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R9.2 + R9.5 per interval: agents on the phones (Erlang C, or Erlang A with the queue's patience, for the
    service-level and answer-rate targets; then the occupancy cap; then at least the period's minimum) and
    agents to schedule (shrinkage added). `calls` is days × intervals; one vectorised Erlang call."""
    calls = np.asarray(calls, dtype=float)
    interval_seconds = queue.interval_minutes * 60
    aht = float(queue.aht_seconds)
    within = float(queue.answer_within_seconds if queue.answer_within_seconds is not None
                   else default(defaults.ANSWER_WITHIN_SECONDS.key))
    level = float(queue.service_level if queue.service_level is not None
                  else default(defaults.SERVICE_LEVEL_TARGET.key))
    patience = float(queue.patience_seconds) if queue.patience_seconds is not None else None
    rate = None
    if patience is not None:
        rate = float(queue.answer_rate if queue.answer_rate is not None else default(defaults.ANSWER_RATE_TARGET.key))
    traffic = calls.ravel() * aht / interval_seconds
    agents = erlang.agents_array(traffic, aht, within, service_level=level, answer_rate=rate,
                                 patience_seconds=patience)
    cap = default(defaults.MAX_OCCUPANCY.key)
    shrink = default(defaults.SHRINKAGE.key)
    floor = np.broadcast_to(minimum, calls.shape).ravel()
    on_phones = np.array([max(erlang.occupancy_capped(int(n), float(a), cap), int(m))
                          for n, a, m in zip(agents, traffic, floor, strict=True)], dtype=np.int64)
    scheduled = np.array([erlang.with_shrinkage(int(n), shrink) for n in on_phones], dtype=np.int64)
    return on_phones.reshape(calls.shape), scheduled.reshape(calls.shape)


def plan_list(*, queue: Any = None) -> QuerySet[StaffingPlan]:
    queryset = StaffingPlan.objects.select_related("queue", "created_by")
    return queryset.filter(queue=queue) if queue else queryset


def plan_get(pk: Any) -> StaffingPlan:
    return get_object_or_404(StaffingPlan.objects.select_related("queue"), pk=pk)


def plan_day(plan: StaffingPlan, day: date | None) -> PlanDay | None:
    days = plan.plan_days.order_by("date")
    return (days.filter(date=day).first() if day else None) or days.first()


def plan_dates(plan: StaffingPlan) -> list[date]:
    return [plan.start_date + timedelta(days=i) for i in range(plan.days)]


def roster_list() -> QuerySet[Roster]:
    return Roster.objects.select_related("plan__queue", "created_by", "published_by")


def roster_get(pk: Any) -> Roster:
    return get_object_or_404(roster_list(), pk=pk)


def can_see_every_roster(user: User) -> bool:
    return permissions.has_permission(user, "workforce.roster:view")


def roster_calendar(roster: Roster) -> dict[str, Any]:
    """The roster as a calendar: one row per agent, one cell per day (shift code, fixed, substitute)."""
    dates = plan_dates(roster.plan)
    cells: dict[int, dict[date, RosterAssignment]] = {}
    agents: dict[int, User] = {}
    for assignment in roster.assignments.select_related("agent", "template", "covers_for"):
        cells.setdefault(assignment.agent_id, {})[assignment.date] = assignment
        agents[assignment.agent_id] = assignment.agent
    rows = [{"agent": agents[pk], "cells": [cells[pk].get(day) for day in dates],
             "shifts": sum(1 for a in cells[pk].values() if a.template_id),
             "nights": sum(1 for a in cells[pk].values() if a.template_id and a.template.is_night)}
            for pk in sorted(agents, key=lambda k: agents[k].username)]
    return {"dates": dates, "rows": rows}


def my_roster(user: User, first: date, last: date) -> QuerySet[RosterAssignment]:
    """R9.5: an agent's own shifts on published rosters (the "my roster" page): nobody else's."""
    return (RosterAssignment.objects.filter(agent=user, date__gte=first, date__lte=last,
                                            roster__status=Roster.Status.PUBLISHED)
            .select_related("template", "covers_for", "roster__plan__queue").order_by("date"))


def assignments_for(user: User, *, roster: Roster | None = None, agent: Any = None, first: date | None = None,
                    last: date | None = None) -> QuerySet[RosterAssignment]:
    """Assignments a user may see: every one with `workforce.roster:view`, else only his own published ones."""
    queryset = RosterAssignment.objects.select_related("agent", "template", "covers_for", "roster")
    if not can_see_every_roster(user):
        queryset = queryset.filter(agent=user, roster__status=Roster.Status.PUBLISHED)
    if roster is not None:
        queryset = queryset.filter(roster=roster)
    if agent:
        queryset = queryset.filter(agent=agent)
    if first:
        queryset = queryset.filter(date__gte=first)
    if last:
        queryset = queryset.filter(date__lte=last)
    return queryset.order_by("date", "agent__username")


def roster_role_codes() -> list[str]:
    return [c.strip() for c in str(default(defaults.ROSTER_ROLES.key)).split(",") if c.strip()]


def rosterable_agents(queue: PlanningQueue | None = None) -> QuerySet[User]:
    """R9.5: active users with a rostered role, not switched off in their profile, skilled for the queue (a
    profile without queues takes every queue)."""
    users = User.objects.filter(is_active=True, roles__code__in=roster_role_codes()).distinct()
    users = users.exclude(workforce_profile__rostered=False)
    if queue is not None:
        users = users.filter(Q(workforce_profile__isnull=True) | Q(workforce_profile__queues__isnull=True)
                             | Q(workforce_profile__queues=queue)).distinct()
    return users.order_by("username")


def direct_supervisors(user: User) -> list[User]:
    """R9.6 [003]: who approves this user's leave — the supervisor named in his profile; without one, the holders
    of `workforce.leave:approve` in his teams."""
    profile = AgentProfile.objects.filter(user=user).select_related("supervisor").first()
    if profile and profile.supervisor_id and profile.supervisor.is_active:
        return [profile.supervisor]
    colleagues = User.objects.filter(is_active=True, teams__in=user.teams.all()).exclude(pk=user.pk).distinct()
    return [c for c in colleagues.prefetch_related("roles")
            if permissions.has_permission(c, "workforce.leave:approve")]


def is_direct_supervisor(approver: User, agent: User) -> bool:
    return any(s.pk == approver.pk for s in direct_supervisors(agent))


def leave_list_for(user: User, *, status: str | None = None) -> QuerySet[LeaveRequest]:
    """R9.6: every request with `workforce.any_leave:view`; else one's own, those one substitutes on, and those of
    one's direct reports (for an approver)."""
    queryset = LeaveRequest.objects.select_related("agent", "substitute", "decided_by")
    if not permissions.has_permission(user, "workforce.any_leave:view"):
        visible = Q(agent=user) | Q(substitute=user)
        if permissions.has_permission(user, "workforce.leave:approve"):
            reports = AgentProfile.objects.filter(supervisor=user).values_list("user_id", flat=True)
            team_mates = User.objects.filter(teams__in=user.teams.all(), workforce_profile__supervisor__isnull=True)
            unsupervised = User.objects.filter(teams__in=user.teams.all(), workforce_profile__isnull=True)
            visible |= Q(agent__in=reports) | Q(agent__in=team_mates) | Q(agent__in=unsupervised)
        queryset = queryset.filter(visible).distinct()
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


def leave_get_for(user: User, pk: Any) -> LeaveRequest:
    leave = leave_list_for(user).filter(pk=pk).first()
    if leave is None:
        raise Http404
    return leave


def leave_get_to_decide(user: User, pk: Any) -> LeaveRequest:
    """A request this user may decide — he is the agent's direct supervisor (R9.6 [003]) — else 404."""
    leave = leave_get_for(user, pk)
    if leave.agent_id == user.pk or not is_direct_supervisor(user, leave.agent):
        raise Http404
    return leave


def leave_get_own(user: User, pk: Any) -> LeaveRequest:
    """One's own request (to cancel it), else 404."""
    leave = LeaveRequest.objects.filter(pk=pk, agent=user).select_related("agent", "substitute").first()
    if leave is None:
        raise Http404
    return leave


def surge_running() -> Surge | None:
    return Surge.objects.filter(running=True).prefetch_related("members", "teams").first()


def surge_list() -> QuerySet[Surge]:
    return Surge.objects.select_related("started_by", "ended_by").prefetch_related("members", "teams")


def surge_get(pk: Any) -> Surge:
    return get_object_or_404(surge_list(), pk=pk)


def surge_role_codes() -> list[str]:
    return [c.strip() for c in str(default(defaults.SURGE_ROLES.key)).split(",") if c.strip()]


def surge_candidates(teams: Sequence[Team] = ()) -> QuerySet[User]:
    """R9.6 [004]: everybody except the phone agents — active users with a surge role who hold no rostered
    (phone) role — in the given teams, or in all."""
    users = User.objects.filter(is_active=True, roles__code__in=surge_role_codes())
    users = users.exclude(roles__code__in=roster_role_codes())
    if teams:
        users = users.filter(teams__in=list(teams))
    return users.distinct().order_by("username")


def on_the_phones_by_surge(user: User) -> bool:
    """Whether a running surge has moved this user onto the phones (for the contacts desk and the wallboard)."""
    return Surge.objects.filter(running=True, members=user).exists()


def events(*, roster: Roster | None = None, leave: LeaveRequest | None = None, surge: Surge | None = None,
           limit: int = 50) -> list[WorkforceEvent]:
    queryset = WorkforceEvent.objects.select_related("actor", "subject")
    if roster is not None:
        queryset = queryset.filter(roster=roster)
    if leave is not None:
        queryset = queryset.filter(leave=leave)
    if surge is not None:
        queryset = queryset.filter(surge=surge)
    return list(queryset.order_by("-at", "-id")[:limit])


def solver_job_get(pk: Any) -> SolverJob:
    return get_object_or_404(SolverJob, pk=pk)


def solver_jobs(limit: int = 20) -> list[SolverJob]:
    return list(SolverJob.objects.select_related("created_by").order_by("-created_at", "-id")[:limit])
