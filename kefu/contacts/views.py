"""Web pages for contacts (SPEC §3): list with filters, detail with recording link and events, recording by hand,
figures, phrases, agent states and call-record imports. Thin: selectors read, services write, as the API does."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from kefu.core import clock, tunables
from kefu.core.errors import KefuError
from kefu.customers.selectors import can_see_pii

from . import cdr, figures, selectors, services
from .apis import figures_payload, ticket_for_reference
from .forms import (
    AgentStateForm,
    CdrImportForm,
    ContactCreateForm,
    ContactFilterForm,
    FiguresForm,
    ForbiddenPhraseForm,
    LinkTicketForm,
    StandardPhraseForm,
    SummaryForm,
)
from .models import AgentStatus, Contact, ForbiddenPhrase, StandardPhrase


def _form_error(form, error: KefuError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message_zh)


class ContactListView(View):
    """R3.1: every contact, filtered by number, channel, state, queue, agent and date; numbers masked (R2.3)."""

    permission = "contacts.contact:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = ContactFilterForm(request.GET or None)
        queryset = selectors.contact_list_for(request.user, form.filters() if request.GET else {})
        page = Paginator(queryset, 50).get_page(request.GET.get("page"))
        context = {"form": form, "page": page, "show_pii": can_see_pii(request.user)}
        if request.htmx:
            return render(request, "contacts/_list.html", context)
        return render(request, "contacts/list.html", context)


class ContactCreateView(View):
    """R3.1, R3.5: record a fax, e-mail, web request, walk-in or a call by hand."""

    permission = "contacts.contact:edit"
    write_permission = "contacts.contact:edit"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "contacts/create.html", {"form": ContactCreateForm(initial={"channel": "fax"})})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ContactCreateForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                contact = services.contact_create(actor=request.user, **data)
            except KefuError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Contact recorded."))
                return redirect("contacts:detail", pk=contact.pk)
        return render(request, "contacts/create.html", {"form": form}, status=400)


class ContactDetailView(View):
    """R3.1: the contact with its times, customer, agent, recording link (R3.8: for those who may listen),
    5W1H summary, tickets and the telephony events it was built from."""

    permission = "contacts.contact:view"

    def get(self, request: HttpRequest, pk: int, summary_form=None, ticket_form=None, status: int = 200):
        contact = selectors.contact_get_for(request.user, pk)
        initial = {name: getattr(contact, name) for name in (*Contact.SUMMARY_FIELDS, "outcome")}
        return render(request, "contacts/detail.html", {
            "contact": contact, "events": selectors.contact_events(contact), "show_pii": can_see_pii(request.user),
            "can_listen": selectors.can_listen(request.user),
            "summary_form": summary_form or SummaryForm(initial=initial),
            "ticket_form": ticket_form or LinkTicketForm()}, status=status)


class ContactSummaryView(ContactDetailView):
    http_method_names = ["post"]
    permission = "contacts.contact:edit"
    write_permission = "contacts.contact:edit"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contact = selectors.contact_get_for(request.user, pk)
        form = SummaryForm(request.POST)
        if form.is_valid():
            try:
                services.contact_update(actor=request.user, contact=contact, changes=dict(form.cleaned_data))
            except KefuError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Contact saved."))
                return redirect("contacts:detail", pk=pk)
        return self.get(request, pk, summary_form=form, status=400)


class ContactTicketView(ContactDetailView):
    http_method_names = ["post"]
    permission = "contacts.contact:edit"
    write_permission = "contacts.contact:edit"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contact = selectors.contact_get_for(request.user, pk)
        form = LinkTicketForm(request.POST)
        if form.is_valid():
            try:
                ticket = ticket_for_reference(request.user, form.cleaned_data["ticket"])
                services.contact_link_ticket(actor=request.user, contact=contact, ticket=ticket)
            except Http404:
                form.add_error("ticket", _("No such ticket."))
            except KefuError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Ticket %(number)s linked.") % {"number": ticket.number})
                return redirect("contacts:detail", pk=pk)
        return self.get(request, pk, ticket_form=form, status=400)


class FiguresView(View):
    """R3.6, R10.2: call-center figures per queue, interval and agent for one day or a range of days."""

    permission = "contacts.figures:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = FiguresForm(request.GET or None)
        data = form.cleaned_data if request.GET and form.is_valid() else {}
        day = data.get("date") or clock.today()
        last = data.get("date_to") or day
        zone = timezone.get_default_timezone()
        start = timezone.make_aware(datetime.combine(day, time.min), zone)
        end = timezone.make_aware(datetime.combine(max(last, day) + timedelta(days=1), time.min), zone)
        group_by = (data.get("group") or "queue,interval").split(",")
        interval = data.get("interval") or tunables.get("contacts.figures_interval_minutes")
        queue = data.get("queue")
        result = figures.call_figures(start=start, end=end, group_by=group_by, interval_minutes=interval,
                                      queue_ids=[queue.pk] if queue else None,
                                      target_seconds=data.get("target_seconds"),
                                      short_abandon_seconds=data.get("short_abandon_seconds"))
        return render(request, "contacts/figures.html", {"form": form, "figures": figures_payload(result),
                                                          "group_by": group_by, "day": day, "last": last})


class PhraseListView(View):
    """R3.3: the standard phrases of each step and the forbidden phrases; supervisors edit them."""

    permission = "contacts.phrase:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "contacts/phrases.html", {
            "standard": selectors.standard_phrases(active_only=False).order_by("step", "order", "id"),
            "forbidden": selectors.forbidden_phrases(active_only=False),
            "steps": StandardPhrase.Step})


class _PhraseEditView(View):
    permission = "contacts.phrase:edit"
    write_permission = "contacts.phrase:edit"
    model: type = StandardPhrase
    form_class: type = StandardPhraseForm

    def _load(self, pk: int | None):
        if pk is None:
            return None
        phrase = self.model.objects.filter(pk=pk).first()
        if phrase is None:
            raise Http404
        return phrase

    def _save(self, request, phrase, data):
        raise NotImplementedError

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        phrase = self._load(pk)
        return render(request, "contacts/phrase_edit.html", {"form": self.form_class(instance=phrase),
                                                             "phrase": phrase})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        phrase = self._load(pk)
        if request.POST.get("delete") and phrase is not None:
            services.phrase_delete(actor=request.user, phrase=phrase)
            messages.success(request, _("Phrase deleted."))
            return redirect("contacts:phrases")
        form = self.form_class(request.POST, instance=phrase)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                self._save(request, self._load(pk), data)
            except KefuError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Phrase saved."))
                return redirect("contacts:phrases")
        return render(request, "contacts/phrase_edit.html", {"form": form, "phrase": phrase}, status=400)


class StandardPhraseEditView(_PhraseEditView):
    model = StandardPhrase
    form_class = StandardPhraseForm

    def _save(self, request, phrase, data):
        return services.standard_phrase_save(actor=request.user, phrase=phrase, data=data)


class ForbiddenPhraseEditView(_PhraseEditView):
    model = ForbiddenPhrase
    form_class = ForbiddenPhraseForm

    def _save(self, request, phrase, data):
        return services.forbidden_phrase_save(actor=request.user, phrase=phrase, data=data)


class MyAgentStateView(View):
    """The agent's own state: logged in, ready, on a call, after-call work, break, logged out."""

    permission = "contacts.agent_state:change"
    write_permission = "contacts.agent_state:change"

    def get(self, request: HttpRequest, form=None, status: int = 200) -> HttpResponse:
        agent_status = services.agent_status_of(request.user)
        allowed = services.AGENT_TRANSITIONS[agent_status.state]
        choices = [(value, label) for value, label in AgentStatus.State.choices if value in allowed]
        return render(request, "contacts/agent_state.html", {"status": agent_status, "choices": choices,
                                                             "form": form}, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = AgentStateForm(request.POST)
        if form.is_valid():
            try:
                services.agent_state_set(actor=request.user, state=form.cleaned_data["state"],
                                         reason=form.cleaned_data["reason"])
            except KefuError as error:
                _form_error(form, error)
            else:
                return redirect("contacts:agent_state")
        return self.get(request, form=form, status=400)


class AgentBoardView(View):
    """Every agent's state, for shift leads and supervisors (R10.1: agents on shift)."""

    permission = "contacts.agent_state:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "contacts/agents.html", {"statuses": selectors.agent_status_list(),
                                                        "now": clock.now()})


class CdrImportView(View):
    """R3.6: upload Master.csv or a generic CSV; every row is checked, then all calls are written or none."""

    permission = "contacts.cdr:import"
    write_permission = "contacts.cdr:import"

    def get(self, request: HttpRequest, form=None, log=None, status: int = 200) -> HttpResponse:
        return render(request, "contacts/cdr_imports.html", {
            "form": form or CdrImportForm(), "log": log,
            "imports": selectors.cdr_import_list_for(request.user)[:20]}, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CdrImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.get(request, form=form, status=400)
        upload = form.cleaned_data["file"]
        if upload.size > tunables.get("contacts.cdr_import_max_bytes"):
            form.add_error("file", _("The file is too large."))
            return self.get(request, form=form, status=400)
        try:
            report, log = cdr.cdr_import(actor=request.user, filename=upload.name, content=upload.read(),
                                         fmt=form.cleaned_data["format"], dry_run=form.cleaned_data["dry_run"],
                                         tz_name=form.cleaned_data["timezone"] or None)
        except KefuError as error:
            _form_error(form, error)
            return self.get(request, form=form, status=400)
        return self.get(request, form=CdrImportForm(), log=log, status=200 if report.ok else 400)
