"""Workforce services against the database: volume import, forecast with the official calendar, plan, roster,
leave with a substitute (R9.6 [003]) and surge (R9.6 [004])."""

from datetime import date, datetime, time, timedelta

import numpy as np
import pytest
from django.utils import timezone

from kefu.accounts.models import Team
from kefu.core import clock
from kefu.core.errors import ConflictError, FieldError, KefuError
from kefu.workforce import forecasting, rostering, selectors, services
from kefu.workforce.models import (
    AgentProfile,
    Forecast,
    IntervalVolume,
    LeaveRequest,
    Roster,
    RosterAssignment,
    ShiftTemplate,
    Surge,
    WorkforceEvent,
)
from kefu.workforce.tests import factories

pytestmark = pytest.mark.django_db


def local(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def synthetic_history(first: date, days: int, *, daily: float = 900.0, seed: int = 11) -> None:
    """Half-hourly calls with two peaks and a weekly pattern; holidays at 40 % (from the official schedule)."""
    rng = np.random.default_rng(seed)
    hours = (np.arange(48) + 0.5) / 2
    curve = 0.04 + np.exp(-((hours - 10) / 2.0) ** 2) + 0.85 * np.exp(-((hours - 15) / 2.4) ** 2)
    curve /= curve.sum()
    weekly = (1.15, 1.05, 1.0, 1.0, 1.1, 0.7, 0.6)
    kinds = selectors.day_kinds(first, first + timedelta(days=days))
    counts = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        level = daily * weekly[day.weekday()] * (0.4 if kinds[day] == forecasting.HOLIDAY else 1.0)
        counts += [(local(day) + timedelta(minutes=30 * i), int(v))
                   for i, v in enumerate(rng.poisson(level * curve))]
    services.interval_volumes_record(queue_code="hotline", interval_minutes=30, counts=counts)


# --- volumes ---------------------------------------------------------------------------------------------------

def test_import_is_all_or_nothing_and_reports_every_bad_row():
    good = ("queue,interval_start,interval_minutes,offered\n"
            "hotline,2026-03-02 08:00,30,12\nhotline,2026-03-02 08:30,30,15\n")
    report = services.interval_volumes_import(content=good.encode())
    assert report.errors == [] and report.written == 2 and report.queues == {"hotline": 2}
    assert IntervalVolume.objects.get(interval_start=local(date(2026, 3, 2), 8, 30)).offered == 15
    again = services.interval_volumes_import(content=good.encode())
    assert again.written == 0  # the same figures again change nothing
    bad = ("队列,时段开始,时段分钟,来电量\nhotline,2026-03-02 09:00,30,7\nhotline,2026-03-02 09:10,30,5\n"
           "hotline,2026-03-02 09:30,20,5\n,2026-03-02 10:00,30,1\nhotline,yesterday,30,1\n"
           "hotline,2026-03-02 11:00,30,-1\n")
    report = services.interval_volumes_import(content=bad.encode("gb18030"))
    assert [e["row"] for e in report.errors] == [3, 4, 5, 6, 7]
    assert not IntervalVolume.objects.filter(interval_start=local(date(2026, 3, 2), 9)).exists()


def test_recorded_quarter_hours_are_summed_into_the_queue_interval():
    factories.queue("q15", interval_minutes=30)
    day = date(2026, 3, 2)
    services.interval_volumes_record(queue_code="q15", interval_minutes=15, counts=[
        (local(day, 8, 0), 3), (local(day, 8, 15), 4), (local(day, 23, 45), 2)])
    queue = services.planning_queue_for("q15")
    assert queue.interval_minutes == 30
    history = selectors.volume_history(queue, before=day + timedelta(days=3), days=30)
    assert history.start == day and history.days == 1
    assert history.values[0, 16] == 7 and history.values[0, 47] == 2
    with pytest.raises(FieldError):
        services.interval_volumes_record(queue_code="q15", interval_minutes=30, counts=[(local(day, 8, 10), 1)])


# --- forecast, plan ------------------------------------------------------------------------------------------------

def test_forecast_uses_the_official_calendar_and_shows_its_error():
    synthetic_history(date(2026, 3, 2), 98)  # to 2026-06-07, with Qingming and Labour Day
    queue = services.planning_queue_for("hotline")
    result = services.forecast_compute(queue=queue, start_date=date(2026, 6, 8), days=14)
    stored = {f.date: f for f in Forecast.objects.filter(queue=queue)}
    assert len(stored) == 14
    dragon_boat, ordinary_friday = stored[date(2026, 6, 19)], stored[date(2026, 6, 12)]
    assert dragon_boat.day_kind == forecasting.HOLIDAY and ordinary_friday.day_kind == forecasting.WORKING_DAY
    assert dragon_boat.total / ordinary_friday.total == pytest.approx(0.4, abs=0.15)
    assert ordinary_friday.model == result.model and ordinary_friday.wape == result.errors.wape
    assert set(ordinary_friday.backtest) == {"seasonal_naive", "holt_winters"}
    assert 0 < ordinary_friday.wape < 0.3


def test_plan_covers_the_forecast_and_the_minimums():
    synthetic_history(date(2026, 3, 2), 56)
    queue = services.planning_queue_for("hotline")
    plan = services.staffing_plan_compute(queue=queue, start_date=date(2026, 4, 27), days=7)
    assert plan.solver_status == "optimal" and plan.gap == 0 and plan.short_intervals == 0
    days = list(plan.plan_days.order_by("date"))
    assert len(days) == 7
    for day in days:
        assert all(s >= r for r, s in zip(day.required, day.scheduled, strict=True))
        assert min(day.required[18:40]) >= 8  # ≥ 8 at peak [000]
        assert min(day.required[40:] + day.required[:16]) >= 2  # ≥ 2 at night [000]
    assert max(days[0].required) > 8  # the forecast drives the peak above the minimum
    assert WorkforceEvent.objects.filter(action="workforce.plan.made").exists()


def test_plan_without_history_staffs_the_minimums():
    queue = factories.queue("empty")
    plan = services.staffing_plan_compute(queue=queue, start_date=date(2026, 5, 4), days=2)
    day = plan.plan_days.first()
    assert plan.notes == ["no_history"]
    assert sum(day.starts.values()) == 10  # 8 from 09:00 to 20:00, 2 at night
    assert plan.lead_in == {"N": 2}  # the first morning's night shift started the day before
    assert plan.paid_hours == (2 * 10 + 2) * 12


# --- roster ----------------------------------------------------------------------------------------------------------

def agents(make_user, count: int, supervisor=None) -> list:
    users = [make_user("agent") for _ in range(count)]
    for user in users:
        AgentProfile.objects.create(user=user, supervisor=supervisor)
    return users


def test_roster_keeps_the_rules_fixed_assignments_and_leave(make_user):
    supervisor = make_user("supervisor")
    team = agents(make_user, 8, supervisor)
    start = clock.today() + timedelta(days=5)
    plan = factories.plan(start=start, days=14, starts={"D": 2, "M": 0, "N": 1})
    roster = services.roster_create(plan=plan)
    fixed = RosterAssignment.objects.create(roster=roster, agent=team[0], date=start + timedelta(days=2),
                                            template=ShiftTemplate.objects.get(code="N"), fixed=True)
    LeaveRequest.objects.create(agent=team[1], substitute=team[2], start_date=start, end_date=start + timedelta(3),
                                status=LeaveRequest.Status.APPROVED)
    services.roster_compute(roster=roster, time_limit_seconds=20)
    roster.refresh_from_db()
    assert roster.solver_status in ("optimal", "feasible") and roster.unfilled_shifts == 0
    rows = list(roster.assignments.select_related("template"))
    assert len(rows) == 14 * 3
    fixed.refresh_from_db()
    assert fixed.template.code == "N" and fixed.fixed
    assert not [a for a in rows if a.agent_id == team[1].pk and a.date <= start + timedelta(3)]
    found = {(a.agent_id, (a.date - start).days): a.template.code for a in rows}
    specs = services.shift_specs(list(ShiftTemplate.objects.all()))
    assert rostering.check_assignments(start, 14, specs, found, services.roster_rules(14)) == []
    # Solving again keeps what was fixed and changes nothing else's count.
    services.roster_compute(roster=roster, time_limit_seconds=20)
    assert roster.assignments.count() == 42 and RosterAssignment.objects.filter(pk=fixed.pk).exists()


def test_fix_refuses_leave_days_and_reports_breaches(make_user):
    team = agents(make_user, 2)
    start = clock.today() + timedelta(days=5)
    plan = factories.plan(start=start, days=3)
    roster = services.roster_create(plan=plan)
    night, day = ShiftTemplate.objects.get(code="N"), ShiftTemplate.objects.get(code="D")
    services.roster_assignment_fix(actor=None, roster=roster, agent=team[0], day=start, template=night)
    _assignment, breaches = services.roster_assignment_fix(actor=None, roster=roster, agent=team[0],
                                                           day=start + timedelta(1), template=day)
    assert breaches and "rest" in breaches[0]
    LeaveRequest.objects.create(agent=team[1], substitute=team[0], start_date=start, end_date=start,
                                status=LeaveRequest.Status.APPROVED)
    with pytest.raises(FieldError):
        services.roster_assignment_fix(actor=None, roster=roster, agent=team[1], day=start, template=day)
    services.roster_assignment_release(actor=None, roster=roster, agent=team[0], day=start)
    assert not RosterAssignment.objects.get(agent=team[0], date=start).fixed


# --- leave with a substitute [003] ------------------------------------------------------------------------------

@pytest.fixture
def desk(make_user):
    supervisor = make_user("supervisor")
    agent, substitute, other = agents(make_user, 3, supervisor)
    start = clock.today() + timedelta(days=3)
    plan = factories.plan(start=start, days=7)
    roster = Roster.objects.create(plan=plan, status=Roster.Status.PUBLISHED)
    day, night = ShiftTemplate.objects.get(code="D"), ShiftTemplate.objects.get(code="N")
    RosterAssignment.objects.create(roster=roster, agent=agent, date=start + timedelta(1), template=day)
    RosterAssignment.objects.create(roster=roster, agent=agent, date=start + timedelta(2), template=night)
    RosterAssignment.objects.create(roster=roster, agent=substitute, date=start + timedelta(5), template=day)
    return {"supervisor": supervisor, "agent": agent, "substitute": substitute, "other": other, "start": start,
            "roster": roster}


def test_approved_leave_moves_the_shifts_to_the_substitute(desk):
    agent, substitute, start = desk["agent"], desk["substitute"], desk["start"]
    leave = services.leave_request_create(actor=agent, start_date=start, end_date=start + timedelta(2),
                                          substitute=substitute, kind="annual", reason="回老家")
    assert leave.status == LeaveRequest.Status.PENDING
    assert selectors.leave_list_for(desk["supervisor"]).filter(pk=leave.pk).exists()
    with pytest.raises(KefuError):  # only the direct supervisor decides
        services.leave_request_decide(actor=desk["other"], leave=leave, approve=True)
    services.leave_request_decide(actor=desk["supervisor"], leave=leave, approve=True, note="同意")
    leave.refresh_from_db()
    assert leave.status == LeaveRequest.Status.APPROVED and leave.decided_by == desk["supervisor"]
    moved = RosterAssignment.objects.filter(leave=leave).order_by("date")
    assert [(a.agent, a.covers_for, a.fixed, a.template.code) for a in moved] == [
        (substitute, agent, True, "D"), (substitute, agent, True, "N")]
    assert not RosterAssignment.objects.filter(agent=agent, date__lte=start + timedelta(2)).exists()
    actions = list(WorkforceEvent.objects.filter(leave=leave).values_list("action", flat=True))
    assert actions.count("workforce.roster.substituted") == 2 and "workforce.leave.approved" in actions
    # The substitute sees the shifts on his own roster, marked as covering.
    mine = selectors.my_roster(substitute, start, start + timedelta(6))
    assert [a.covers_for_id for a in mine][:2] == [agent.pk, agent.pk]
    with pytest.raises(ConflictError):
        services.leave_request_decide(actor=desk["supervisor"], leave=leave, approve=False)


def test_leave_is_refused_without_a_free_substitute_or_a_supervisor(desk, make_user):
    agent, substitute, start = desk["agent"], desk["substitute"], desk["start"]
    with pytest.raises(FieldError):
        services.leave_request_create(actor=agent, start_date=start, end_date=start, substitute=agent)
    with pytest.raises(FieldError):
        services.leave_request_create(actor=agent, start_date=start - timedelta(5), end_date=start,
                                      substitute=substitute)
    RosterAssignment.objects.create(roster=desk["roster"], agent=substitute, date=start + timedelta(1),
                                    template=ShiftTemplate.objects.get(code="M"))
    with pytest.raises(FieldError) as busy:
        services.leave_request_create(actor=agent, start_date=start, end_date=start + timedelta(2),
                                      substitute=substitute)
    assert busy.value.code == "substitute_busy"
    loner = make_user("agent")
    with pytest.raises(KefuError) as nobody:
        services.leave_request_create(actor=loner, start_date=start, end_date=start, substitute=substitute)
    assert nobody.value.code == "no_supervisor"


def test_rest_of_the_substitute_is_checked_on_approval(desk):
    agent, substitute, start = desk["agent"], desk["substitute"], desk["start"]
    leave = services.leave_request_create(actor=agent, start_date=start + timedelta(2), end_date=start + timedelta(2),
                                          substitute=substitute)
    # The substitute is given a day shift the morning after the night he would take over.
    RosterAssignment.objects.create(roster=desk["roster"], agent=substitute, date=start + timedelta(3),
                                    template=ShiftTemplate.objects.get(code="D"))
    with pytest.raises(FieldError) as clash:
        services.leave_request_decide(actor=desk["supervisor"], leave=leave, approve=True)
    assert clash.value.code == "substitute_rest"
    leave.refresh_from_db()
    assert leave.status == LeaveRequest.Status.PENDING
    assert RosterAssignment.objects.get(date=start + timedelta(2), template__code="N").agent == agent


def test_rejected_and_cancelled_requests_change_no_roster(desk):
    agent, substitute, start = desk["agent"], desk["substitute"], desk["start"]
    leave = services.leave_request_create(actor=agent, start_date=start, end_date=start + timedelta(1),
                                          substitute=substitute)
    services.leave_request_decide(actor=desk["supervisor"], leave=leave, approve=False, note="人手不足")
    assert RosterAssignment.objects.get(date=start + timedelta(1), template__code="D").agent == agent
    second = services.leave_request_create(actor=agent, start_date=start, end_date=start, substitute=substitute)
    services.leave_request_cancel(actor=agent, leave=second)
    second.refresh_from_db()
    assert second.status == LeaveRequest.Status.CANCELLED


# --- surge [004] ------------------------------------------------------------------------------------------------------

def test_surge_moves_non_phone_staff_and_back_logged(make_user):
    lead = make_user("shift_lead")
    supervisor = make_user("supervisor")
    back_office, qa, retention = make_user("back_office"), make_user("qa_inspector"), make_user("retention_agent")
    phone_agent = make_user("agent")
    surge = services.surge_start(actor=supervisor, reason="全网交易失败")
    members = set(surge.members.all())
    assert {lead, back_office, qa, retention} <= members
    assert phone_agent not in members and supervisor not in members
    assert selectors.on_the_phones_by_surge(back_office)
    started = WorkforceEvent.objects.filter(surge=surge, action="workforce.surge.to_phones")
    assert {e.subject for e in started} == members and {e.actor for e in started} == {supervisor}
    with pytest.raises(ConflictError):
        services.surge_start(actor=supervisor, reason="又一次")
    services.surge_end(actor=lead, surge=surge)
    surge.refresh_from_db()
    assert not surge.is_active and surge.ended_by == lead and surge.ended_at is not None
    assert not selectors.on_the_phones_by_surge(back_office)
    back = WorkforceEvent.objects.filter(surge=surge, action="workforce.surge.back")
    assert {e.subject for e in back} == members
    with pytest.raises(ConflictError):
        services.surge_end(actor=lead, surge=surge)
    # A second surge may start once the first has ended; a team limits it.
    team = Team.objects.create(code="bo", name="后台组", kind=Team.Kind.FIRST_LINE)
    back_office.teams.add(team)
    second = services.surge_start(actor=supervisor, reason="机房断电", teams=[team])
    assert list(second.members.all()) == [back_office]
    assert Surge.objects.filter(running=True).count() == 1
