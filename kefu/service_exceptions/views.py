"""Web pages for service exceptions (R6.1–R6.5). Thin: selectors read, services write, as the API does."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from kefu.core.errors import KefuError

from . import forms, selectors, services
from .models import ServiceException


class ExceptionListView(View):
    permission = "service_exceptions.exception:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        state, level, q = (request.GET.get(k, "") for k in ("state", "level", "q"))
        page = Paginator(selectors.exception_list_for(request.user, state=state, level=level, q=q), 50).get_page(
            request.GET.get("page"))
        return render(request, "service_exceptions/list.html", {
            "page": page, "state": state, "level": level, "q": q, "states": ServiceException.State.choices})


class ExceptionReportView(View):
    """R6.2: staff of any department report a service exception."""

    permission = "service_exceptions.exception:report"
    write_permission = "service_exceptions.exception:report"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "service_exceptions/report.html", {"form": forms.ReportForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.ReportForm(request.POST)
        if form.is_valid():
            try:
                exc = services.exception_report(actor=request.user, **form.cleaned_data)
            except KefuError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message_zh)
            else:
                messages.success(request, _("Service exception %(number)s reported.") % {"number": exc.number})
                if selectors.exception_queryset_for(request.user).filter(pk=exc.pk).exists():
                    return redirect("service_exceptions:detail", pk=exc.pk)
                return redirect("service_exceptions:report")
        return render(request, "service_exceptions/report.html", {"form": form}, status=400)


class ExceptionDetailView(View):
    permission = "service_exceptions.exception:view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, "service_exceptions/detail.html", self.context(request, pk))

    @staticmethod
    def context(request, pk):
        exc = selectors.exception_get_for(request.user, pk)
        initial = {"version": exc.version}
        return {"exc": exc, "clock": selectors.assessment_clock(exc), "plans": exc.plans.all(),
                "events": exc.events.all(), "assess_form": forms.AssessForm(initial=initial),
                "plan_form": forms.PlanForm(initial=initial), "decide_form": forms.DecideForm(initial=initial),
                "note_form": forms.NoteForm(), "complete_form": forms.CompleteForm(initial=initial),
                "inform_form": forms.InformForm(initial=initial), "rate_form": forms.RateForm(initial=initial),
                "archive_form": forms.ArchiveForm(initial=initial)}


class _Action(View):
    """A POST on an exception: back to it on success, the page with the message on error."""

    permission = "service_exceptions.exception:view"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        exc = selectors.exception_get_for(request.user, pk)
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                self.service(actor=request.user, exception=exc, **form.cleaned_data)
            except KefuError as error:
                messages.error(request, error.message_zh)
                status = error.status
            else:
                return redirect("service_exceptions:detail", pk=pk)
        else:
            messages.error(request, _("Please correct the form."))
            status = 400
        return render(request, "service_exceptions/detail.html", ExceptionDetailView.context(request, pk),
                      status=status)


def _action(name: str, form_class, write_permission: str, service) -> type:
    return type(name, (_Action,), {"form_class": form_class, "write_permission": write_permission,
                                   "service": staticmethod(service), "__module__": __name__})


AssessView = _action("AssessView", forms.AssessForm, "service_exceptions.exception:handle", services.exception_assess)
PlanView = _action("PlanView", forms.PlanForm, "service_exceptions.exception:plan", services.exception_plan)
DecideView = _action("DecideView", forms.DecideForm, "service_exceptions.plan:approve", services.plan_decide)
FollowUpView = _action("FollowUpView", forms.NoteForm, "service_exceptions.exception:view",
                       services.exception_follow_up)
CompleteView = _action("CompleteView", forms.CompleteForm, "service_exceptions.exception:view",
                       services.exception_complete)
InformView = _action("InformView", forms.InformForm, "service_exceptions.exception:handle", services.exception_inform)
RateView = _action("RateView", forms.RateForm, "service_exceptions.exception:handle", services.exception_rate)
ArchiveView = _action("ArchiveView", forms.ArchiveForm, "service_exceptions.exception:handle",
                      services.exception_archive)


class LedgerView(View):
    """R6.5 [001]: the ledger (异常处理跟踪台账) with the KPIs and the analysis by category, level, department,
    cause; exported to Excel."""

    permission = "service_exceptions.ledger:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = forms.PeriodForm(request.GET or None)
        period = form.cleaned_data if form.is_valid() else {}
        period = {"start": period.get("start"), "end": period.get("end")}
        return render(request, "service_exceptions/ledger.html", {
            "form": form, "ledger": selectors.ledger_for(request.user, **period), "kpis": selectors.kpis(**period),
            "analysis": selectors.analysis(**period), "query": request.GET.urlencode()})


class LedgerExportView(View):
    permission = "service_exceptions.ledger:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = forms.PeriodForm(request.GET or None)
        period = form.cleaned_data if form.is_valid() else {}
        content = selectors.ledger_xlsx(request.user, start=period.get("start"), end=period.get("end"))
        response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument."
                                                      "spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="service-exception-ledger.xlsx"'
        return response


class LinkView(View):
    """R6.2 [001] 监督机制 3: make a signed link to the public form for the supervision hotline or mailbox."""

    permission = "service_exceptions.link:create"
    write_permission = "service_exceptions.link:create"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "service_exceptions/link.html", {"form": forms.LinkForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.LinkForm(request.POST)
        link = None
        if form.is_valid():
            token = services.report_link_make(actor=request.user, source=form.cleaned_data["source"])
            link = request.build_absolute_uri(reverse("service_exceptions:public_report", args=[token]))
        return render(request, "service_exceptions/link.html", {"form": form, "link": link},
                      status=200 if link else 400)


class PublicReportView(View):
    """R6.2 [001]: the public form reached through a signed, expiring link (supervision hotline or mailbox);
    no login, rate-limited per address; a tampered or expired link is refused."""

    public = True

    def _source(self, token: str):
        try:
            return services.report_link_read(token), None
        except KefuError as error:
            return None, error

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        source, error = self._source(token)
        if error:
            return render(request, "service_exceptions/public.html", {"error": error.message_zh}, status=error.status)
        return render(request, "service_exceptions/public.html", {"form": forms.PublicReportForm()})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        source, error = self._source(token)
        if error:
            return render(request, "service_exceptions/public.html", {"error": error.message_zh}, status=error.status)
        if not services.public_report_allowed(request.META.get("REMOTE_ADDR", "")):
            return render(request, "service_exceptions/public.html",
                          {"error": _("Too many reports; try again later.")}, status=429)
        form = forms.PublicReportForm(request.POST)
        if form.is_valid():
            try:
                exc = services.exception_report(actor=None, source=source, **form.cleaned_data)
            except KefuError as failure:
                form.add_error(failure.field if failure.field in form.fields else None, failure.message_zh)
            else:
                return render(request, "service_exceptions/public.html", {"done": exc.number})
        return render(request, "service_exceptions/public.html", {"form": form}, status=400)
