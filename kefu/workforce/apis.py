"""/api/v1/workforce/: the staffing, seat and headcount calculators (R9.2–R9.4), the same as `kefu staffing`,
`kefu seats` and `kefu headcount` (their POSTs compute and store nothing, so a read-only role may use them); and
forecasts (R9.1), shift templates, minimums, staffing plans and rosters (R9.5), "my roster", leave (R9.6 [003])
and surges (R9.6 [004]), the same services as the pages and `kefu workforce`. Long computations answer 202 with
a job to poll."""

from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from kefu.accounts.models import Team, User
from kefu.core import clock
from kefu.core.errors import FieldError

from . import selectors, services
from .models import CoverageMinimum, PlanningQueue, ShiftTemplate, SolverJob
from .serializers import (
    CoverageMinimumSerializer,
    DefaultOutput,
    ForecastOutput,
    ForecastPeriodInput,
    HeadcountInput,
    HeadcountOutput,
    LeaveRequestDecisionInput,
    LeaveRequestInput,
    LeaveRequestOutput,
    PlanningQueueSerializer,
    RosterAssignmentFixInput,
    RosterAssignmentFixOutput,
    RosterAssignmentOutput,
    RosterInput,
    RosterOutput,
    SeatsInput,
    SeatsOutput,
    SeatTriggerInput,
    SeatTriggerOutput,
    ShiftTemplateSerializer,
    SolverJobOutput,
    StaffingInput,
    StaffingOutput,
    StaffingPlanDetailOutput,
    StaffingPlanInput,
    StaffingPlanOutput,
    SurgeInput,
    SurgeOutput,
    VolumeImportInput,
    VolumeImportOutput,
    VolumesFromContactsInput,
    VolumesFromContactsOutput,
    WorkforceEventOutput,
)

PERMISSION = "workforce.staffing:view"


class _CalculatorApi(APIView):
    permission = PERMISSION
    write_permission = PERMISSION
    read_only_action = True  # a calculation changes nothing

    def _input(self, serializer_class, request) -> dict:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class StaffingApi(_CalculatorApi):
    """R9.2: agents for one interval (Erlang C; Erlang A when `patience_seconds` is given), or the figures of
    `agents`. Give `service_level` and/or `answer_rate`, or `agents`."""

    @extend_schema(request=StaffingInput, responses=StaffingOutput)
    def post(self, request):
        return Response(selectors.staffing_calculate(**self._input(StaffingInput, request)).as_dict())


class SeatsApi(_CalculatorApi):
    """R9.3 [004]: seats = ⌊subscribers / subscribers per seat⌋."""

    @extend_schema(request=SeatsInput, responses=SeatsOutput)
    def post(self, request):
        return Response(selectors.seats_calculate(**self._input(SeatsInput, request)))


class HeadcountApi(_CalculatorApi):
    """R9.4 [004]: people per seat and people, unrounded."""

    @extend_schema(request=HeadcountInput, responses=HeadcountOutput)
    def post(self, request):
        return Response(selectors.headcount_calculate(**self._input(HeadcountInput, request)))


class SeatTriggerApi(_CalculatorApi):
    """R9.3 [004]: answer rate down 5 points three weeks running → propose opening a seat."""

    @extend_schema(request=SeatTriggerInput, responses=SeatTriggerOutput)
    def post(self, request):
        return Response(asdict(selectors.seat_trigger_evaluate(**self._input(SeatTriggerInput, request))))


class DefaultsApi(APIView):
    """The workforce defaults with their current values and sources (changed in the admin under Settings)."""

    permission = PERMISSION

    @extend_schema(responses=DefaultOutput(many=True))
    def get(self, request):
        return Response(DefaultOutput(selectors.workforce_defaults(), many=True).data)


# --- Forecast, plans, rosters, leave and surge (R9.1, R9.5, R9.6) ---------------------------------------------

