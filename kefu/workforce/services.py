"""Workforce writes (SPEC §9): volume history, forecasts (R9.1), staffing plans (R9.5), rosters (R9.5), leave with
a substitute (R9.6 [003]) and surges (R9.6 [004]).

Every change goes through a function here — the pages, the API, the `kefu workforce` command and the worker all
call the same ones. Each takes the acting user (None: the operator's command line or the system), checks the
rule, runs in a transaction and writes a `WorkforceEvent` (who, when, what, whom). Long computations run as a
`SolverJob` on the worker (`solver_job_create` → `tasks.run_solver_job` → `solver_job_run`).
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Team, User
from kefu.core import clock, permissions
from kefu.core.errors import ConflictError, FieldError, KefuError
from kefu.core.textfiles import decode_text

from . import defaults, forecasting, rostering, selectors, shifts
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
from .selectors import default

logger = logging.getLogger(__name__)

Progress = Callable[[str, int], None]


def _no_progress(stage: str, percent: int) -> None:
    return None


def log(action: str, *, actor: User | None, subject: User | None = None, roster: Roster | None = None,
        leave: LeaveRequest | None = None, surge: Surge | None = None, **data: Any) -> WorkforceEvent:
    """One line of the workforce log (who, when, what, whom)."""
    return WorkforceEvent.objects.create(at=clock.now(), actor=actor, action=action, subject=subject, roster=roster,
                                         leave=leave, surge=surge, data=data)


# --- Defaults (R9.5 [000]) -----------------------------------------------------------------------------------

DEFAULT_SHIFTS = (
    # code, name (editable data, as in the seed), start, minutes, night
    ("D", "白班", "08:00", 720, False),
    ("M", "中班", "09:00", 720, False),
    ("N", "夜班", "20:00", 720, True),
)
DEFAULT_MINIMUMS = (
    # name, from, until, agents. [000]: "来电高峰时段…至少8位坐席在线…夜班至少2位坐席通宵在线". The seed names no
    # peak hours: the default peak is 09:00–20:00, when both day shifts overlap.
    ("高峰时段", "09:00", "20:00", 8),
    ("夜班", "20:00", "08:00", 2),
)


def shift_defaults_seed() -> None:
    """R9.5 [000]: the three shifts 8:00–20:00, 9:00–21:00, 20:00–8:00 and the minimums ≥ 8 at peak, ≥ 2 at
    night, on a fresh installation. Once a table holds a row it belongs to the planners: nothing is re-added."""
    with transaction.atomic():
        if not ShiftTemplate.objects.exists():
            for code, name, start, minutes, night in DEFAULT_SHIFTS:
                ShiftTemplate.objects.create(code=code, name=name, start=start, duration_minutes=minutes,
                                             paid_minutes=minutes, is_night=night, source="R9.5 [000]")
        if not CoverageMinimum.objects.exists():
            for name, start, end, agents in DEFAULT_MINIMUMS:
                CoverageMinimum.objects.create(name=name, start=start, end=end, minimum_agents=agents,
                                               source="R9.5 [000]")


# --- R9.1 volume history -----------------------------------------------------------------------------------------

def planning_queue_for(code: str, *, interval_minutes: int | None = None) -> PlanningQueue:
    """The planning queue of a PBX queue code, created on first sight with the default handling time."""
    code = code.strip()
    queue = PlanningQueue.objects.filter(code=code).first()
    if queue is None:
        queue = PlanningQueue.objects.create(code=code, interval_minutes=interval_minutes or 30,
                                             aht_seconds=default(defaults.DEFAULT_AHT_SECONDS.key))
    return queue


def _check_interval(moment: datetime, minutes: int) -> None:
    local = timezone.localtime(moment)
    if minutes not in (15, 30):
        raise FieldError(_("An interval is 15 or 30 minutes."), field="interval_minutes", code="interval_invalid")
    if local.second or local.microsecond or (local.hour * 60 + local.minute) % minutes:
        raise FieldError(_("%(time)s does not start a %(minutes)s-minute interval."), field="interval_start",
                         code="interval_misaligned", time=local.strftime("%Y-%m-%d %H:%M:%S"), minutes=minutes)


def interval_volumes_record(*, queue_code: str, interval_minutes: int, counts: Iterable[tuple[datetime, int]],
                            source: str = IntervalVolume.Source.CONTACTS) -> int:
    """R9.1: store (or replace) the contacts offered per interval for one queue — the function the contacts app
    calls to feed the forecast from real calls. `counts` are (aware interval start, offered). Returns how many
    intervals were written. Idempotent: recording the same figures again changes nothing."""
    rows = [(moment, int(offered)) for moment, offered in counts]
    for moment, offered in rows:
        if timezone.is_naive(moment):
            raise FieldError(_("Interval starts must carry a time zone."), field="interval_start",
                             code="naive_datetime")
        _check_interval(moment, interval_minutes)
        if offered < 0:
            raise FieldError(_("The number of contacts must not be negative."), field="offered", code="negative")
    if not rows:
        return 0
    with transaction.atomic():
        queue = planning_queue_for(queue_code, interval_minutes=interval_minutes)
        existing = {v.interval_start: v for v in IntervalVolume.objects.filter(
            queue=queue, interval_start__in=[m for m, _o in rows])}
        new, changed = [], []
        for moment, offered in rows:
            current = existing.get(moment)
            if current is None:
                new.append(IntervalVolume(queue=queue, interval_start=moment, interval_minutes=interval_minutes,
                                          offered=offered, source=source))
            elif current.offered != offered or current.interval_minutes != interval_minutes:
                current.offered, current.interval_minutes, current.source = offered, interval_minutes, source
                changed.append(current)
        IntervalVolume.objects.bulk_create(new, batch_size=2000)
        IntervalVolume.objects.bulk_update(changed, ["offered", "interval_minutes", "source", "updated_at"],
                                           batch_size=2000)
    return len(new) + len(changed)


def interval_volumes_from_contacts(*, start: datetime, end: datetime, actor: User | None = None,
                                   now: datetime | None = None) -> dict[str, int]:
    """R9.1: feed the forecast from the calls Kefu recorded — the offered calls per queue and interval, counted by
    the one figures module (`kefu.contacts.figures`), written with `interval_volumes_record` (replacing what an
    earlier run wrote, so late events and CDR imports correct the history). Only intervals that have ended by
    `now` are written: a half-finished interval would enter the history undercounted. Each planning queue keeps
    its own interval length (30 minutes for a queue seen for the first time). Returns intervals written per queue.
    """
    from kefu.contacts.figures import queue_interval_volumes

    permissions.require(actor, "workforce.forecast:edit", system=True)
    for name, moment in (("start", start), ("end", end)):
        if timezone.is_naive(moment):
            raise FieldError(_("Interval starts must carry a time zone."), field=name, code="naive_datetime")
    if end <= start:
        raise FieldError(_("The end must come after the start."), field="end", code="end_before_start")
    now = now or clock.now()
    lengths = dict(PlanningQueue.objects.values_list("code", "interval_minutes"))
    written: dict[str, int] = {}
    for minutes in (15, 30):
        first = _interval_floor(start, minutes)
        last = min(_interval_floor(end, minutes), _interval_floor(now, minutes))  # exclusive: still running
        if last <= first:
            continue
        for code, counts in queue_interval_volumes(start=first, end=last, interval_minutes=minutes).items():
            if lengths.get(code, 30) != minutes:
                continue
            written[code] = interval_volumes_record(queue_code=code, interval_minutes=minutes, counts=counts,
                                                    source=IntervalVolume.Source.CONTACTS)
    if written and actor is not None:  # the quarter-hourly run would flood the log
        log("volumes_from_contacts", actor=actor, start=start.isoformat(), end=end.isoformat(), written=written)
    return written


def day_span(first: date, last: date) -> tuple[datetime, datetime]:
    """The aware span from the start of `first` to the end of `last` (inclusive days) in the local time zone."""
    zone = timezone.get_current_timezone()
    return (datetime.combine(first, datetime.min.time(), zone),
            datetime.combine(last + timedelta(days=1), datetime.min.time(), zone))


def _interval_floor(moment: datetime, minutes: int) -> datetime:
    local = timezone.localtime(moment)
    return local.replace(minute=local.minute - local.minute % minutes, second=0, microsecond=0)


def volumes_from_contacts_periodic(*, now: datetime | None = None) -> dict[str, int]:
    """Periodic (R9.1): when a quarter hour has ended, write the last hours' intervals again from the recorded
    calls (late and re-ordered events settle within that window; older history comes in by the command or the
    page). Runs once per quarter hour and node: the shared cache marks the quarter hour as done."""
    from django.core.cache import cache

    now = now or clock.now()
    boundary = _interval_floor(now, 15)
    if not cache.add(f"workforce.volumes_from_contacts:{boundary.isoformat()}", 1, timeout=3600):
        return {}
    hours = default(defaults.CONTACT_VOLUME_WINDOW_HOURS.key)
    return interval_volumes_from_contacts(start=boundary - timedelta(hours=hours), end=boundary, now=now)


VOLUME_COLUMNS = {"queue": ("queue", "队列"), "interval_start": ("interval_start", "时段开始", "开始时间"),
                  "interval_minutes": ("interval_minutes", "时段分钟", "时段长度"),
                  "offered": ("offered", "来电量", "呼入量")}


@dataclass
class VolumeImport:
    rows: int = 0
    written: int = 0
    queues: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "written": self.written, "queues": self.queues, "errors": self.errors}


def interval_volumes_import(*, content: bytes, actor: User | None = None, dry_run: bool = False) -> VolumeImport:
    """R9.1: import interval volumes from CSV — columns `queue, interval_start, interval_minutes, offered`
    (or 队列, 时段开始, 时段分钟, 来电量); times without an offset are local (Asia/Shanghai). Every row is checked
    first; with any error nothing is written (the report lists row, field and reason)."""
    permissions.require(actor, "workforce.forecast:edit", system=True)
    reader = csv.reader(io.StringIO(decode_text(content), newline=""))
    header = next(reader, None)
    if not header:
        raise FieldError(_("The file is empty."), field="file", code="empty")
    names = [h.strip().lower() for h in header]
    position = {}
    for column, spellings in VOLUME_COLUMNS.items():
        found = [i for i, name in enumerate(names) if name in spellings]
        if found:
            position[column] = found[0]
        elif column != "interval_minutes":
            raise FieldError(_("The column “%(column)s” is missing."), field="file", code="column_missing",
                             column=column)
    report = VolumeImport()
    parsed: dict[tuple[str, int], list[tuple[datetime, int]]] = {}
    seen: set[tuple[str, datetime]] = set()
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        report.rows += 1

        def cell(column: str, row: list[str] = row) -> str:
            index = position.get(column)
            return row[index].strip() if index is not None and index < len(row) else ""

        def fail(column: str, message: Any, number: int = number, **params: Any) -> None:
            error = FieldError(message, field=column, **params)
            report.errors.append({"row": number, "field": column, "message": error.message_zh,
                                  "message_en": error.message_en})

        queue = cell("queue")
        if not queue or len(queue) > 64:
            fail("queue", _("A queue code of 1–64 characters is required."))
            continue
        moment = parse_datetime(cell("interval_start").replace("/", "-"))
        if moment is None:
            fail("interval_start", _("“%(value)s” is not a date and time such as 2026-03-02 08:30."),
                 value=cell("interval_start"))
            continue
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        try:
            minutes = int(cell("interval_minutes") or 30)
            offered = int(cell("offered"))
        except ValueError:
            fail("offered", _("The interval length and the number of contacts are whole numbers."))
            continue
        try:
            _check_interval(moment, minutes)
            if offered < 0:
                raise FieldError(_("The number of contacts must not be negative."), field="offered")
        except FieldError as error:
            report.errors.append({"row": number, "field": error.field, "message": error.message_zh,
                                  "message_en": error.message_en})
            continue
        if (queue, moment) in seen:
            fail("interval_start", _("This queue and interval appear twice in the file."))
            continue
        seen.add((queue, moment))
        parsed.setdefault((queue, minutes), []).append((moment, offered))
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        for (queue, minutes), counts in parsed.items():
            written = interval_volumes_record(queue_code=queue, interval_minutes=minutes, counts=counts,
                                              source=IntervalVolume.Source.IMPORT)
            report.written += written
            report.queues[queue] = report.queues.get(queue, 0) + len(counts)
        log("workforce.volumes.imported", actor=actor, rows=report.rows, written=report.written,
            queues=report.queues)
    return report


# --- R9.1 forecast -------------------------------------------------------------------------------------------------

def forecast_compute(*, queue: PlanningQueue, start_date: date, days: int, actor: User | None = None,
                     progress: Progress = _no_progress) -> forecasting.ForecastResult:
    """R9.1: forecast `days` days from `start_date` for one queue from the history before `start_date`, the model
    chosen by backtest, holidays and adjusted working days as features; stored as one `Forecast` per day."""
    permissions.require(actor, "workforce.forecast:edit", system=True)
    if not 1 <= days <= 366:
        raise FieldError(_("A forecast covers 1 to 366 days."), field="days", code="out_of_range")
    progress(str(_("Reading the history")), 5)
    history = selectors.volume_history(queue, before=start_date,
                                       days=int(default(defaults.FORECAST_HISTORY_DAYS.key)))
    horizon = [start_date + timedelta(days=i) for i in range(days)]
    kind = selectors.day_kind_function(history.start, horizon[-1])
    progress(str(_("Backtesting the models")), 20)
    result = forecasting.forecast(history, horizon, day_kind=kind,
                                  backtest_days=int(default(defaults.FORECAST_BACKTEST_DAYS.key)))
    progress(str(_("Saving the forecast")), 80)
    backtest = {name: errors.as_dict() for name, errors in result.backtest.items()}
    with transaction.atomic():
        Forecast.objects.filter(queue=queue, date__in=horizon).delete()
        Forecast.objects.bulk_create([
            Forecast(queue=queue, date=day, interval_minutes=queue.interval_minutes, day_kind=kind(day),
                     model=result.model, values=[round(float(v), 3) for v in result.values[row]],
                     wape=result.errors.wape, mape=result.errors.mape, backtest=backtest,
                     history_days=result.history_days)
            for row, day in enumerate(horizon)])
        log("workforce.forecast.made", actor=actor, queue=queue.code, start=start_date.isoformat(), days=days,
            model=result.model, wape=result.errors.wape, mape=result.errors.mape)
    return result


def forecast_values(queue: PlanningQueue, start_date: date, days: int, *, actor: User | None = None,
                    progress: Progress = _no_progress) -> tuple[np.ndarray, list[str]]:
    """The stored forecast of every day, computing it first when any day is missing."""
    last = start_date + timedelta(days=days - 1)
    stored = {f.date: f for f in selectors.forecasts_for(queue, start_date, last)}
    per_day = 24 * 60 // queue.interval_minutes
    notes = []
    if len(stored) < days or any(len(f.values) != per_day for f in stored.values()):
        result = forecast_compute(queue=queue, start_date=start_date, days=days, actor=actor, progress=progress)
        if not result.history_days:
            notes.append("no_history")
        return result.values, notes
    return np.array([stored[start_date + timedelta(days=i)].values for i in range(days)], dtype=float), notes


# --- R9.5 shift plan -----------------------------------------------------------------------------------------------

def shift_specs(templates: Sequence[ShiftTemplate]) -> list[shifts.ShiftSpec]:
    return [shifts.ShiftSpec(code=t.code, start_minute=t.start_minute, duration_minutes=t.duration_minutes,
                             paid_minutes=t.paid_minutes, is_night=t.is_night) for t in templates]


def _previous_lead_in(queue: PlanningQueue, start_date: date) -> dict[str, int] | None:
    """The shifts the previous plan starts on the day before this one (they run into our first morning)."""
    previous = (StaffingPlan.objects.filter(queue=queue).order_by("-created_at", "-id")
                .filter(plan_days__date=start_date - timedelta(days=1)).first())
    if previous is None:
        return None
    day = previous.plan_days.get(date=start_date - timedelta(days=1))
    return {code: int(count) for code, count in day.starts.items()}


def staffing_plan_compute(*, queue: PlanningQueue, start_date: date, days: int, actor: User | None = None,
                          time_limit_seconds: float | None = None, max_shifts_per_day: int | None = None,
                          progress: Progress = _no_progress) -> StaffingPlan:
    """R9.5: forecast → required agents per interval (Erlang staffing, minimum per period, shrinkage) → the
    cheapest shift starts covering them (CP-SAT, `shifts.plan_shifts`); stored with coverage per interval, the
    intervals left short, the solver status, objective, bound and gap."""
    permissions.require(actor, "workforce.plan:edit", system=True)
    if not 1 <= days <= 62:
        raise FieldError(_("A plan covers 1 to 62 days."), field="days", code="out_of_range")
    templates = list(selectors.shift_templates())
    if not templates:
        raise KefuError(_("There is no active shift template."), code="no_shift_templates")
    specs = shift_specs(templates)
    step = queue.interval_minutes
    for spec in specs:
        if spec.start_minute % step or spec.duration_minutes % step:
            raise KefuError(_("Shift %(shift)s does not start and end on the %(minutes)s-minute intervals of queue "
                              "%(queue)s."), code="shift_misaligned", shift=spec.code, minutes=step, queue=queue.code)
    calls, notes = forecast_values(queue, start_date, days, actor=None, progress=progress)
    progress(str(_("Computing the required agents")), 40)
    minimum = selectors.minimum_per_interval(queue)
    _on_phones, required = selectors.required_agents(queue, calls, minimum)
    progress(str(_("Optimising the shifts")), 50)
    limit = float(time_limit_seconds or default(defaults.PLAN_TIME_LIMIT.key))
    result = shifts.plan_shifts(required, specs, step, time_limit_seconds=limit,
                                workers=int(default(defaults.SOLVER_WORKERS.key)),
                                headcount=[max_shifts_per_day] * days if max_shifts_per_day else None,
                                previous_lead_in=_previous_lead_in(queue, start_date))
    if result.status not in (shifts.OPTIMAL, shifts.FEASIBLE):
        raise KefuError(_("The optimiser found no plan in %(seconds)s seconds (%(status)s)."), code="plan_failed",
                        seconds=limit, status=result.status)
    progress(str(_("Saving the plan")), 90)
    codes = result.templates
    with transaction.atomic():
        plan = StaffingPlan.objects.create(
            queue=queue, start_date=start_date, days=days, interval_minutes=step, templates=codes,
            solver_status=result.status, objective=result.objective, best_bound=result.best_bound, gap=result.gap,
            wall_seconds=result.wall_seconds, paid_hours=result.paid_minutes / 60,
            short_intervals=len(result.short_intervals), notes=notes,
            lead_in={c: int(n) for c, n in zip(codes, result.lead_in, strict=True) if n},
            created_by=actor)
        PlanDay.objects.bulk_create([
            PlanDay(plan=plan, date=start_date + timedelta(days=d), forecast=[round(float(v), 2) for v in calls[d]],
                    required=[int(v) for v in required[d]], scheduled=[int(v) for v in result.scheduled[d]],
                    starts={c: int(n) for c, n in zip(codes, result.starts[d], strict=True)})
            for d in range(days)])
        log("workforce.plan.made", actor=actor, plan=plan.pk, queue=queue.code, **result.summary())
    return plan


# --- R9.5 roster ---------------------------------------------------------------------------------------------------

def roster_rules(days: int) -> rostering.RosterRules:
    """The rules from the tunables; paid hours capped at (legal hours + overtime) per month, pro rata."""
    monthly = float(default(defaults.LEGAL_HOURS_PER_MONTH.key)) + float(default(defaults.MAX_OVERTIME_HOURS.key))
    return rostering.RosterRules(
        min_rest_minutes=round(float(default(defaults.MIN_REST_HOURS.key)) * 60),
        max_consecutive_days=int(default(defaults.MAX_CONSECUTIVE_DAYS.key)),
        weekly_rest_days=int(default(defaults.WEEKLY_REST_DAYS.key)),
        max_paid_minutes=int(monthly * 60 * days / 30.4375))


def _leave_days(agent_ids: Sequence[int], first: date, last: date) -> dict[int, set[date]]:
    out: dict[int, set[date]] = {}
    for leave in LeaveRequest.objects.filter(agent_id__in=agent_ids, status=LeaveRequest.Status.APPROVED,
                                             start_date__lte=last, end_date__gte=first):
        day = max(leave.start_date, first)
        while day <= min(leave.end_date, last):
            out.setdefault(leave.agent_id, set()).add(day)
            day += timedelta(days=1)
    return out


def roster_inputs(roster: Roster) -> tuple[list[rostering.AgentSpec], list[shifts.ShiftSpec], np.ndarray,
                                           dict[int, User]]:
    """What the roster solver needs, read from the database: agents (skills, night shifts, leave, other rosters,
    fixed assignments, the last week worked, preferences), the shifts and the plan's starts."""
    plan = roster.plan
    first, days = plan.start_date, plan.days
    last = first + timedelta(days=days - 1)
    by_code = {t.code: t for t in ShiftTemplate.objects.filter(code__in=plan.templates)}
    templates = [by_code[c] for c in plan.templates if c in by_code]
    specs = shift_specs(templates)
    demand = np.zeros((days, len(templates)), dtype=np.int64)
    for plan_day in plan.plan_days.all():
        for t, template in enumerate(templates):
            demand[(plan_day.date - first).days, t] = int(plan_day.starts.get(template.code, 0))
    agents = list(selectors.rosterable_agents(plan.queue).select_related("workforce_profile"))
    fixed_here = list(roster.assignments.filter(fixed=True).select_related("template"))
    # Anyone fixed by hand on this roster (a substitute from another desk, say) works his fixed days and no
    # others unless he is rostered on this queue anyway.
    known = {a.pk for a in agents}
    only_fixed = set()
    for assignment in fixed_here:
        if assignment.agent_id not in known:
            known.add(assignment.agent_id)
            only_fixed.add(assignment.agent_id)
            agents.append(assignment.agent)
    ids = [a.pk for a in agents]
    leave = _leave_days(ids, first, last)
    elsewhere: dict[int, dict[date, RosterAssignment]] = {}
    for other in (RosterAssignment.objects.filter(agent_id__in=ids, date__gte=first - timedelta(days=7),
                                                  date__lte=last).exclude(roster=roster).select_related("template")):
        elsewhere.setdefault(other.agent_id, {})[other.date] = other
    fixed: dict[int, dict[int, str | None]] = {}
    for assignment in fixed_here:
        fixed.setdefault(assignment.agent_id, {})[(assignment.date - first).days] = (
            assignment.template.code if assignment.template else None)
    profiles = {p.user_id: p for p in AgentProfile.objects.filter(user_id__in=ids)
                .prefetch_related("queues", "preferred_templates")}
    night_codes = {t.code for t in templates if t.is_night}
    specs_out = []
    for agent in agents:
        profile = profiles.get(agent.pk)
        allowed = None
        if profile is not None and not profile.works_nights:
            allowed = frozenset(t.code for t in templates) - night_codes
        others = elsewhere.get(agent.pk, {})
        unavailable = {(d - first).days for d in leave.get(agent.pk, set())}
        unavailable |= {(d - first).days for d in others if d >= first}
        if agent.pk in only_fixed:
            unavailable |= set(range(days)) - set(fixed.get(agent.pk, {}))
        prior = {(d - first).days: a.template.code for d, a in others.items()
                 if d < first and a.template is not None}
        busy = sum(a.template.paid_minutes for d, a in others.items() if d >= first and a.template is not None)
        specs_out.append(rostering.AgentSpec(
            key=agent.pk, templates=allowed, unavailable=frozenset(unavailable), fixed=fixed.get(agent.pk, {}),
            prior=prior, busy_minutes=busy,
            preferred_templates=frozenset(t.code for t in profile.preferred_templates.all()) if profile else
            frozenset(),
            preferred_days_off=frozenset(int(c) - 1 for c in profile.preferred_days_off) if profile else
            frozenset()))
    return specs_out, specs, demand, {a.pk: a for a in agents}


