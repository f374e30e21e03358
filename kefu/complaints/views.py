"""Web pages for complaints (R5.1–R5.4). Thin: selectors read, services write, as the API does."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from kefu.core.errors import KefuError
from kefu.customers.selectors import customer_get_for

from . import selectors, services
from .forms import CloseForm, ComplaintForm, ConcludeForm, ExtendForm, InformForm, RecordForm


class ComplaintListView(View):
    permission = "complaints.complaint:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        state, q = request.GET.get("state", ""), request.GET.get("q", "")
        page = Paginator(selectors.complaint_list_for(request.user, state=state, q=q), 50).get_page(
            request.GET.get("page"))
        return render(request, "complaints/list.html", {"page": page, "state": state, "q": q})


class ComplaintCreateView(View):
    """R5.1: the agent sees the standard transfer sentence and hands the complaint to the complaint desk."""

    permission = "complaints.complaint:create"
    write_permission = "complaints.complaint:create"

    def _customer(self, request):
        pk = request.GET.get("customer") or request.POST.get("customer")
        return customer_get_for(request.user, int(pk)) if pk and str(pk).isdigit() else None

    def _render(self, request, form, status=200):
        return render(request, "complaints/create.html", {
            "form": form, "customer": self._customer(request),
            "phrase": services.complaint_transfer_phrase(request.user)}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, ComplaintForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ComplaintForm(request.POST)
        if form.is_valid():
            try:
                complaint = services.complaint_create(actor=request.user, customer=self._customer(request),
                                                      **form.cleaned_data)
            except KefuError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message_zh)
            else:
                messages.success(request, _("Complaint %(number)s transferred to the complaint desk.")
                                 % {"number": complaint.ticket.number})
                return redirect("complaints:detail", pk=complaint.pk)
        return self._render(request, form, status=400)


class ComplaintDetailView(View):
    permission = "complaints.complaint:view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, "complaints/detail.html", self.context(request, pk))

    @staticmethod
    def context(request, pk):
        complaint = selectors.complaint_get_for(request.user, pk)
        ticket = complaint.ticket
        return {
            "complaint": complaint, "ticket": ticket,
            "investigation": getattr(complaint, "investigation", None)
            if selectors.investigation_visible(request.user) else None,
            "clocks": ticket.clocks.select_related("policy").prefetch_related("escalations", "extensions"),
            "entries": ticket.entries.select_related("author"),
            "events": ticket.events.select_related("actor"),
            "follow_up": getattr(complaint, "follow_up", None),
            "record_form": RecordForm(initial={"version": ticket.version, "subject": complaint.subject,
                                               "details": complaint.details}),
            "extend_form": ExtendForm(), "conclude_form": ConcludeForm(), "inform_form": InformForm(),
            "close_form": CloseForm(),
        }


class _ComplaintAction(View):
    """A POST on a complaint: back to it on success, the page with the message on error."""

    permission = "complaints.complaint:handle"
    write_permission = "complaints.complaint:handle"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        complaint = selectors.complaint_get_for(request.user, pk)
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                self.act(request, complaint, form.cleaned_data)
            except KefuError as error:
                messages.error(request, error.message_zh)
                status = error.status
            else:
                return redirect("complaints:detail", pk=pk)
        else:
            messages.error(request, _("Please correct the form."))
            status = 400
        return render(request, "complaints/detail.html", ComplaintDetailView.context(request, pk), status=status)


class ComplaintRecordView(_ComplaintAction):
    form_class = RecordForm

    def act(self, request, complaint, data):
        services.complaint_record(actor=request.user, complaint=complaint, **data)


class ComplaintExtendView(_ComplaintAction):
    form_class = ExtendForm

    def act(self, request, complaint, data):
        services.complaint_extend(actor=request.user, complaint=complaint, **data)


class ComplaintConcludeView(_ComplaintAction):
    form_class = ConcludeForm

    def act(self, request, complaint, data):
        services.investigation_conclude(actor=request.user, complaint=complaint, **data)


class ComplaintInformView(_ComplaintAction):
    form_class = InformForm

    def act(self, request, complaint, data):
        services.complaint_inform(actor=request.user, complaint=complaint, **data)


class ComplaintCloseView(_ComplaintAction):
    form_class = CloseForm

    def act(self, request, complaint, data):
        services.complaint_close(actor=request.user, complaint=complaint, **data)


class DeductionListView(View):
    permission = "complaints.deduction:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(selectors.deduction_list_for(request.user), 50).get_page(request.GET.get("page"))
        return render(request, "complaints/deductions.html", {"page": page})


class FollowUpListView(View):
    permission = "complaints.complaint:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(selectors.follow_up_list_for(request.user), 50).get_page(request.GET.get("page"))
        return render(request, "complaints/follow_ups.html", {"page": page})
