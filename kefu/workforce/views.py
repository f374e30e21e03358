"""The workforce pages. The staffing page (R9.2–R9.4): one interval's staffing by Erlang C or Erlang A, seats,
headcount and the seat-opening rule, with the definitions and where each default comes from. The forecast
(R9.1), the staffing plans and rosters (R9.5), "my roster", leave (R9.6 [003]) and surges (R9.6 [004]). Thin:
they call `selectors` and `services`, like `kefu workforce …` and /api/v1/workforce/."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View

from kefu.core import clock, permissions
from kefu.core.errors import FieldError, KefuError

from . import defaults, selectors, services
from .forms import (
    AssignmentFixForm,
    ForecastRunForm,
    HeadcountForm,
    LeaveDecisionForm,
    LeaveRequestForm,
    PlanRunForm,
    RosterRunForm,
    SeatsForm,
    SeatTriggerForm,
    StaffingForm,
    SurgeStartForm,
    VolumeImportForm,
    VolumesFromContactsForm,
)
from .models import LeaveRequest, PlanDay, ShiftTemplate, SolverJob


def _message(error: FieldError) -> str:
    return error.message_zh if (get_language() or "").startswith("zh") else error.message_en


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def staffing_rows(result: dict[str, Any], answer_within: Any) -> list[tuple[str, str]]:
    """The figures of one staffing result as (label, text) rows for the page."""
    models = {"erlang_c": _("Erlang C (callers wait until answered)"),
              "erlang_a": _("Erlang A (callers may hang up)")}
    asa = result["asa_seconds"]
    rows = [
        (_("Model"), str(models[result["model"]])),
        (_("Traffic"), _("%(value)s Erlangs") % {"value": f"{result['traffic_erlangs']:.3f}"}),
        (_("Agents on the phones"), str(result["agents"])),
        (_("Agents to schedule (with shrinkage)"), str(result["scheduled_agents"])),
        (_("Service level (answered within %(seconds)s s)") % {"seconds": answer_within},
         _percent(result["service_level"])),
        (_("Average speed of answer"), _("unstable queue: no finite wait") if asa is None else f"{asa:.1f} s"),
        (_("Occupancy"), _percent(result["occupancy"])),
        (_("Probability of waiting"), _percent(result["p_wait"])),
    ]
    if "p_abandon" in result:
        rows.append((_("Probability of abandoning"), _percent(result["p_abandon"])))
        rows.append((_("Answer rate"), _percent(1 - result["p_abandon"])))
    return rows


def _run(form: forms.Form, compute) -> Any:
    """Validate the form, compute, and attach a rule's error to its field; None when the input is not valid."""
    if not form.is_valid():
        return None
    try:
        return compute()
    except FieldError as error:
        form.add_error(error.field if error.field in form.fields else None, _message(error))
        return None