def roster_create(*, plan: StaffingPlan, actor: User | None = None) -> Roster:
    """A new draft roster for a plan (the solver fills it)."""
    permissions.require(actor, "workforce.roster:edit", system=True)
    roster = Roster.objects.create(plan=plan, created_by=actor)
    log("workforce.roster.created", actor=actor, roster=roster, plan=plan.pk)
    return roster


def roster_compute(*, roster: Roster, actor: User | None = None, time_limit_seconds: float | None = None,
                   progress: Progress = _no_progress) -> Roster:
    """R9.5: assign named agents to the plan's shifts under the rest rules, skills, leave and preferences, fair
    on night shifts; what a supervisor fixed by hand is kept. Replaces the solver's earlier assignments on this
    roster; a published roster stays published (its agents see the new shifts)."""
    permissions.require(actor, "workforce.roster:edit", system=True)
    plan = roster.plan
    progress(str(_("Reading agents, leave and fixed shifts")), 10)
    agents, specs, demand, users = roster_inputs(roster)
    if not specs:
        raise KefuError(_("The plan's shift templates no longer exist."), code="no_shift_templates")
    rules = roster_rules(plan.days)
    limit = float(time_limit_seconds or default(defaults.ROSTER_TIME_LIMIT.key))
    progress(str(_("Solving the roster")), 30)
    result = rostering.solve_roster(plan.start_date, plan.days, specs, demand, agents, rules,
                                    time_limit_seconds=limit, workers=int(default(defaults.SOLVER_WORKERS.key)))
    if result.status not in (shifts.OPTIMAL, shifts.FEASIBLE):
        raise KefuError(_("The roster solver found no roster in %(seconds)s seconds (%(status)s)."),
                        code="roster_failed", seconds=limit, status=result.status)
    progress(str(_("Saving the roster")), 90)
    templates = {t.code: t for t in ShiftTemplate.objects.filter(code__in=[s.code for s in specs])}
    night_able = [a.key for a in agents if a.templates is None or any(templates[c].is_night for c in a.templates)]
    summary = result.summary(night_able)
    unfilled = [{"date": (plan.start_date + timedelta(days=int(d))).isoformat(), "shift": specs[int(t)].code,
                 "missing": int(result.short[d, t])} for d, t in zip(*np.nonzero(result.short), strict=True)]
    with transaction.atomic():
        fixed_keys = set(roster.assignments.filter(fixed=True).values_list("agent_id", "date"))
        roster.assignments.filter(fixed=False).delete()
        RosterAssignment.objects.bulk_create([
            RosterAssignment(roster=roster, agent=users[key], date=plan.start_date + timedelta(days=day),
                             template=templates[code])
            for (key, day), code in sorted(result.assignments.items())
            if (key, plan.start_date + timedelta(days=day)) not in fixed_keys], batch_size=2000)
        roster.solver_status = result.status
        roster.objective, roster.best_bound, roster.gap = result.objective, result.best_bound, result.gap
        roster.wall_seconds = result.wall_seconds
        roster.unfilled_shifts = int(result.short.sum())
        roster.report = {**summary, "unfilled": unfilled, "fixed_breaches": result.fixed_breaches,
                         "agents": len(agents)}
        roster.save(update_fields=["solver_status", "objective", "best_bound", "gap", "wall_seconds",
                                   "unfilled_shifts", "report"])
        log("workforce.roster.solved", actor=actor, roster=roster, **summary)
    return roster