def _valid(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _user(pk: Any, field: str) -> User:
    user = User.objects.filter(pk=pk, is_active=True).first() if str(pk).isdigit() else None
    if user is None:
        raise FieldError(_("There is no active user %(pk)s."), field=field, code="user_unknown", pk=pk)
    return user


def _date_param(request, name: str) -> date | None:
    """A date from the query string; a malformed one is a 400 naming the parameter."""
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        parsed = parse_date(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise FieldError(_("“%(value)s” is not a date such as 2026-03-01."), field=name, code="invalid",
                         value=value)
    return parsed


def _job_response(job: SolverJob) -> Response:
    return Response(SolverJobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class PlanningQueueListApi(ListAPIView):
    """R9.1–R9.2: the queues as planned (handling time, patience, targets); create one."""

    permission = "workforce.plan:view"
    write_permission = "workforce.plan:edit"
    serializer_class = PlanningQueueSerializer

    def get_queryset(self):
        return PlanningQueue.objects.order_by("code")

    @extend_schema(request=PlanningQueueSerializer, responses={201: PlanningQueueSerializer})
    def post(self, request):
        serializer = PlanningQueueSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        queue = serializer.save()
        return Response(PlanningQueueSerializer(queue).data, status=status.HTTP_201_CREATED)


class PlanningQueueDetailApi(APIView):
    permission = "workforce.plan:view"
    write_permission = "workforce.plan:edit"

    @extend_schema(responses=PlanningQueueSerializer)
    def get(self, request, pk: int):
        return Response(PlanningQueueSerializer(selectors.planning_queue_get(pk)).data)

    @extend_schema(request=PlanningQueueSerializer, responses=PlanningQueueSerializer)
    def patch(self, request, pk: int):
        serializer = PlanningQueueSerializer(selectors.planning_queue_get(pk), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return Response(PlanningQueueSerializer(serializer.save()).data)


class VolumeImportApi(APIView):
    """R9.1: import interval volumes (CSV: queue, interval_start, interval_minutes, offered), all or nothing; the
    same as `kefu workforce import-volumes`. 400 with the report when any row is wrong."""

    permission = "workforce.forecast:edit"
    write_permission = "workforce.forecast:edit"

    @extend_schema(request=VolumeImportInput, responses={200: VolumeImportOutput, 400: VolumeImportOutput})
    def post(self, request):
        data = _valid(VolumeImportInput, request)
        content = data["file"].read() if data.get("file") else data["csv"].encode()
        report = services.interval_volumes_import(content=content, actor=request.user, dry_run=data["dry_run"])
        return Response(report.as_dict(), status=status.HTTP_400_BAD_REQUEST if report.errors else 200)


class VolumesFromContactsApi(APIView):
    """R9.1: count the offered calls of the recorded contacts per queue and interval into the volume history
    (replacing earlier counts of those intervals); only ended intervals are written."""

    permission = "workforce.forecast:edit"
    write_permission = "workforce.forecast:edit"

    @extend_schema(request=VolumesFromContactsInput, responses={200: VolumesFromContactsOutput})
    def post(self, request):
        data = _valid(VolumesFromContactsInput, request)
        start, end = services.day_span(data["first_day"], data["last_day"])
        return Response({"written": services.interval_volumes_from_contacts(start=start, end=end,
                                                                            actor=request.user)})


class ForecastListApi(ListAPIView):
    """R9.1: stored forecasts (?queue=ID&from=DATE&to=DATE), each with its model and backtest error; POST makes a
    forecast on the worker (202 with the job to poll)."""

    permission = "workforce.forecast:view"
    write_permission = "workforce.forecast:edit"
    serializer_class = ForecastOutput

    def get_queryset(self):
        queue = self.request.query_params.get("queue")
        return selectors.forecast_list(queue=queue if queue and queue.isdigit() else None,
                                       first=_date_param(self.request, "from"), last=_date_param(self.request, "to"))

    @extend_schema(parameters=[OpenApiParameter("queue", int), OpenApiParameter("from", str),
                               OpenApiParameter("to", str)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ForecastPeriodInput, responses={202: SolverJobOutput})
    def post(self, request):
        data = _valid(ForecastPeriodInput, request)
        return _job_response(services.solver_job_create(actor=request.user, kind=SolverJob.Kind.FORECAST, params={
            "queue": data["queue"].pk, "start_date": data["start_date"].isoformat(), "days": data["days"]}))


class ShiftTemplateListApi(ListAPIView):
    """R9.5 [000]: shift templates (defaults 08:00–20:00, 09:00–21:00, 20:00–08:00)."""

    permission = "workforce.plan:view"
    write_permission = "workforce.plan:edit"
    serializer_class = ShiftTemplateSerializer

    def get_queryset(self):
        return selectors.shift_templates(active_only=False)

    @extend_schema(request=ShiftTemplateSerializer, responses={201: ShiftTemplateSerializer})
    def post(self, request):
        serializer = ShiftTemplateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(ShiftTemplateSerializer(serializer.save()).data, status=status.HTTP_201_CREATED)


class ShiftTemplateDetailApi(APIView):
    permission = "workforce.plan:view"
    write_permission = "workforce.plan:edit"

    @extend_schema(responses=ShiftTemplateSerializer)
    def get(self, request, pk: int):
        return Response(ShiftTemplateSerializer(get_object_or_404(ShiftTemplate, pk=pk)).data)

    @extend_schema(request=ShiftTemplateSerializer, responses=ShiftTemplateSerializer)
    def patch(self, request, pk: int):
        serializer = ShiftTemplateSerializer(get_object_or_404(ShiftTemplate, pk=pk), data=request.data,
                                             partial=True)
        serializer.is_valid(raise_exception=True)
        return Response(ShiftTemplateSerializer(serializer.save()).data)


class CoverageMinimumListApi(ListAPIView):
    """R9.5 [000]: minimum agents per period (≥ 8 at peak, ≥ 2 at night)."""

    permission = "workforce.plan:view"
    write_permission = "workforce.plan:edit"
    serializer_class = CoverageMinimumSerializer

    def get_queryset(self):
        return CoverageMinimum.objects.order_by("start", "name")

    @extend_schema(request=CoverageMinimumSerializer, responses={201: CoverageMinimumSerializer})
    def post(self, request):
        serializer = CoverageMinimumSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(CoverageMinimumSerializer(serializer.save()).data, status=status.HTTP_201_CREATED)


class CoverageMinimumDetailApi(APIView):
    permission = "workforce.plan:view"
    write_permission = "workforce.plan:edit"

    @extend_schema(responses=CoverageMinimumSerializer)
    def get(self, request, pk: int):
        return Response(CoverageMinimumSerializer(get_object_or_404(CoverageMinimum, pk=pk)).data)

    @extend_schema(request=CoverageMinimumSerializer, responses=CoverageMinimumSerializer)
    def patch(self, request, pk: int):
        serializer = CoverageMinimumSerializer(get_object_or_404(CoverageMinimum, pk=pk), data=request.data,
                                               partial=True)
        serializer.is_valid(raise_exception=True)
        return Response(CoverageMinimumSerializer(serializer.save()).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        get_object_or_404(CoverageMinimum, pk=pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlanListApi(ListAPIView):
    """R9.5: staffing plans; POST makes one on the worker (forecast, required agents, CP-SAT) — 202 with the job."""

    permission = "workforce.plan:view"
    write_permission = "workforce.plan:edit"
    serializer_class = StaffingPlanOutput

    def get_queryset(self):
        queue = self.request.query_params.get("queue")
        return selectors.plan_list(queue=queue if queue and queue.isdigit() else None)

    @extend_schema(parameters=[OpenApiParameter("queue", int)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=StaffingPlanInput, responses={202: SolverJobOutput})
    def post(self, request):
        data = _valid(StaffingPlanInput, request)
        return _job_response(services.solver_job_create(actor=request.user, kind=SolverJob.Kind.PLAN, params={
            "queue": data["queue"].pk, "start_date": data["start_date"].isoformat(), "days": data["days"],
            "time_limit_seconds": data.get("time_limit_seconds"),
            "max_shifts_per_day": data.get("max_shifts_per_day")}))


class PlanDetailApi(APIView):
    """R9.5: one plan, with one day's forecast, required and scheduled agents per interval and starts
    (?date=YYYY-MM-DD, else the first day)."""

    permission = "workforce.plan:view"

    @extend_schema(parameters=[OpenApiParameter("date", str)], responses=StaffingPlanDetailOutput)
    def get(self, request, pk: int):
        plan = selectors.plan_get(pk)
        day = _date_param(request, "date")
        return Response(StaffingPlanDetailOutput(plan, context={"plan_day": selectors.plan_day(plan, day)}).data)


class SolverJobApi(APIView):
    """A forecast, plan or roster job: poll until `status` is succeeded or failed."""

    permission = "workforce.plan:view"

    @extend_schema(responses=SolverJobOutput)
    def get(self, request, pk: int):
        return Response(SolverJobOutput(selectors.solver_job_get(pk)).data)


class RosterListApi(ListAPIView):
    """R9.5: rosters; POST makes (or solves again) a roster for a plan on the worker — 202 with the job."""

    permission = "workforce.roster:view"
    write_permission = "workforce.roster:edit"
    serializer_class = RosterOutput

    def get_queryset(self):
        return selectors.roster_list()

    @extend_schema(request=RosterInput, responses={202: SolverJobOutput})
    def post(self, request):
        data = _valid(RosterInput, request)
        params = {"plan": data["plan"].pk, "time_limit_seconds": data.get("time_limit_seconds")}
        if data.get("roster"):
            params["roster"] = data["roster"].pk
        return _job_response(services.solver_job_create(actor=request.user, kind=SolverJob.Kind.ROSTER,
                                                        params=params))


class RosterDetailApi(APIView):
    """R9.5: one roster with its assignments (?agent=ID to narrow) and its log."""

    permission = "workforce.roster:view"

    @extend_schema(parameters=[OpenApiParameter("agent", int)],
                   responses=inline_serializer("WorkforceRosterDetail", {
                       "roster": RosterOutput(), "assignments": RosterAssignmentOutput(many=True),
                       "events": WorkforceEventOutput(many=True)}))
    def get(self, request, pk: int):
        roster = selectors.roster_get(pk)
        agent = request.query_params.get("agent")
        assignments = selectors.assignments_for(request.user, roster=roster,
                                                agent=agent if agent and agent.isdigit() else None)
        return Response({"roster": RosterOutput(roster).data,
                         "assignments": RosterAssignmentOutput(assignments, many=True).data,
                         "events": WorkforceEventOutput(selectors.events(roster=roster), many=True).data})


class RosterAssignmentApi(APIView):
    """R9.5: a supervisor fixes an agent's shift (or a day off: `shift` null) by hand, or gives the day back to
    the solver (`release`); the answer lists the rules the agent's week now breaks, if any."""

    permission = "workforce.roster:view"
    write_permission = "workforce.roster:edit"

    @extend_schema(request=RosterAssignmentFixInput, responses=RosterAssignmentFixOutput)
    def post(self, request, pk: int):
        roster = selectors.roster_get(pk)
        data = _valid(RosterAssignmentFixInput, request)
        agent = _user(data["agent"], "agent")
        if data["release"]:
            services.roster_assignment_release(actor=request.user, roster=roster, agent=agent, day=data["date"])
            return Response({"assignment": None, "breaches": []})
        template = None
        if data.get("shift"):
            template = ShiftTemplate.objects.filter(code=data["shift"]).first()
            if template is None:
                raise FieldError(_("There is no shift with this code."), field="shift", code="shift_unknown")
        assignment, breaches = services.roster_assignment_fix(actor=request.user, roster=roster, agent=agent,
                                                              day=data["date"], template=template)
        return Response({"assignment": RosterAssignmentOutput(assignment).data, "breaches": breaches})


class RosterPublishApi(APIView):
    """R9.5: publish a roster to its agents."""

    permission = "workforce.roster:view"
    write_permission = "workforce.roster:edit"

    @extend_schema(request=None, responses=RosterOutput)
    def post(self, request, pk: int):
        return Response(RosterOutput(services.roster_publish(actor=request.user,
                                                             roster=selectors.roster_get(pk))).data)


class MyRosterApi(APIView):
    """R9.5: one's own shifts on published rosters (?from=&to=, default this month) — nobody else's."""

    permission = "workforce.own_roster:view"

    @extend_schema(parameters=[OpenApiParameter("from", str), OpenApiParameter("to", str)],
                   responses=RosterAssignmentOutput(many=True))
    def get(self, request):
        today = clock.today()
        first = _date_param(request, "from") or today.replace(day=1)
        last = _date_param(request, "to") or (
            (first.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1))
        if (last - first).days > 366:
            raise FieldError(_("Ask for at most a year."), field="to", code="out_of_range")
        return Response(RosterAssignmentOutput(selectors.my_roster(request.user, first, last), many=True).data)


class LeaveListApi(ListAPIView):
    """R9.6 [003]: leave requests one may see (one's own, one's reports', all with workforce.any_leave:view);
    POST asks for leave naming a substitute."""

    permission = "workforce.leave:view"
    write_permission = "workforce.leave:request"
    serializer_class = LeaveRequestOutput

    def get_queryset(self):
        return selectors.leave_list_for(self.request.user, status=self.request.query_params.get("status") or None)

    @extend_schema(parameters=[OpenApiParameter("status", str)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=LeaveRequestInput, responses={201: LeaveRequestOutput})
    def post(self, request):
        data = _valid(LeaveRequestInput, request)
        data["substitute"] = _user(data["substitute"], "substitute")
        leave = services.leave_request_create(actor=request.user, **data)
        return Response(LeaveRequestOutput(leave).data, status=status.HTTP_201_CREATED)


class LeaveDetailApi(APIView):
    permission = "workforce.leave:view"

    @extend_schema(responses=inline_serializer("WorkforceLeaveDetail", {"leave": LeaveRequestOutput(),
                                                               "events": WorkforceEventOutput(many=True)}))
    def get(self, request, pk: int):
        leave = selectors.leave_get_for(request.user, pk)
        return Response({"leave": LeaveRequestOutput(leave).data,
                         "events": WorkforceEventOutput(selectors.events(leave=leave), many=True).data})


class LeaveDecisionApi(APIView):
    """R9.6 [003]: the agent's direct supervisor approves (the substitute takes the shifts) or rejects."""

    permission = "workforce.leave:view"
    write_permission = "workforce.leave:approve"

    @extend_schema(request=LeaveRequestDecisionInput, responses=LeaveRequestOutput)
    def post(self, request, pk: int):
        leave = selectors.leave_get_to_decide(request.user, pk)
        data = _valid(LeaveRequestDecisionInput, request)
        return Response(LeaveRequestOutput(services.leave_request_decide(actor=request.user, leave=leave, **data)).data)


class LeaveCancelApi(APIView):
    permission = "workforce.leave:view"
    write_permission = "workforce.leave:request"

    @extend_schema(request=None, responses=LeaveRequestOutput)
    def post(self, request, pk: int):
        leave = selectors.leave_get_own(request.user, pk)
        return Response(LeaveRequestOutput(services.leave_request_cancel(actor=request.user, leave=leave)).data)


class SurgeListApi(ListAPIView):
    """R9.6 [004]: surges; POST starts one (every non-phone member of staff onto the phones)."""

    permission = "workforce.surge:view"
    write_permission = "workforce.surge:switch"
    serializer_class = SurgeOutput

    def get_queryset(self):
        return selectors.surge_list()

    @extend_schema(request=SurgeInput, responses={201: SurgeOutput})
    def post(self, request):
        data = _valid(SurgeInput, request)
        teams = list(Team.objects.filter(code__in=data["teams"]))
        if len(teams) != len(set(data["teams"])):
            raise FieldError(_("Unknown team code."), field="teams", code="team_unknown")
        surge = services.surge_start(actor=request.user, reason=data["reason"], teams=teams)
        return Response(SurgeOutput(selectors.surge_get(surge.pk)).data, status=status.HTTP_201_CREATED)


class SurgeDetailApi(APIView):
    permission = "workforce.surge:view"

    @extend_schema(responses=inline_serializer("WorkforceSurgeDetail", {"surge": SurgeOutput(),
                                                               "events": WorkforceEventOutput(many=True)}))
    def get(self, request, pk: int):
        surge = selectors.surge_get(pk)
        return Response({"surge": SurgeOutput(surge).data,
                         "events": WorkforceEventOutput(selectors.events(surge=surge, limit=1000), many=True).data})


class SurgeEndApi(APIView):
    """R9.6 [004]: end a surge — everybody moved goes back to his own work (logged)."""

    permission = "workforce.surge:view"
    write_permission = "workforce.surge:switch"

    @extend_schema(request=None, responses=SurgeOutput)
    def post(self, request, pk: int):
        surge = services.surge_end(actor=request.user, surge=selectors.surge_get(pk))
        return Response(SurgeOutput(selectors.surge_get(surge.pk)).data)
