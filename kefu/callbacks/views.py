"""Web pages for callbacks and satisfaction surveys (R7.1–R7.5). Thin: selectors read, services write, as the
API does."""

from __future__ import annotations

from dataclasses import asdict

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from kefu.core import clock
from kefu.core.errors import KefuError
from kefu.customers.selectors import customer_queryset_for

from . import forms, selectors, services
from .models import Callback, SatisfactionSurvey

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _lookups(request, data: dict) -> dict:
    """Ticket and customer named by number in a form, as far as the user may see them."""
    from kefu.tickets.selectors import ticket_by_number_for

    found: dict = {}
    number = (data.pop("ticket_number", "") or "").strip()
    if number:
        try:
            found["ticket"] = ticket_by_number_for(request.user, number)
        except Http404:
            raise KefuError(gettext_lazy("There is no ticket %(number)s."), field="ticket_number",
                            code="not_found", number=number) from None
    number = (data.pop("customer_number", "") or "").strip()
    if number:
        customer = customer_queryset_for(request.user).filter(customer_number=number).first()
        if customer is None:
            raise KefuError(gettext_lazy("There is no customer %(number)s."), field="customer_number",
                            code="not_found", number=number)
        found["customer"] = customer
    return found


class MyCallbacksView(View):
    """R7.1: the agent's callback list for today (and what comes next)."""

    permission = "callbacks.callback:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        today = clock.today()
        return render(request, "callbacks/mine.html", {
            "callbacks": selectors.my_list(request.user, day=today),
            "upcoming": selectors.upcoming_for(request.user, day=today)[:50], "today": today, "now": clock.now()})


class CallbackListView(View):
    """Every callback, filtered (QA, management, planners, audit)."""

    permission = "callbacks.any_callback:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        filters = {key: request.GET.get(key, "") for key in selectors.FILTERS}
        page = Paginator(selectors.callback_list_for(request.user, filters), 50).get_page(request.GET.get("page"))
        return render(request, "callbacks/list.html", {
            "page": page, "filters": filters, "statuses": Callback.Status.choices,
            "period": forms.PeriodForm(), "query": request.GET.urlencode()})


class CallbackDetailView(View):
    """R7.2: before and during the call — the customer's recent service history, the script, the form."""

    permission = "callbacks.callback:view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, "callbacks/detail.html", self.context(request, pk))

    @staticmethod
    def context(request, pk, **bound) -> dict:
        callback = selectors.callback_get_for(request.user, pk)
        initial = {"version": callback.version}
        own = callback.agent_id == request.user.pk
        return {
            "callback": callback, "own": own,
            "phone": services.callback_phone_for(actor=request.user, callback=callback,
                                                 ip_address=request.META.get("REMOTE_ADDR")),
            "history": selectors.service_history(request.user, callback),
            "script": selectors.callback_script(callback, callback.agent or request.user),
            "answers": selectors.answers_of(callback), "retries": selectors.retries_of(callback),
            "clock": selectors.pending_clock(callback),
            "call_form": bound.get("call_form") or forms.CallForm(initial=initial, callback_form=callback.form),
            "resolve_form": bound.get("resolve_form") or forms.ResolveForm(initial=initial),
            "assign_form": bound.get("assign_form") or forms.AssignForm(initial=initial),
            "cancel_form": bound.get("cancel_form") or forms.CancelForm(initial=initial),
        }


class _Action(View):
    """A POST on a callback: back to it on success, the page with the message (and the form) on error."""

    permission = "callbacks.callback:view"
    form_key = ""

    def make_form(self, request, callback):
        return self.form_class(request.POST)

    def run(self, request, callback, data):
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        callback = selectors.callback_get_for(request.user, pk)
        form = self.make_form(request, callback)
        status = 400
        if form.is_valid():
            try:
                self.run(request, callback, dict(form.cleaned_data))
            except KefuError as error:
                messages.error(request, f"{error.message_zh} / {error.message_en}")
                name = forms.field_name_for(error.field)
                form.add_error(name if name in form.fields else None, error.message_zh)
                status = error.status
            else:
                return redirect(self.success_url(callback))
        else:
            messages.error(request, _("Please correct the form."))
        return render(request, "callbacks/detail.html",
                      CallbackDetailView.context(request, pk, **{self.form_key: form}), status=status)

    def success_url(self, callback) -> str:
        from django.urls import reverse

        return reverse("callbacks:detail", args=[callback.pk])