def _in_horizon(roster: Roster, day: date) -> bool:
    return roster.plan.start_date <= day < roster.plan.start_date + timedelta(days=roster.plan.days)


def roster_assignment_fix(*, actor: User | None, roster: Roster, agent: User, day: date,
                          template: ShiftTemplate | None) -> tuple[RosterAssignment, list[str]]:
    """R9.5: a supervisor sets an agent's shift (or a day off, `template` None) by hand; the solver keeps it.
    Refused on a day of approved leave or when the agent works that day on another roster. Returns the rule
    breaches it causes (rest, days in a row, weekly rest, hours) so the page can warn — the supervisor decides."""
    permissions.require(actor, "workforce.roster:edit", system=True)
    if not _in_horizon(roster, day):
        raise FieldError(_("The day is outside the roster."), field="date", code="out_of_range")
    if template is not None and template.code not in roster.plan.templates:
        raise FieldError(_("This shift is not part of the plan."), field="template", code="template_not_planned")
    if _leave_days([agent.pk], day, day).get(agent.pk):
        raise FieldError(_("%(agent)s is on approved leave that day."), field="agent", code="on_leave",
                         agent=agent.display_name)
    if RosterAssignment.objects.filter(agent=agent, date=day).exclude(roster=roster).exists():
        raise FieldError(_("%(agent)s already works that day on another roster."), field="agent",
                         code="busy_elsewhere", agent=agent.display_name)
    with transaction.atomic():
        assignment, _created = RosterAssignment.objects.update_or_create(
            roster=roster, agent=agent, date=day,
            defaults={"template": template, "fixed": True, "covers_for": None, "leave": None})
        log("workforce.roster.fixed", actor=actor, subject=agent, roster=roster, date=day.isoformat(),
            shift=template.code if template else None)
    return assignment, agent_breaches(agent, day)