class StaffingView(View):
    permission = "workforce.staffing:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        which = request.GET.get("calculate")
        data = request.GET if which else None
        value = selectors.default
        staffing_form = StaffingForm(data if which == "staffing" else None, initial={
            "interval_seconds": 1800, "answer_within_seconds": value(defaults.ANSWER_WITHIN_SECONDS.key),
            "service_level": value(defaults.SERVICE_LEVEL_TARGET.key), "shrinkage": value(defaults.SHRINKAGE.key),
            "max_occupancy": value(defaults.MAX_OCCUPANCY.key)})
        seats_form = SeatsForm(data if which == "seats" else None, prefix="seats",
                               initial={"subscribers_per_seat": value(defaults.SUBSCRIBERS_PER_SEAT.key)})
        headcount_form = HeadcountForm(data if which == "headcount" else None, prefix="headcount", initial={
            "seat_hours_per_day": 14, "days_per_month": value(defaults.DAYS_PER_MONTH.key),
            "legal_hours_per_month": value(defaults.LEGAL_HOURS_PER_MONTH.key)})
        trigger_form = SeatTriggerForm(data if which == "trigger" else None, prefix="trigger")
        context: dict[str, Any] = {
            "staffing_form": staffing_form, "seats_form": seats_form, "headcount_form": headcount_form,
            "trigger_form": trigger_form, "defaults": selectors.workforce_defaults(),
            "drop_points": value(defaults.SEAT_TRIGGER_DROP_POINTS.key),
            "weeks": value(defaults.SEAT_TRIGGER_WEEKS.key),
            "can_change_defaults": permissions.has_permission(request.user, "core.admin:access"),
        }
        if which == "staffing":
            result = _run(staffing_form, lambda: selectors.staffing_calculate(**staffing_form.inputs()))
            if result is not None:
                within = staffing_form.cleaned_data["answer_within_seconds"]
                context["staffing_rows"] = staffing_rows(result.as_dict(), f"{within.normalize():f}")
        elif which == "seats":
            context["seats"] = _run(seats_form, lambda: selectors.seats_calculate(**seats_form.cleaned_data))
        elif which == "headcount":
            context["headcount"] = _run(headcount_form,
                                        lambda: selectors.headcount_calculate(**headcount_form.cleaned_data))
        elif which == "trigger":
            context["trigger"] = _run(trigger_form, lambda: selectors.seat_trigger_evaluate(**trigger_form.inputs()))
        invalid = which and any(form.is_bound and form.errors for form in (staffing_form, seats_form,
                                                                          headcount_form, trigger_form))
        return render(request, "workforce/staffing.html", context, status=400 if invalid else 200)


# --- Forecast, plans, rosters, leave and surge (R9.1, R9.5, R9.6) ---------------------------------------------

def _error_text(error: KefuError) -> str:
    return error.message_zh if (get_language() or "").startswith("zh") else error.message_en


def _time_labels(interval_minutes: int) -> list[str]:
    return [f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 24 * 60, interval_minutes)]


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


