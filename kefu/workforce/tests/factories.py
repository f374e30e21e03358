"""Small workforce objects for the tests and the permission walk (kefu/core/tests/test_permission_walk.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from kefu.core import clock
from kefu.workforce.models import (
    AgentProfile,
    CoverageMinimum,
    LeaveRequest,
    PlanDay,
    PlanningQueue,
    Roster,
    RosterAssignment,
    ShiftTemplate,
    SolverJob,
    StaffingPlan,
    Surge,
)


def queue(code: str = "hotline", **fields: Any) -> PlanningQueue:
    defaults = {"name": "客服热线", "interval_minutes": 30, "aht_seconds": 240}
    defaults.update(fields)
    return PlanningQueue.objects.get_or_create(code=code, defaults=defaults)[0]


def plan(*, planning_queue: PlanningQueue | None = None, start: date | None = None, days: int = 7,
         starts: dict[str, int] | None = None) -> StaffingPlan:
    """A stored plan with the same starts every day (no solver run)."""
    planning_queue = planning_queue or queue()
    start = start or clock.today() + timedelta(days=3)
    codes = list(ShiftTemplate.objects.filter(is_active=True).values_list("code", flat=True))
    starts = starts or {code: 1 for code in codes}
    made = StaffingPlan.objects.create(queue=planning_queue, start_date=start, days=days, interval_minutes=30,
                                       templates=codes, solver_status="optimal", objective=0, best_bound=0, gap=0)
    PlanDay.objects.bulk_create([PlanDay(plan=made, date=start + timedelta(days=i), forecast=[0.0] * 48,
                                         required=[1] * 48, scheduled=[1] * 48,
                                         starts={c: starts.get(c, 0) for c in codes}) for i in range(days)])
    return made


def walk_samples(make_user: Callable[..., Any]) -> dict[str, int]:
    """One object per workforce route segment before <pk>."""
    supervisor = make_user("supervisor")
    agent = make_user("agent")
    colleague = make_user("agent")
    AgentProfile.objects.create(user=agent, supervisor=supervisor)
    sample_plan = plan()
    roster = Roster.objects.create(plan=sample_plan, solver_status="optimal")
    RosterAssignment.objects.create(roster=roster, agent=agent, date=sample_plan.start_date,
                                    template=ShiftTemplate.objects.get(code="D"))
    leave = LeaveRequest.objects.create(agent=agent, start_date=sample_plan.start_date,
                                        end_date=sample_plan.start_date, substitute=colleague)
    surge = Surge.objects.create(reason="全网交易失败", started_by=supervisor, started_at=clock.now())
    job = SolverJob.objects.create(kind=SolverJob.Kind.PLAN, status=SolverJob.Status.SUCCEEDED, plan=sample_plan)
    return {"planning-queues": sample_plan.queue_id, "shift-templates": ShiftTemplate.objects.first().pk,
            "coverage-minimums": CoverageMinimum.objects.first().pk, "staffing-plans": sample_plan.pk,
            "solver-jobs": job.pk, "rosters": roster.pk, "leave-requests": leave.pk, "surges": surge.pk}