def roster_assignment_release(*, actor: User | None, roster: Roster, agent: User, day: date) -> None:
    """Undo a fix by hand: the assignment goes back to the solver (kept until the roster is solved again)."""
    permissions.require(actor, "workforce.roster:edit", system=True)
    with transaction.atomic():
        assignment = RosterAssignment.objects.filter(roster=roster, agent=agent, date=day, fixed=True).first()
        if assignment is None:
            raise FieldError(_("Nothing was fixed by hand for this agent and day."), field="date", code="not_fixed")
        if assignment.template_id is None:
            assignment.delete()
        else:
            assignment.fixed = False
            assignment.save(update_fields=["fixed"])
        log("workforce.roster.released", actor=actor, subject=agent, roster=roster, date=day.isoformat())


def agent_breaches(agent: User, around: date) -> list[str]:
    """The rule breaches of one agent's assignments within two weeks of a day (any roster)."""
    first, last = around - timedelta(days=14), around + timedelta(days=14)
    rows = list(RosterAssignment.objects.filter(agent=agent, date__gte=first, date__lte=last,
                                                template__isnull=False).select_related("template"))
    templates = {a.template.code: a.template for a in rows}
    specs = shift_specs(list(templates.values()))
    found = {(agent.pk, (a.date - first).days): a.template.code for a in rows}
    rules = roster_rules((last - first).days + 1)
    rules = rostering.RosterRules(min_rest_minutes=rules.min_rest_minutes,
                                  max_consecutive_days=rules.max_consecutive_days,
                                  weekly_rest_days=rules.weekly_rest_days)
    return rostering.check_assignments(first, (last - first).days + 1, specs, found, rules)


