"""Workforce pages and API (issue 7 item 7): every page renders, the plan and roster jobs run from the UI and the
API, an agent sees only his own roster, leave is decided by the direct supervisor only, surges are logged."""

from datetime import date, timedelta

import pytest
from django.test import Client

from kefu.core import clock
from kefu.workforce import services
from kefu.workforce.models import (
    AgentProfile,
    LeaveRequest,
    Roster,
    RosterAssignment,
    ShiftTemplate,
    SolverJob,
    StaffingPlan,
)
from kefu.workforce.tests import factories
from kefu.workforce.tests.test_services import synthetic_history

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def published(make_user):
    supervisor = make_user("supervisor")
    mine, theirs = make_user("agent"), make_user("agent")
    for user in (mine, theirs):
        AgentProfile.objects.create(user=user, supervisor=supervisor)
    start = clock.today() + timedelta(days=2)
    plan = factories.plan(start=start, days=5)
    roster = Roster.objects.create(plan=plan, status=Roster.Status.PUBLISHED)
    day = ShiftTemplate.objects.get(code="D")
    RosterAssignment.objects.create(roster=roster, agent=mine, date=start, template=day)
    RosterAssignment.objects.create(roster=roster, agent=theirs, date=start + timedelta(1), template=day)
    return {"supervisor": supervisor, "mine": mine, "theirs": theirs, "roster": roster, "start": start}


def test_an_agent_sees_only_his_own_roster(published, api_client_for):
    mine, roster = published["mine"], published["roster"]
    api = api_client_for(mine)
    month = published["start"]
    rows = api.get("/api/v1/workforce/my-roster/", {"from": month.isoformat(),
                                                    "to": (month + timedelta(9)).isoformat()}).json()
    assert [r["agent"]["id"] for r in rows] == [mine.pk]
    assert api.get(f"/api/v1/workforce/rosters/{roster.pk}/").status_code == 403
    assert api.get("/api/v1/workforce/rosters/").status_code == 403
    page = client_for(mine).get("/workforce/my-roster/", {"month": month.strftime("%Y-%m")})
    assert page.status_code == 200
    assert [a.agent_id for a in page.context["assignments"]] == [mine.pk]
    assert client_for(mine).get(f"/workforce/rosters/{roster.pk}/").status_code == 403
    # A draft roster is not shown to its agents.
    roster.status = Roster.Status.DRAFT
    roster.save(update_fields=["status"])
    assert api.get("/api/v1/workforce/my-roster/", {"from": month.isoformat()}).json() == []
    # The supervisor sees everybody.
    everyone = api_client_for(published["supervisor"]).get(f"/api/v1/workforce/rosters/{roster.pk}/").json()
    assert {a["agent"]["id"] for a in everyone["assignments"]} == {mine.pk, published["theirs"].pk}


def test_leave_through_the_api_and_the_pages(published, api_client_for, make_user):
    mine, theirs, supervisor, start = published["mine"], published["theirs"], published["supervisor"], \
        published["start"]
    api = api_client_for(mine)
    response = api.post("/api/v1/workforce/leave-requests/", {
        "start_date": start.isoformat(), "end_date": start.isoformat(), "substitute": theirs.pk, "kind": "sick"},
        format="json")
    assert response.status_code == 201, response.json()
    leave_id = response.json()["id"]
    # A colleague who is neither party nor supervisor does not see it; another supervisor cannot decide it.
    stranger = make_user("agent")
    assert api_client_for(stranger).get(f"/api/v1/workforce/leave-requests/{leave_id}/").status_code == 404
    other_supervisor = make_user("supervisor")
    decision = api_client_for(other_supervisor).post(f"/api/v1/workforce/leave-requests/{leave_id}/decision/",
                                                     {"approve": True}, format="json")
    assert decision.status_code == 404
    assert api.post(f"/api/v1/workforce/leave-requests/{leave_id}/decision/", {"approve": True},
                    format="json").status_code == 403  # an agent holds no approval right
    page = client_for(supervisor).get("/workforce/leave/")
    assert [leave.pk for leave in page.context["waiting"]] == [leave_id]
    response = client_for(supervisor).post(f"/workforce/leave-requests/{leave_id}/", {"decision": "approve"})
    assert response.status_code == 302
    assert LeaveRequest.objects.get(pk=leave_id).status == LeaveRequest.Status.APPROVED
    moved = RosterAssignment.objects.get(date=start, template__code="D", roster=published["roster"])
    assert moved.agent == theirs and moved.covers_for == mine
    detail = client_for(mine).get(f"/workforce/leave-requests/{leave_id}/")
    assert detail.status_code == 200 and "workforce.roster.substituted" in detail.content.decode()


