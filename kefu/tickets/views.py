"""Web pages for tickets. Thin: selectors read, services write, as the API does."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from kefu.core.errors import KefuError
from kefu.customers.selectors import customer_get_for

from . import selectors, services
from .forms import DispatchForm, EntryForm, TicketFilterForm, TicketForm, TransitionForm


class UncountedPage:
    """A page of the list without COUNT(*) (a million tickets): previous/next only."""

    def __init__(self, rows: list, number: int, has_next: bool) -> None:
        self.object_list, self.number, self._has_next = rows, number, has_next

    @classmethod
    def of(cls, queryset, page: str | None, size: int) -> "UncountedPage":
        number = int(page) if page and page.isdigit() and int(page) > 0 else 1
        rows = list(queryset[(number - 1) * size: number * size + 1])
        return cls(rows[:size], number, len(rows) > size)

    def __iter__(self):
        return iter(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


class TicketListView(View):
    permission = "tickets.ticket:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = TicketFilterForm(request.GET or None)
        queryset = selectors.ticket_list_for(request.user, form.filters() if request.GET else {})
        page = UncountedPage.of(queryset, request.GET.get("page"), 50)
        if request.htmx:
            return render(request, "tickets/_list.html", {"page": page})
        from kefu.accounts.models import User

        return render(request, "tickets/list.html", {
            "form": form, "page": page, "saved_views": request.user.saved_ticket_views.all(),
            "assignable": User.objects.filter(is_active=True, roles__isnull=False).distinct()
            .order_by("username")})


class TicketCreateView(View):
    permission = "tickets.ticket:create"
    write_permission = "tickets.ticket:create"

    def _customer(self, request):
        pk = request.GET.get("customer") or request.POST.get("customer")
        return customer_get_for(request.user, int(pk)) if pk and str(pk).isdigit() else None

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "tickets/create.html", {"form": TicketForm(initial={"channel": "phone"}),
                                                       "customer": self._customer(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        customer = self._customer(request)
        form = TicketForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                ticket = services.ticket_create(actor=request.user, customer=customer, **data)
            except KefuError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message_zh)
            else:
                messages.success(request, _("Ticket %(number)s created.") % {"number": ticket.number})
                return redirect("tickets:detail", pk=ticket.pk)
        return render(request, "tickets/create.html", {"form": form, "customer": customer}, status=400)


class TicketDetailView(View):
    permission = "tickets.ticket:view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, "tickets/detail.html", self.context(request, pk))

    @staticmethod
    def context(request, pk, **extra):
        ticket = selectors.ticket_get_for(request.user, pk)
        context = {
            "ticket": ticket,
            "transitions": services.available_transitions(request.user, ticket),
            "events": ticket.events.select_related("actor"),
            "entries": ticket.entries.select_related("author"),
            "dispatches": ticket.dispatches.select_related("team", "assignee", "dispatched_by"),
            "sentence": services.ticket_status_sentence(ticket),
            "clocks": ticket.clocks.select_related("policy").prefetch_related("escalations", "extensions"),
            "dispatch_form": DispatchForm(initial={"version": ticket.version}),
            "entry_form": EntryForm(),
        }
        context.update(extra)
        return context


class _TicketAction(View):
    """A POST on a ticket: on success back to the ticket, on error the ticket page with the message."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        ticket = selectors.ticket_get_for(request.user, pk)
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                self.act(request, ticket, form.cleaned_data)
            except KefuError as error:
                messages.error(request, error.message_zh)
                status = error.status
            else:
                return redirect("tickets:detail", pk=pk)
        else:
            messages.error(request, _("Please correct the form."))
            status = 400
        return render(request, "tickets/detail.html", TicketDetailView.context(request, pk), status=status)


class TicketTransitionView(_TicketAction):
    permission = "tickets.ticket:transition"
    write_permission = "tickets.ticket:transition"
    form_class = TransitionForm

    def act(self, request, ticket, data):
        services.ticket_transition(actor=request.user, ticket=ticket, **data)


class TicketDispatchView(_TicketAction):
    permission = "tickets.ticket:dispatch"
    write_permission = "tickets.ticket:dispatch"
    form_class = DispatchForm

    def act(self, request, ticket, data):
        services.ticket_dispatch(actor=request.user, ticket=ticket, **data)


class TicketEntryView(_TicketAction):
    permission = "tickets.ticket:change"
    write_permission = "tickets.ticket:change"
    form_class = EntryForm

    def act(self, request, ticket, data):
        services.ticket_add_entry(actor=request.user, ticket=ticket, **data)


class TicketStatusView(View):
    """R3.4: a repeat caller gives his ticket number; the agent reads out the standard sentence."""

    permission = "tickets.ticket:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        number = request.GET.get("number", "").strip()
        ticket = sentence = None
        if number:
            try:
                ticket = selectors.ticket_by_number_for(request.user, number)
            except Http404:
                ticket = None
            sentence = services.ticket_status_sentence(ticket) if ticket else None
        return render(request, "tickets/status.html", {"number": number, "ticket": ticket, "sentence": sentence})