def roster_publish(*, actor: User | None, roster: Roster) -> Roster:
    """R9.5: publish a roster to its agents (the "my roster" page shows only published rosters)."""
    permissions.require(actor, "workforce.roster:edit", system=True)
    if roster.status == Roster.Status.PUBLISHED:
        raise ConflictError(_("The roster is already published."), code="already_published")
    if not roster.assignments.exists():
        raise KefuError(_("The roster has no assignments yet."), code="roster_empty")
    with transaction.atomic():
        roster.status = Roster.Status.PUBLISHED
        roster.published_by, roster.published_at = actor, clock.now()
        roster.save(update_fields=["status", "published_by", "published_at"])
        log("workforce.roster.published", actor=actor, roster=roster,
            agents=roster.assignments.values("agent").distinct().count())
    return roster


# --- R9.6 leave with a substitute [003] ----------------------------------------------------------------------------

def _shift_days(agent: User, first: date, last: date) -> list[RosterAssignment]:
    return list(RosterAssignment.objects.filter(agent=agent, date__gte=first, date__lte=last,
                                                template__isnull=False).select_related("template", "roster"))


def _rest_clash(substitute: User, assignment: RosterAssignment) -> str | None:
    """Whether the substitute taking this shift breaks the minimum rest against his own shifts around it."""
    rest = round(float(default(defaults.MIN_REST_HOURS.key)) * 60)
    template = assignment.template
    start = datetime.combine(assignment.date, template.start)
    end = start + timedelta(minutes=template.duration_minutes)
    for other in _shift_days(substitute, assignment.date - timedelta(days=2), assignment.date + timedelta(days=2)):
        other_start = datetime.combine(other.date, other.template.start)
        other_end = other_start + timedelta(minutes=other.template.duration_minutes)
        gap = (other_start - end) if other_start >= start else (start - other_end)
        if gap < timedelta(minutes=rest):
            return other.date.isoformat()
    return None