def test_plan_and_roster_jobs_run_from_the_api(make_user, api_client_for, django_capture_on_commit_callbacks):
    synthetic_history(date(2026, 3, 2), 35, daily=300)
    for _ in range(12):
        AgentProfile.objects.create(user=make_user("agent"))
    lead = make_user("shift_lead")
    api = api_client_for(lead)
    queue = services.planning_queue_for("hotline")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/workforce/staffing-plans/", {"queue": queue.pk, "start_date": "2026-04-06",
                                                                  "days": 7}, format="json")
    assert response.status_code == 202
    job = api.get(response.json()["url"]).json()
    assert job["status"] == "succeeded", job
    plan = StaffingPlan.objects.get(pk=job["plan"])
    detail = api.get(f"/api/v1/workforce/staffing-plans/{plan.pk}/", {"date": "2026-04-08"}).json()
    assert detail["day"]["date"] == "2026-04-08" and len(detail["day"]["required"]) == 48
    assert all(s >= r for r, s in zip(detail["day"]["required"], detail["day"]["scheduled"], strict=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/workforce/rosters/", {"plan": plan.pk, "time_limit_seconds": 20},
                            format="json")
    job = SolverJob.objects.get(pk=response.json()["id"])
    assert job.status == SolverJob.Status.SUCCEEDED, job.message
    roster = job.roster
    assert roster.solver_status in ("optimal", "feasible")
    agent = roster.assignments.first().agent
    fixed = api.post(f"/api/v1/workforce/rosters/{roster.pk}/assignments/",
                     {"agent": agent.pk, "date": "2026-04-09", "shift": None}, format="json")
    assert fixed.status_code == 200 and fixed.json()["assignment"]["fixed"]
    assert api.post(f"/api/v1/workforce/rosters/{roster.pk}/publish/").json()["status"] == "published"
    # The pages of the plan and the roster.
    page = client_for(lead).get(f"/workforce/staffing-plans/{plan.pk}/", {"date": "2026-04-08"})
    assert page.status_code == 200 and len(page.context["rows"]) == 48
    assert client_for(lead).get(f"/workforce/rosters/{roster.pk}/").status_code == 200


def test_the_ui_queues_a_plan_and_polls_it(make_user, django_capture_on_commit_callbacks):
    lead = make_user("shift_lead")
    queue = factories.queue("desk")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(lead).post("/workforce/plans/", {"queue": queue.pk, "start_date": "2026-05-04",
                                                               "days": "3"})
    assert response.status_code == 302
    job = SolverJob.objects.get()
    poll = client_for(lead).get(f"/workforce/solver-jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and "hx-get" not in poll.content.decode()
    assert job.plan_id and f"/workforce/staffing-plans/{job.plan_id}/" in poll.content.decode()
    bad = client_for(lead).post("/workforce/plans/", {"queue": queue.pk})
    assert bad.status_code == 400


def test_pages_render_for_a_supervisor(make_user, published):
    synthetic_history(date(2026, 3, 2), 21, daily=200)
    supervisor = published["supervisor"]
    services.forecast_compute(queue=services.planning_queue_for("hotline"), start_date=date(2026, 3, 23), days=3)
    client = client_for(supervisor)
    for url in ("/workforce/forecast/", "/workforce/plans/", "/workforce/rosters/", "/workforce/leave/",
                "/workforce/surge/", "/workforce/my-roster/", f"/workforce/rosters/{published['roster'].pk}/",
                f"/workforce/staffing-plans/{published['roster'].plan_id}/"):
        response = client.get(url)
        assert response.status_code == 200, url
    forecast = client.get("/workforce/forecast/").content.decode()
    assert "WAPE" in forecast and "MAPE" in forecast


def test_surge_from_the_pages_is_logged_and_reversed(make_user):
    supervisor, back_office = make_user("supervisor"), make_user("back_office")
    client = client_for(supervisor)
    response = client.post("/workforce/surge/", {"reason": "全网交易失败"})
    assert response.status_code == 302
    detail = client.get(response.url)
    assert back_office in detail.context["surge"].members.all()
    assert client_for(back_office).get("/workforce/my-roster/").context["surge"] is not None
    client.post(response.url)
    detail = client.get(response.url).content.decode()
    assert "workforce.surge.back" in detail and "workforce.surge.to_phones" in detail
    assert client_for(back_office).get("/workforce/my-roster/").context["surge"] is None
    assert client_for(make_user("agent")).post("/workforce/surge/", {"reason": "x"}).status_code == 403