class ForecastView(View):
    """R9.1: a queue's forecast per interval for one day, the model chosen by backtest and its error (WAPE and
    MAPE) next to it; make a forecast; import volume history."""

    permission = "workforce.forecast:view"
    write_permission = "workforce.forecast:edit"

    def get(self, request: HttpRequest, form: forms.Form | None = None, upload: forms.Form | None = None,
            report: dict | None = None, status: int = 200,
            from_contacts: forms.Form | None = None) -> HttpResponse:
        queues = list(selectors.planning_queues())
        queue = next((q for q in queues if str(q.pk) == request.GET.get("queue")), queues[0] if queues else None)
        chosen = _day(request.GET.get("date"))
        forecast = None
        days: list = []
        if queue is not None:
            days = list(selectors.forecast_list(queue=queue).defer("values", "backtest")
                        .order_by("-date")[:62])[::-1]
            stored = selectors.forecast_list(queue=queue)
            forecast = (stored.filter(date=chosen).first() if chosen else None) or stored.order_by("-date").first()
        rows = []
        if forecast is not None:
            top = max(forecast.values + [1e-9])
            rows = [{"time": label, "value": value, "width": round(100 * value / top, 1)}
                    for label, value in zip(_time_labels(forecast.interval_minutes), forecast.values, strict=False)]
        context = {
            "queues": queues, "queue": queue, "forecast": forecast, "rows": rows, "days": days,
            "form": form or ForecastRunForm(initial={"queue": queue}),
            "upload": upload or VolumeImportForm(), "report": report,
            "from_contacts": from_contacts or VolumesFromContactsForm(),
            "can_edit": permissions.has_permission(request.user, self.write_permission)
            and not permissions.user_is_read_only(request.user),
            "model_names": MODEL_NAMES, "day_kind_names": DAY_KIND_NAMES,
        }
        return render(request, "workforce/forecast.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        if "first_day" in request.POST:
            return self._from_contacts(request)
        if "file" in request.FILES:
            upload = VolumeImportForm(request.POST, request.FILES)
            if upload.is_valid():
                try:
                    report = services.interval_volumes_import(content=upload.cleaned_data["file"].read(),
                                                              actor=request.user)
                except KefuError as error:
                    upload.add_error("file", _error_text(error))
                else:
                    if not report.errors:
                        messages.success(request, _("%(rows)s rows imported.") % {"rows": report.rows})
                        return redirect("workforce:forecast")
                    return self.get(request, upload=upload, report=report.as_dict(), status=400)
            return self.get(request, upload=upload, status=400)
        form = ForecastRunForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            job = services.solver_job_create(actor=request.user, kind=SolverJob.Kind.FORECAST, params={
                "queue": data["queue"].pk, "start_date": data["start_date"].isoformat(), "days": data["days"]})
            return redirect("workforce:job", pk=job.pk)
        return self.get(request, form=form, status=400)


    def _from_contacts(self, request: HttpRequest) -> HttpResponse:
        from_contacts = VolumesFromContactsForm(request.POST)
        if from_contacts.is_valid():
            start, end = services.day_span(from_contacts.cleaned_data["first_day"],
                                           from_contacts.cleaned_data["last_day"])
            try:
                written = services.interval_volumes_from_contacts(start=start, end=end, actor=request.user)
            except KefuError as error:
                from_contacts.add_error(None, _error_text(error))
            else:
                messages.success(request, _("%(intervals)s intervals of %(queues)s queues taken from the recorded "
                                            "calls.") % {"intervals": sum(written.values()),
                                                         "queues": len(written)})
                return redirect("workforce:forecast")
        return self.get(request, from_contacts=from_contacts, status=400)


MODEL_NAMES = {"seasonal_naive": _lazy("Seasonal naive"), "holt_winters": _lazy("Holt-Winters (ETS)")}
DAY_KIND_NAMES = {"working_day": _lazy("Working day"), "rest_day": _lazy("Weekend"),
                  "holiday": _lazy("Public holiday"), "adjusted_working_day": _lazy("Adjusted working day (调休)")}


class PlanListView(View):
    """R9.5: shift templates, minimum agents per period, plans made so far; make a plan (on the worker)."""

    permission = "workforce.plan:view"
    write_permission = "workforce.plan:edit"

    def get(self, request: HttpRequest, form: forms.Form | None = None, status: int = 200) -> HttpResponse:
        context = {
            "plans": selectors.plan_list()[:30], "templates": selectors.shift_templates(active_only=False),
            "minimums": selectors.coverage_minimums(), "queues": selectors.planning_queues(),
            "jobs": selectors.solver_jobs(10), "form": form or PlanRunForm(),
            "can_edit": permissions.has_permission(request.user, self.write_permission)
            and not permissions.user_is_read_only(request.user),
            "can_admin": permissions.has_permission(request.user, "core.admin:access"),
        }
        return render(request, "workforce/plans.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PlanRunForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            job = services.solver_job_create(actor=request.user, kind=SolverJob.Kind.PLAN, params={
                "queue": data["queue"].pk, "start_date": data["start_date"].isoformat(), "days": data["days"],
                "time_limit_seconds": data.get("time_limit_seconds"),
                "max_shifts_per_day": data.get("max_shifts_per_day")})
            return redirect("workforce:job", pk=job.pk)
        return self.get(request, form=form, status=400)


def plan_chart(plan_day: PlanDay, interval_minutes: int) -> list[dict[str, Any]]:
    """Rows of the required-vs-scheduled chart: an HTML table whose bars are CSS widths (no script)."""
    top = max(plan_day.required + plan_day.scheduled + [1])
    rows = []
    for index, label in enumerate(_time_labels(interval_minutes)):
        required = plan_day.required[index] if index < len(plan_day.required) else 0
        scheduled = plan_day.scheduled[index] if index < len(plan_day.scheduled) else 0
        calls = plan_day.forecast[index] if index < len(plan_day.forecast) else 0
        rows.append({"time": label, "calls": calls, "required": required, "scheduled": scheduled,
                     "required_width": round(100 * required / top, 1),
                     "scheduled_width": round(100 * scheduled / top, 1),
                     "short": scheduled < required, "over": scheduled - required})
    return rows