def leave_request_create(*, actor: User, start_date: date, end_date: date, substitute: User,
                         kind: str = LeaveRequest.Kind.PERSONAL, reason: str = "") -> LeaveRequest:
    """R9.6 [003]: an agent asks for leave naming a colleague as substitute (代班); his direct supervisor decides.
    Refused: dates inverted or past, himself as substitute, an overlapping request, no direct supervisor, or a
    substitute who already works on one of the agent's shift days or is on leave then."""
    permissions.require(actor, "workforce.leave:request", system=True)
    if end_date < start_date:
        raise FieldError(_("The last day is before the first day."), field="end_date", code="inverted")
    if start_date < clock.today():
        raise FieldError(_("Leave cannot start in the past."), field="start_date", code="in_the_past")
    if (end_date - start_date).days > 92:
        raise FieldError(_("One request covers at most 93 days."), field="end_date", code="too_long")
    if substitute.pk == actor.pk:
        raise FieldError(_("The substitute must be a colleague, not yourself."), field="substitute",
                         code="substitute_self")
    if not substitute.is_active:
        raise FieldError(_("The substitute is not an active user."), field="substitute", code="substitute_inactive")
    if kind not in LeaveRequest.Kind.values:
        raise FieldError(_("Unknown kind of leave."), field="kind", code="invalid")
    if LeaveRequest.objects.filter(agent=actor, status__in=[LeaveRequest.Status.PENDING,
                                                            LeaveRequest.Status.APPROVED],
                                   start_date__lte=end_date, end_date__gte=start_date).exists():
        raise FieldError(_("You already asked for leave on some of these days."), field="start_date",
                         code="overlapping")
    if not selectors.direct_supervisors(actor):
        raise KefuError(_("No direct supervisor is set for you, so nobody can approve your leave; ask an "
                          "administrator to set one in your workforce profile."), code="no_supervisor")
    _check_substitute(actor, substitute, start_date, end_date)
    with transaction.atomic():
        leave = LeaveRequest.objects.create(agent=actor, start_date=start_date, end_date=end_date,
                                            substitute=substitute, kind=kind, reason=reason[:500])
        log("workforce.leave.requested", actor=actor, subject=actor, leave=leave, substitute=substitute.pk,
            start=start_date.isoformat(), end=end_date.isoformat())
    return leave


