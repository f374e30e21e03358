"""/api/v1/ of the workbench (R3.2–R3.4) and of recordings (R3.8): the screen pop, the one-step record, opening
a recording (logged) and the recording log. Thin: the workbench module reads and writes."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from kefu.core.errors import FieldError
from kefu.customers.selectors import can_see_pii, customer_get_for
from kefu.tickets.models import ServiceCategory, TicketKind

from . import selectors, workbench
from .apis import ticket_for_reference
from .models import Contact
from .serializers import (
    PopOutput,
    RecordingAccessOutput,
    RecordingOpenOutput,
    WorkbenchPopQuery,
    WorkbenchRecordInput,
    WorkbenchRecordOutput,
)


def pop_payload(user, pop: workbench.Pop) -> dict:
    script = workbench.script_for(user)
    marks = workbench.timer_marks()
    return {
        "query": pop.query, "number": pop.number, "contact": pop.contact, "candidates": pop.candidates,
        "customer": pop.customer,
        "open_tickets": [{"id": t.pk, "number": t.number, "title": t.title, "kind": t.kind, "state": t.state,
                          "created_at": t.created_at, "status_sentence": pop.status_sentences.get(t.pk, "")}
                         for t in pop.open_tickets],
        "recent_contacts": pop.recent_contacts, "complaints": pop.complaints,
        "script": {"greeting": script.greeting, "forbidden": script.forbidden,
                   "steps": [{"step": step, "phrases": phrases} for step, phrases in script.steps]},
        "timer": {"target_seconds": marks.target, "routine_max_seconds": marks.routine_max,
                  "handover_seconds": marks.handover},
    }


class WorkbenchPopApi(APIView):
    """R3.2: the screen pop for a contact (?contact=), a typed number (?q=) and a chosen customer (?customer=):
    the customer card (masked per role, R2.3), open tickets with their status sentence (R3.4), recent contacts,
    complaints, the greeting with the agent's work number, the phrases and the call timer's marks."""

    permission = "contacts.workbench:use"

    @extend_schema(parameters=[WorkbenchPopQuery], responses=PopOutput)
    def get(self, request):
        query = WorkbenchPopQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        if not params.get("contact") and not (params.get("q") or "").strip():
            raise FieldError(_("Give a contact or what the agent typed."), field="q", code="required")
        pop = workbench.workbench_pop(request.user, contact_id=params.get("contact"), query=params.get("q", ""),
                                      customer_id=params.get("customer"))
        context = {"show_pii": can_see_pii(request.user), "request": request}
        return Response(PopOutput(pop_payload(request.user, pop), context=context).data)


class WorkbenchRecordApi(APIView):
    """R3.1, R3.2: record the contact (5W1H, outcome) and create or update its ticket in one transaction —
    consultation closed at once, repair (then the work order after re-verification), complaint to the
    complaint desk, technical fault to tech support, another kind, or a note on an open ticket."""

    permission = "contacts.workbench:use"
    write_permission = "contacts.workbench:use"

    @extend_schema(request=WorkbenchRecordInput, responses={201: WorkbenchRecordOutput})
    def post(self, request):
        serializer = WorkbenchRecordInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user
        try:
            contact = selectors.contact_get_for(user, data["contact"]) if data.get("contact") else None
        except Http404:
            raise FieldError(_("No such contact."), field="contact", code="not_found") from None
        try:
            customer = customer_get_for(user, data["customer"]) if data.get("customer") else None
        except Http404:
            raise FieldError(_("No such customer."), field="customer", code="not_found") from None
        ticket = None
        if data.get("ticket"):
            try:
                ticket = ticket_for_reference(user, data["ticket"])
            except Http404:
                raise FieldError(_("No such ticket."), field="ticket", code="not_found") from None
        kind = category = None
        if data.get("kind"):
            kind = TicketKind.objects.filter(code=data["kind"], is_active=True).first()
            if kind is None:
                raise FieldError(_("Unknown ticket kind."), field="kind", code="invalid_choice")
        if data.get("category"):
            category = ServiceCategory.objects.filter(code=data["category"], is_active=True).first()
            if category is None:
                raise FieldError(_("Unknown service category."), field="category", code="invalid_choice")
        result = workbench.workbench_record(
            actor=user, action=data["action"], summary={name: data.get(name, "") for name in Contact.SUMMARY_FIELDS},
            contact=contact, number=data.get("number", ""), customer=customer, started_at=data.get("started_at"),
            outcome=data.get("outcome", ""), title=data.get("title", ""), resolution=data.get("resolution", ""),
            kind=kind, category=category, ticket=ticket, note=data.get("note", ""))
        return Response(WorkbenchRecordOutput(result).data, status=201)


class ContactRecordingApi(APIView):
    """R3.8: hand out a contact's recording link — after logging who opened it, when and from where."""

    permission = "contacts.recording:listen"

    @extend_schema(responses=RecordingOpenOutput)
    def get(self, request, pk: int):
        contact = selectors.contact_get_for(request.user, pk)
        access = workbench.recording_open(actor=request.user, contact=contact,
                                          ip_address=request.META.get("REMOTE_ADDR"),
                                          user_agent=request.headers.get("User-Agent", ""), via="api")
        return Response({"url": access.recording_url, "access": access.pk, "opened_at": access.opened_at},
                        headers={"Cache-Control": "no-store"})


class RecordingAccessListApi(ListAPIView):
    """R3.8: the log of recording openings (?contact=, ?user=), newest first."""

    permission = "contacts.recording_log:view"
    serializer_class = RecordingAccessOutput

    @extend_schema(parameters=[OpenApiParameter("contact", int), OpenApiParameter("user", str)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        contact = self.request.query_params.get("contact") or ""
        return workbench.recording_access_list_for(self.request.user,
                                                   contact_id=int(contact) if contact.isdigit() else None,
                                                   username=self.request.query_params.get("user") or "")