class RecordCallView(_Action):
    """R7.2–R7.4: the agent records a call of a callback on his list."""

    write_permission = "callbacks.callback:perform"
    form_key = "call_form"

    def make_form(self, request, callback):
        return forms.CallForm(request.POST, callback_form=callback.form)

    def run(self, request, callback, data):
        answers = forms.answers_from(data)
        services.callback_record_call(
            actor=request.user, callback=callback, version=data["version"], outcome=data["outcome"],
            note=data["note"], answers=answers, solution_accepted=data["solution_accepted"],
            pending_issue=data["pending_issue"], new_need=data["new_need"], call_again_on=data["call_again_on"])
        messages.success(request, _("The call was recorded."))

    def success_url(self, callback) -> str:
        from django.urls import reverse

        return reverse("callbacks:mine")


class ResolveView(_Action):
    """R7.4 [000]: a pending callback is solved and answered within 2 days."""

    write_permission = "callbacks.callback:perform"
    form_class = forms.ResolveForm
    form_key = "resolve_form"

    def run(self, request, callback, data):
        services.callback_resolve_pending(actor=request.user, callback=callback, **data)


class AssignView(_Action):
    write_permission = "callbacks.callback:plan"
    form_class = forms.AssignForm
    form_key = "assign_form"

    def run(self, request, callback, data):
        services.callback_assign(actor=request.user, callback=callback, **data)


class CancelView(_Action):
    write_permission = "callbacks.callback:plan"
    form_class = forms.CancelForm
    form_key = "cancel_form"

    def run(self, request, callback, data):
        services.callback_cancel(actor=request.user, callback=callback, **data)


class PlanningView(View):
    """R7.1 [000] 四1–2: the business management department plans the day — runs the rules, spreads the
    callbacks over the agents (preferring those on the day's published roster), plans by hand."""

    permission = "callbacks.callback:plan"
    write_permission = "callbacks.callback:plan"

    def _render(self, request, *, day=None, plan_form=None, create_form=None, status=200, result=None):
        day = day or clock.today()
        return render(request, "callbacks/planning.html", {
            "day": day, "plan_form": plan_form or forms.PlanDayForm(initial={"day": day}),
            "create_form": create_form or forms.CallbackCreateForm(initial={"planned_for": day}),
            "unplanned": selectors.unplanned(day=day)[:200], "loads": selectors.agent_loads(day=day),
            "result": result}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        form = forms.PlanDayForm(request.GET or None)
        day = form.cleaned_data["day"] if form.is_bound and form.is_valid() else None
        return self._render(request, day=day)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.PlanDayForm(request.POST)
        if not form.is_valid():
            return self._render(request, plan_form=form, status=400)
        day, teams, action = form.cleaned_data["day"], form.cleaned_data["teams"], form.cleaned_data["action"]
        result: dict = {}
        try:
            if action in ("plan", "rules"):
                generated = services.callbacks_generate(day=day, actor=request.user)
                result["generated"] = generated.as_dict()
            if action in ("plan", "spread"):
                result["spread"] = services.callbacks_distribute(actor=request.user, day=day, teams=teams).as_dict()
        except KefuError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message_zh)
            messages.error(request, f"{error.message_zh} / {error.message_en}")
            return self._render(request, day=day, plan_form=form, status=error.status, result=result)
        return self._render(request, day=day, plan_form=form, result=result)


class CallbackCreateView(View):
    """R7.1: a callback planned by hand."""

    permission = "callbacks.callback:plan"
    write_permission = "callbacks.callback:plan"

    def get(self, request: HttpRequest) -> HttpResponse:
        return redirect("callbacks:planning")

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.CallbackCreateForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                data.update(_lookups(request, data))
                callback = services.callback_create(actor=request.user, **data)
            except KefuError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message_zh)
            else:
                messages.success(request, _("Callback %(id)s planned.") % {"id": callback.pk})
                return redirect("callbacks:detail", pk=callback.pk)
        return PlanningView()._render(request, create_form=form, status=400)