def _check_substitute(agent: User, substitute: User, first: date, last: date) -> None:
    if _leave_days([substitute.pk], first, last).get(substitute.pk):
        raise FieldError(_("%(name)s is on leave on some of these days."), field="substitute",
                         code="substitute_on_leave", name=substitute.display_name)
    busy = set(RosterAssignment.objects.filter(agent=substitute, date__gte=first, date__lte=last,
                                               template__isnull=False).values_list("date", flat=True))
    clash = sorted(busy & {a.date for a in _shift_days(agent, first, last)})
    if clash:
        raise FieldError(_("%(name)s already works on %(day)s, one of your shift days, and cannot take your "
                           "shift."), field="substitute", code="substitute_busy", name=substitute.display_name,
                         day=clash[0].isoformat())


def leave_request_decide(*, actor: User, leave: LeaveRequest, approve: bool, note: str = "") -> LeaveRequest:
    """R9.6 [003]: the agent's direct supervisor approves or rejects. On approval the roster changes in the same
    transaction: each of the agent's shifts in the leave goes to the named substitute, fixed, marked as covering
    for him; refused whole if the substitute works that day or would get too little rest."""
    permissions.require(actor, "workforce.leave:approve", system=True)
    if leave.agent_id == actor.pk:
        raise KefuError(_("Nobody approves his own leave."), code="own_leave", status=403)
    if not selectors.is_direct_supervisor(actor, leave.agent):
        raise KefuError(_("Only %(agent)s's direct supervisor decides this request."), code="not_supervisor",
                        status=403, agent=leave.agent.display_name)
    with transaction.atomic():
        locked = LeaveRequest.objects.select_for_update().get(pk=leave.pk)
        if locked.status != LeaveRequest.Status.PENDING:
            raise ConflictError(_("This request was already decided or cancelled."), code="already_decided")
        moved = []
        if approve:
            _check_substitute(locked.agent, locked.substitute, locked.start_date, locked.end_date)
            for assignment in _shift_days(locked.agent, locked.start_date, locked.end_date):
                clash = _rest_clash(locked.substitute, assignment)
                if clash:
                    raise FieldError(_("%(name)s would not get the minimum rest between the shift on %(day)s and "
                                       "his own on %(other)s."), field="substitute", code="substitute_rest",
                                     name=locked.substitute.display_name, day=assignment.date.isoformat(),
                                     other=clash)
                assignment.agent, assignment.covers_for = locked.substitute, locked.agent
                assignment.fixed, assignment.leave = True, locked
                try:
                    with transaction.atomic():
                        assignment.save(update_fields=["agent", "covers_for", "fixed", "leave"])
                except IntegrityError:  # pragma: no cover - checked above; a concurrent change
                    raise ConflictError(_("The roster changed meanwhile; try again."), code="roster_changed") from None
                moved.append(assignment)
                log("workforce.roster.substituted", actor=actor, subject=locked.substitute, roster=assignment.roster,
                    leave=locked, date=assignment.date.isoformat(), shift=assignment.template.code,
                    covers_for=locked.agent_id)
        locked.status = LeaveRequest.Status.APPROVED if approve else LeaveRequest.Status.REJECTED
        locked.decided_by, locked.decided_at, locked.decision_note = actor, clock.now(), note[:500]
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        log("workforce.leave.approved" if approve else "workforce.leave.rejected", actor=actor,
            subject=locked.agent, leave=locked, shifts_moved=len(moved))
    return locked


def leave_request_cancel(*, actor: User, leave: LeaveRequest) -> LeaveRequest:
    """The requester withdraws a request that is still waiting."""
    permissions.require(actor, "workforce.leave:request", system=True)
    if leave.agent_id != actor.pk:
        raise KefuError(_("Only the requester cancels a request."), code="not_requester", status=403)
    with transaction.atomic():
        updated = LeaveRequest.objects.filter(pk=leave.pk, status=LeaveRequest.Status.PENDING).update(
            status=LeaveRequest.Status.CANCELLED, decided_at=clock.now())
        if not updated:
            raise ConflictError(_("Only a request still waiting can be cancelled."), code="already_decided")
        log("workforce.leave.cancelled", actor=actor, subject=actor, leave=leave)
    leave.refresh_from_db()
    return leave


# --- R9.6 surge [004] ----------------------------------------------------------------------------------------------

def surge_start(*, actor: User | None, reason: str, teams: Sequence[Team] = ()) -> Surge:
    """R9.6 [004]: a major outage — move every non-phone member of staff (the surge roles, in the given teams or
    all) onto the phones. Logged: who started it, when, and one line per person moved."""
    permissions.require(actor, "workforce.surge:switch", system=True)
    reason = (reason or "").strip()
    if not reason:
        raise FieldError(_("Give the reason (the outage)."), field="reason", code="required")
    if actor is None:
        raise KefuError(_("A surge is started by a named supervisor."), code="actor_required")
    members = list(selectors.surge_candidates(teams))
    try:
        with transaction.atomic():
            surge = Surge.objects.create(reason=reason[:500], started_by=actor, started_at=clock.now())
            surge.teams.set(teams)
            surge.members.set(members)
            log("workforce.surge.started", actor=actor, surge=surge, reason=reason,
                teams=[t.code for t in teams], members=[m.pk for m in members])
            for member in members:
                log("workforce.surge.to_phones", actor=actor, subject=member, surge=surge)
    except IntegrityError:
        raise ConflictError(_("A surge is already running; end it first."), code="surge_running") from None
    return surge