class PlanDetailView(View):
    """R9.5: one plan, one day: forecast contacts, required and scheduled agents per interval (a chart as an
    accessible table), the shifts starting that day, and every interval left short."""

    permission = "workforce.plan:view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = selectors.plan_get(pk)
        plan_day = selectors.plan_day(plan, _day(request.GET.get("date")))
        rows = plan_chart(plan_day, plan.interval_minutes) if plan_day else []
        short_days = [(d.date, sum(1 for r, s in zip(d.required, d.scheduled, strict=False) if s < r))
                      for d in plan.plan_days.all()]
        context = {"plan": plan, "plan_day": plan_day, "rows": rows, "dates": selectors.plan_dates(plan),
                   "short_days": [(d, n) for d, n in short_days if n], "rosters": plan.rosters.all(),
                   "starts": sorted((plan_day.starts if plan_day else {}).items()),
                   "templates": {t.code: t for t in ShiftTemplate.objects.filter(code__in=plan.templates)},
                   "can_roster": permissions.has_permission(request.user, "workforce.roster:edit")
                   and not permissions.user_is_read_only(request.user)}
        return render(request, "workforce/plan_detail.html", context)


class JobView(View):
    """A forecast, plan or roster being computed on the worker; the page polls it with htmx."""

    permission = "workforce.plan:view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = selectors.solver_job_get(pk)
        template = "workforce/_job_status.html" if request.htmx else "workforce/job.html"
        return render(request, template, {"job": job})


