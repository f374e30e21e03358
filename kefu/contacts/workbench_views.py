"""Web pages of the agent workbench (R3.2–R3.4) and of recordings (R3.8): the workbench with its live stream,
the screen-pop fragment, the one-step record, opening a recording (logged) and the recording log. Thin: the
workbench module reads and writes."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View

from kefu.core import push
from kefu.core.errors import KefuError
from kefu.customers.selectors import can_see_pii, customer_get_for

from . import selectors, workbench
from .apis import ticket_for_reference
from .forms import WorkbenchRecordForm
from .models import Contact


def error_text(error: KefuError) -> str:
    """The error in the language of the page (the API gives both)."""
    return error.message_zh if (translation.get_language() or "").startswith("zh") else error.message_en


def _visible_field(form, name: str | None) -> str | None:
    """The form field an error belongs to, if the agent sees it (the hidden ones report above the form)."""
    if name == "number":
        return None
    field = form.fields.get(name or "")
    if field is None or (field.widget.is_hidden and name != "started_at"):
        return None
    return name


def _int(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


def _initial_form(pop: workbench.Pop) -> WorkbenchRecordForm:
    return WorkbenchRecordForm(initial={"contact": pop.contact.pk if pop.contact else None, "q": pop.query,
                                        "customer": pop.customer.pk if pop.customer else None})


def _pop_context(request: HttpRequest, pop: workbench.Pop, form: WorkbenchRecordForm | None = None) -> dict:
    """The pop fragment's context. Without a form the fragment loads its record form right after it is shown
    (the card first: it is what the agent needs while the phone rings)."""
    return {"pop": pop, "form": form, "show_pii": can_see_pii(request.user), "customer": pop.customer,
            "open_ticket_numbers": [(t.number, t.title) for t in pop.open_tickets]}


def _page_context(request: HttpRequest) -> dict:
    return {"script": workbench.script_for(request.user), "marks": workbench.timer_marks(),
            "after": push.latest_id(request.user.pk)}


class WorkbenchView(View):
    """R3.2: the agent's workbench — the live screen pop (server-sent events), the look-up of a typed number,
    the greeting with his work number, the phrases of each step, the forbidden phrases and the call timer."""

    permission = "contacts.workbench:use"

    def get(self, request: HttpRequest) -> HttpResponse:
        pop = None
        contact_id, query = _int(request.GET.get("contact")), (request.GET.get("q") or "").strip()
        if contact_id or query:
            pop = workbench.workbench_pop(request.user, contact_id=contact_id, query=query,
                                         customer_id=_int(request.GET.get("customer")))
        context = _page_context(request)
        if pop is not None:
            context.update(_pop_context(request, pop, _initial_form(pop)))
        return render(request, "contacts/workbench.html", context)


class WorkbenchStreamView(View):
    """The workbench's event stream (text/event-stream): the user's own pushed messages only."""

    permission = "contacts.workbench:use"

    def get(self, request: HttpRequest) -> HttpResponse:
        return push.stream_response(request, user_id=request.user.pk)


class WorkbenchPopView(View):
    """R3.2: the screen-pop fragment for a contact (?contact=), a typed number (?q=) and a chosen customer
    (?customer=); the workbench loads it when a call rings or the agent looks a number up."""

    permission = "contacts.workbench:use"

    def get(self, request: HttpRequest) -> HttpResponse:
        pop = workbench.workbench_pop(request.user, contact_id=_int(request.GET.get("contact")),
                                      query=request.GET.get("q") or "", customer_id=_int(request.GET.get("customer")))
        return render(request, "contacts/_pop.html", _pop_context(request, pop))


class WorkbenchFormView(View):
    """The one-step record form of a pop (?contact=, ?q=, ?customer=), loaded by the pop right after the card."""

    permission = "contacts.workbench:use"

    def get(self, request: HttpRequest) -> HttpResponse:
        contact_id, customer_id = _int(request.GET.get("contact")), _int(request.GET.get("customer"))
        pop = workbench.Pop(query=(request.GET.get("q") or "").strip()[:100], number="")
        if contact_id:
            pop.contact = selectors.contact_get_for(request.user, contact_id)
        if customer_id:
            pop.customer = customer_get_for(request.user, customer_id)
        numbers = workbench.open_ticket_numbers(request.user, pop.customer)
        return render(request, "contacts/_record_form.html", {"form": _initial_form(pop),
                                                               "open_ticket_numbers": numbers})


class WorkbenchRecordView(View):
    """R3.1, R3.2: record the contact and create or update its ticket in one step. A repair goes on to the
    work order's re-verification page (R4.3); otherwise the pop shows what was done."""

    http_method_names = ["post"]
    permission = "contacts.workbench:use"
    write_permission = "contacts.workbench:use"

    def post(self, request: HttpRequest) -> HttpResponse:
        form = WorkbenchRecordForm(request.POST)
        data = form.cleaned_data if form.is_valid() else None
        contact_id, customer_id = _int(request.POST.get("contact")), _int(request.POST.get("customer"))
        if data is not None:
            try:
                result = self._record(request, form, data)
            except KefuError as error:
                form.add_error(_visible_field(form, error.field), error_text(error))
            else:
                if result is not None:
                    return self._done(request, result)
        try:
            pop = workbench.workbench_pop(request.user, contact_id=contact_id, query=request.POST.get("q") or "",
                                          customer_id=customer_id)
        except Http404:
            pop = workbench.Pop(query="", number="")
        if not request.htmx:  # without JavaScript: the whole workbench again, with the errors
            context = {**_page_context(request), **_pop_context(request, pop, form)}
            return render(request, "contacts/workbench.html", context, status=400)
        return render(request, "contacts/_pop.html", _pop_context(request, pop, form), status=400)

    def _record(self, request: HttpRequest, form: WorkbenchRecordForm, data: dict):
        user = request.user
        try:
            contact = selectors.contact_get_for(user, data["contact"]) if data.get("contact") else None
            customer = customer_get_for(user, data["customer"]) if data.get("customer") else None
        except Http404:
            form.add_error(None, _("The call or the customer is no longer there."))
            return None
        ticket = None
        if data.get("ticket"):
            try:
                ticket = ticket_for_reference(user, data["ticket"])
            except Http404:
                form.add_error("ticket", _("No such ticket."))
                return None
        summary = {name: data.get(name, "") for name in Contact.SUMMARY_FIELDS}
        return workbench.workbench_record(
            actor=user, action=data["action"], summary=summary, contact=contact, number=data.get("q", ""),
            customer=customer, started_at=data.get("started_at"), outcome=data.get("outcome", ""),
            title=data.get("title", ""), resolution=data.get("resolution", ""), kind=data.get("kind"),
            category=data.get("category"), ticket=ticket, note=data.get("note", ""))

    def _done(self, request: HttpRequest, result: workbench.RecordResult) -> HttpResponse:
        if result.needs_work_order and result.ticket is not None:
            url = reverse("tickets:work_order_create", args=[result.ticket.pk])
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return HttpResponseRedirect(url)
        if not request.htmx:
            return HttpResponseRedirect(reverse("contacts:detail", args=[result.contact.pk]))
        return render(request, "contacts/_recorded.html", {"result": result})


class RecordingOpenView(View):
    """R3.8: open a contact's recording — logged (who, when, from where), then handed over to the recording
    server by a redirect; the browser plays it."""

    permission = "contacts.recording:listen"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        contact = selectors.contact_get_for(request.user, pk)
        try:
            access = workbench.recording_open(actor=request.user, contact=contact,
                                              ip_address=request.META.get("REMOTE_ADDR"),
                                              user_agent=request.headers.get("User-Agent", ""), via="web")
        except KefuError as error:
            if error.status == 404:
                raise Http404 from None
            raise PermissionDenied from None
        response = HttpResponseRedirect(access.recording_url)
        response["Cache-Control"] = "no-store"  # every playback comes back here and is logged
        return response


class RecordingLogView(View):
    """R3.8: who opened which recording, when and from where — for supervisors, QA and auditors."""

    permission = "contacts.recording_log:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        accesses = workbench.recording_access_list_for(request.user, contact_id=_int(request.GET.get("contact")),
                                                       username=request.GET.get("user") or "")
        page = Paginator(accesses, 50).get_page(request.GET.get("page"))
        return render(request, "contacts/recording_log.html", {"page": page, "show_pii": can_see_pii(request.user)})