def surge_end(*, actor: User | None, surge: Surge) -> Surge:
    """R9.6 [004]: the outage is over — everybody moved goes back to his own work. Logged like the start."""
    permissions.require(actor, "workforce.surge:switch", system=True)
    if actor is None:
        raise KefuError(_("A surge is ended by a named supervisor."), code="actor_required")
    with transaction.atomic():
        if not Surge.objects.filter(pk=surge.pk, running=True).update(running=None, ended_by=actor,
                                                                       ended_at=clock.now()):
            raise ConflictError(_("This surge has already ended."), code="surge_ended")
        surge.refresh_from_db()
        members = list(surge.members.all())
        log("workforce.surge.ended", actor=actor, surge=surge, members=[m.pk for m in members])
        for member in members:
            log("workforce.surge.back", actor=actor, subject=member, surge=surge)
    return surge


# --- Solver jobs ---------------------------------------------------------------------------------------------------

def solver_job_create(*, actor: User | None, kind: str, params: dict[str, Any]) -> SolverJob:
    """Queue a forecast, plan or roster for the worker (on commit); the page polls the job."""
    from .tasks import run_solver_job

    code = {SolverJob.Kind.FORECAST: "workforce.forecast:edit", SolverJob.Kind.PLAN: "workforce.plan:edit",
            SolverJob.Kind.ROSTER: "workforce.roster:edit"}.get(kind)
    if code is None:
        raise FieldError(_("Unknown kind of job."), field="kind", code="invalid")
    permissions.require(actor, code, system=True)
    job = SolverJob.objects.create(kind=kind, params=params, created_by=actor,
                                   stage=str(_("Waiting for a worker")))
    transaction.on_commit(lambda: run_solver_job.enqueue(job_id=job.pk))
    return job


def solver_job_run(job_id: int) -> None:
    """Run a queued job once (claimed atomically, so two workers never run it twice); failures are stored."""
    if not SolverJob.objects.filter(pk=job_id, status=SolverJob.Status.PENDING).update(
            status=SolverJob.Status.RUNNING, stage=str(_("Starting"))):
        return
    job = SolverJob.objects.select_related("created_by").get(pk=job_id)

    def progress(stage: str, percent: int) -> None:
        SolverJob.objects.filter(pk=job_id).update(stage=stage[:100], progress=max(0, min(100, percent)))

    params = job.params
    try:
        if job.kind == SolverJob.Kind.FORECAST:
            queue = PlanningQueue.objects.get(pk=params["queue"])
            result = forecast_compute(queue=queue, start_date=date.fromisoformat(params["start_date"]),
                                      days=int(params["days"]), actor=job.created_by, progress=progress)
            outcome: dict[str, Any] = {"model": result.model, "wape": result.errors.wape,
                                       "mape": result.errors.mape, "history_days": result.history_days}
            links: dict[str, Any] = {}
        elif job.kind == SolverJob.Kind.PLAN:
            queue = PlanningQueue.objects.get(pk=params["queue"])
            plan = staffing_plan_compute(queue=queue, start_date=date.fromisoformat(params["start_date"]),
                                         days=int(params["days"]), actor=job.created_by,
                                         time_limit_seconds=params.get("time_limit_seconds"),
                                         max_shifts_per_day=params.get("max_shifts_per_day"), progress=progress)
            outcome, links = {"plan": plan.pk, "status": plan.solver_status, "gap": plan.gap}, {"plan": plan}
        else:
            plan = StaffingPlan.objects.get(pk=params["plan"])
            roster = (Roster.objects.get(pk=params["roster"]) if params.get("roster")
                      else roster_create(plan=plan, actor=job.created_by))
            roster = roster_compute(roster=roster, actor=job.created_by,
                                    time_limit_seconds=params.get("time_limit_seconds"), progress=progress)
            outcome = {"roster": roster.pk, "status": roster.solver_status, "gap": roster.gap,
                       "objective": roster.objective}
            links = {"roster": roster, "plan": plan}
    except (KefuError, PlanningQueue.DoesNotExist, StaffingPlan.DoesNotExist, Roster.DoesNotExist) as error:
        message = error.message_zh if isinstance(error, KefuError) else str(_("The queue, plan or roster is gone."))
        SolverJob.objects.filter(pk=job_id).update(status=SolverJob.Status.FAILED, message=message[:500],
                                                   finished_at=clock.now())
        return
    except Exception:  # a bug must not leave the job running forever; the worker's log has the traceback
        logger.exception("workforce job %s failed", job_id)
        SolverJob.objects.filter(pk=job_id).update(status=SolverJob.Status.FAILED, finished_at=clock.now(),
                                                   message=str(_("An unexpected error stopped the job."))[:500])
        raise
    SolverJob.objects.filter(pk=job_id).update(status=SolverJob.Status.SUCCEEDED, progress=100,
                                               stage=str(_("Done")), result=outcome, finished_at=clock.now(),
                                               **links)


def month_bounds(month: str) -> tuple[date, int]:
    """"2026-03" → (2026-03-01, 31)."""
    try:
        year, number = (int(p) for p in month.split("-"))
        first = date(year, number, 1)
    except (ValueError, TypeError):
        raise FieldError(_("A month is written like 2026-03."), field="month", code="invalid") from None
    following = date(year + (number == 12), number % 12 + 1, 1)
    return first, (following - first).days