def _period(request) -> dict:
    form = forms.PeriodForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return {"start": data.get("start"), "end": data.get("end")}


class FiguresView(View):
    """R7, R10.2: callback figures and, for those who read surveys, satisfaction by channel."""

    permission = "callbacks.any_callback:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        from kefu.core import permissions

        period = _period(request)
        return render(request, "callbacks/figures.html", {
            "form": forms.PeriodForm(request.GET or None), "figures": asdict(selectors.callback_figures(**period)),
            "satisfaction": selectors.satisfaction_figures(**period)
            if permissions.has_permission(request.user, "callbacks.survey:view") else None,
            "query": request.GET.urlencode()})


class ExportView(View):
    """The callback results of a period as an Excel workbook."""

    permission = "callbacks.any_callback:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponse(selectors.results_xlsx(request.user, **_period(request)), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="callback-results.xlsx"'
        return response


class SurveyListView(View):
    """R7.5: satisfaction surveys by phone, SMS and web — figures, answers, the SMS outbox."""

    permission = "callbacks.survey:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        channel, status = request.GET.get("channel", ""), request.GET.get("status", "")
        page = Paginator(selectors.survey_list_for(request.user, channel=channel, status=status), 50).get_page(
            request.GET.get("page"))
        return render(request, "callbacks/surveys.html", {
            "page": page, "channel": channel, "status": status, "channels": SatisfactionSurvey.Channel.choices,
            "statuses": SatisfactionSurvey.Status.choices, "form": forms.PeriodForm(request.GET or None),
            "satisfaction": selectors.satisfaction_figures(**_period(request)),
            "outbox": selectors.sms_outbox_for(request.user)[:20]})


class SurveyDetailView(View):
    permission = "callbacks.survey:view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, "callbacks/survey_detail.html",
                      {"survey": selectors.survey_get_for(request.user, pk)})


class SurveySendView(View):
    """R7.5 [004]: send a survey link by SMS (through the SMS gateway) or make a web link to hand out."""

    permission = "callbacks.survey:send"
    write_permission = "callbacks.survey:send"

    def get(self, request: HttpRequest) -> HttpResponse:
        initial = {key: request.GET[key] for key in ("ticket_number", "customer_number", "channel")
                   if key in request.GET}
        return render(request, "callbacks/survey_send.html", {"form": forms.SurveySendForm(initial=initial)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.SurveySendForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                data.update(_lookups(request, data))
                survey, link = services.survey_send(actor=request.user, base_url=request.build_absolute_uri("/"),
                                                    **data)
            except KefuError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message_zh)
            else:
                return render(request, "callbacks/survey_send.html", {
                    "form": forms.SurveySendForm(), "survey": survey, "link": link})
        return render(request, "callbacks/survey_send.html", {"form": form}, status=400)


class PublicSurveyView(View):
    """R7.5 [004]: the survey page a signed link opens — no login, made for a phone; a used, expired or
    tampered link is refused in Chinese and English."""

    public = True

    def _refused(self, request, error: KefuError) -> HttpResponse:
        return render(request, "callbacks/public_survey.html", {"error": error}, status=error.status)

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            survey = services.survey_read(token)
        except KefuError as error:
            return self._refused(request, error)
        return render(request, "callbacks/public_survey.html", {
            "survey": survey, "form": forms.PublicSurveyForm(callback_form=survey.form)})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            survey = services.survey_read(token)
        except KefuError as error:
            return self._refused(request, error)
        form = forms.PublicSurveyForm(request.POST, callback_form=survey.form)
        if form.is_valid():
            try:
                survey = services.survey_submit(token=token, answers=forms.answers_from(form.cleaned_data))
            except KefuError as error:
                if error.code.startswith("link_"):
                    return self._refused(request, error)
                name = forms.field_name_for(error.field)
                form.add_error(name if name in form.fields else None, error.message_zh)
            else:
                return render(request, "callbacks/public_survey.html", {"survey": survey, "done": True})
        return render(request, "callbacks/public_survey.html", {"survey": survey, "form": form}, status=400)