class RosterListView(View):
    """R9.5: the rosters; make one for a plan (on the worker)."""

    permission = "workforce.roster:view"
    write_permission = "workforce.roster:edit"

    def get(self, request: HttpRequest, form: forms.Form | None = None, status: int = 200) -> HttpResponse:
        initial = {"plan": request.GET.get("plan")} if request.GET.get("plan") else {}
        context = {"rosters": selectors.roster_list()[:50], "form": form or RosterRunForm(initial=initial),
                   "can_edit": permissions.has_permission(request.user, self.write_permission)
                   and not permissions.user_is_read_only(request.user)}
        return render(request, "workforce/rosters.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = RosterRunForm(request.POST)
        if form.is_valid():
            job = services.solver_job_create(actor=request.user, kind=SolverJob.Kind.ROSTER, params={
                "plan": form.cleaned_data["plan"].pk,
                "time_limit_seconds": form.cleaned_data.get("time_limit_seconds")})
            return redirect("workforce:job", pk=job.pk)
        return self.get(request, form=form, status=400)


class RosterDetailView(View):
    """R9.5: the roster calendar (agents × days); fix a shift or a day off by hand, give it back to the solver,
    solve again (what was fixed is kept) and publish."""

    permission = "workforce.roster:view"
    write_permission = "workforce.roster:edit"

    def get(self, request: HttpRequest, pk: int, form: forms.Form | None = None, status: int = 200) -> HttpResponse:
        roster = selectors.roster_get(pk)
        context = {"roster": roster, "calendar": selectors.roster_calendar(roster),
                   "form": form or AssignmentFixForm(roster=roster), "events": selectors.events(roster=roster),
                   "report": roster.report,
                   "can_edit": permissions.has_permission(request.user, self.write_permission)
                   and not permissions.user_is_read_only(request.user)}
        return render(request, "workforce/roster_detail.html", context, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        roster = selectors.roster_get(pk)
        action = request.POST.get("do")
        try:
            if action == "publish":
                services.roster_publish(actor=request.user, roster=roster)
                messages.success(request, _("The roster is published to its agents."))
                return redirect("workforce:roster", pk=pk)
            if action == "solve":
                job = services.solver_job_create(actor=request.user, kind=SolverJob.Kind.ROSTER,
                                                 params={"plan": roster.plan_id, "roster": roster.pk})
                return redirect("workforce:job", pk=job.pk)
            form = AssignmentFixForm(request.POST, roster=roster)
            if not form.is_valid():
                return self.get(request, pk, form=form, status=400)
            data = form.cleaned_data
            if data["action"] == "release":
                services.roster_assignment_release(actor=request.user, roster=roster, agent=data["agent"],
                                                   day=data["date"])
                messages.success(request, _("Given back to the solver."))
            else:
                _assignment, breaches = services.roster_assignment_fix(
                    actor=request.user, roster=roster, agent=data["agent"], day=data["date"],
                    template=data["template"] if data["action"] == "fix" else None)
                messages.success(request, _("Fixed by hand; the solver keeps it."))
                for breach in breaches:
                    messages.warning(request, _("Rule broken: %(breach)s") % {"breach": breach})
        except KefuError as error:
            messages.error(request, _error_text(error))
            return self.get(request, pk, status=error.status if error.status < 500 else 400)
        return redirect("workforce:roster", pk=pk)


class MyRosterView(View):
    """R9.5: an agent's own published shifts, a month at a time — nobody else's (and whether a surge has moved
    him onto the phones)."""

    permission = "workforce.own_roster:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        today = clock.today()
        first = _day(request.GET.get("month", "") + "-01") or today.replace(day=1)
        first = first.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        assignments = {a.date: a for a in selectors.my_roster(request.user, first, following - timedelta(days=1))}
        weeks: list[list[dict[str, Any] | None]] = []
        week: list[dict[str, Any] | None] = [None] * first.weekday()
        day = first
        while day < following:
            week.append({"date": day, "assignment": assignments.get(day), "today": day == today})
            if len(week) == 7:
                weeks.append(week)
                week = []
            day += timedelta(days=1)
        if week:
            weeks.append(week + [None] * (7 - len(week)))
        context = {"first": first, "weeks": weeks, "assignments": list(assignments.values()),
                   "previous": (first - timedelta(days=1)).strftime("%Y-%m"), "next": following.strftime("%Y-%m"),
                   "surge": selectors.surge_running() if selectors.on_the_phones_by_surge(request.user) else None}
        return render(request, "workforce/my_roster.html", context)


class LeaveView(View):
    """R9.6 [003]: ask for leave naming a substitute; one's requests; those waiting for one's decision."""

    permission = "workforce.leave:view"
    write_permission = "workforce.leave:request"

    def get(self, request: HttpRequest, form: forms.Form | None = None, status: int = 200) -> HttpResponse:
        visible = selectors.leave_list_for(request.user)
        waiting = [leave for leave in visible.filter(status=LeaveRequest.Status.PENDING).exclude(agent=request.user)
                   if selectors.is_direct_supervisor(request.user, leave.agent)]
        context = {"requests": visible[:100], "waiting": waiting,
                   "form": form or LeaveRequestForm(user=request.user),
                   "can_request": permissions.has_permission(request.user, self.write_permission)
                   and not permissions.user_is_read_only(request.user),
                   "supervisors": selectors.direct_supervisors(request.user)}
        return render(request, "workforce/leave.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = LeaveRequestForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                leave = services.leave_request_create(actor=request.user, **form.cleaned_data)
            except KefuError as error:
                form.add_error(error.field if error.field in form.fields else None, _error_text(error))
            else:
                messages.success(request, _("Your request is waiting for your supervisor's decision."))
                return redirect("workforce:leave_detail", pk=leave.pk)
        return self.get(request, form=form, status=400)


class LeaveDetailView(View):
    """R9.6 [003]: one request with its substitute and log; the direct supervisor approves or rejects."""

    permission = "workforce.leave:view"
    write_permission = "workforce.leave:approve"

    def get(self, request: HttpRequest, pk: int, form: forms.Form | None = None, status: int = 200) -> HttpResponse:
        leave = selectors.leave_get_for(request.user, pk)
        shifts_in_leave = selectors.assignments_for(request.user, first=leave.start_date, last=leave.end_date).filter(
            Q(agent=leave.agent) | Q(covers_for=leave.agent))
        context = {"leave": leave, "form": form or LeaveDecisionForm(), "events": selectors.events(leave=leave),
                   "shifts": shifts_in_leave,
                   "may_decide": leave.status == LeaveRequest.Status.PENDING
                   and permissions.has_permission(request.user, self.write_permission)
                   and not permissions.user_is_read_only(request.user)
                   and selectors.is_direct_supervisor(request.user, leave.agent),
                   "may_cancel": leave.status == LeaveRequest.Status.PENDING and leave.agent_id == request.user.pk}
        return render(request, "workforce/leave_detail.html", context, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        leave = selectors.leave_get_to_decide(request.user, pk)
        form = LeaveDecisionForm(request.POST)
        if not form.is_valid():
            return self.get(request, pk, form=form, status=400)
        try:
            services.leave_request_decide(actor=request.user, leave=leave,
                                          approve=form.cleaned_data["decision"] == "approve",
                                          note=form.cleaned_data["note"])
        except KefuError as error:
            form.add_error(None, _error_text(error))
            return self.get(request, pk, form=form, status=error.status if error.status < 500 else 400)
        messages.success(request, _("Decision recorded."))
        return redirect("workforce:leave_detail", pk=pk)


class LeaveCancelView(View):
    permission = "workforce.leave:view"
    write_permission = "workforce.leave:request"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        leave = selectors.leave_get_own(request.user, pk)
        try:
            services.leave_request_cancel(actor=request.user, leave=leave)
        except KefuError as error:
            messages.error(request, _error_text(error))
            return redirect("workforce:leave_detail", pk=pk)
        messages.success(request, _("Request cancelled."))
        return redirect("workforce:leave_detail", pk=pk)


class SurgeView(View):
    """R9.6 [004]: whether a surge is running and whom it moved; start one (every non-phone member of staff onto
    the phones); past surges."""

    permission = "workforce.surge:view"
    write_permission = "workforce.surge:switch"

    def get(self, request: HttpRequest, form: forms.Form | None = None, status: int = 200) -> HttpResponse:
        context = {"running": selectors.surge_running(), "surges": selectors.surge_list()[:20],
                   "form": form or SurgeStartForm(), "candidates": selectors.surge_candidates(),
                   "can_switch": permissions.has_permission(request.user, self.write_permission)
                   and not permissions.user_is_read_only(request.user)}
        return render(request, "workforce/surge.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SurgeStartForm(request.POST)
        if form.is_valid():
            try:
                surge = services.surge_start(actor=request.user, reason=form.cleaned_data["reason"],
                                             teams=list(form.cleaned_data["teams"]))
            except KefuError as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(request, _("%(count)s people moved onto the phones.")
                                 % {"count": surge.members.count()})
                return redirect("workforce:surge_detail", pk=surge.pk)
        return self.get(request, form=form, status=400)


class SurgeDetailView(View):
    """R9.6 [004]: one surge — who started and ended it, when, whom it moved; end it."""

    permission = "workforce.surge:view"
    write_permission = "workforce.surge:switch"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        surge = selectors.surge_get(pk)
        return render(request, "workforce/surge_detail.html", {
            "surge": surge, "events": selectors.events(surge=surge, limit=500),
            "can_switch": permissions.has_permission(request.user, self.write_permission)
            and not permissions.user_is_read_only(request.user)})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        surge = selectors.surge_get(pk)
        try:
            services.surge_end(actor=request.user, surge=surge)
        except KefuError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("The surge has ended; everybody is back at his own work."))
        return redirect("workforce:surge_detail", pk=pk)
