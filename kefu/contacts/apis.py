"""/api/v1/ contacts and telephony (SPEC §3): the telephony event endpoint, contacts, figures, phrases, agent
states and call-record imports. Thin: selectors read, services write."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

from django.db import OperationalError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from kefu.accounts.models import User
from kefu.core import clock, tunables
from kefu.core.api import error_body
from kefu.core.errors import FieldError, KefuError
from kefu.customers.selectors import can_see_pii, customer_get_for

from . import cdr, figures, selectors, services
from .models import ForbiddenPhrase, Queue, StandardPhrase
from .serializers import (
    AgentStateInput,
    AgentStatusOutput,
    CdrImportInput,
    CdrImportOutput,
    ContactCreateInput,
    ContactDetailOutput,
    ContactListOutput,
    ContactPatchInput,
    FiguresOutput,
    FiguresQuery,
    ForbiddenPhraseSerializer,
    LinkTicketInput,
    QueueSerializer,
    StandardPhraseSerializer,
    TelephonyEventInput,
    TelephonyResponseOutput,
)
from .telephony import signing
from .telephony.events import parse_generic_body


class TelephonyEventsApi(APIView):
    """R3.6: call events from the PBX or cloud call center (generic JSON; see kefu.contacts.telephony.events).

    Public: the request is authenticated by its HMAC-SHA256 signature (headers X-Kefu-Timestamp and
    X-Kefu-Signature, see kefu.contacts.telephony.signing), not by a user. A batch is all checked before any
    event is recorded; each event is idempotent by its id; the answer lists what happened to each.
    """

    public = True
    authentication_classes = ()
    throttle_classes = ()
    parser_classes = [JSONParser]  # for the schema: the view verifies and reads the raw body itself

    @extend_schema(request=TelephonyEventInput, responses={200: TelephonyResponseOutput}, auth=[],
                   parameters=[OpenApiParameter(signing.TIMESTAMP_HEADER, str, OpenApiParameter.HEADER, required=True),
                               OpenApiParameter(signing.SIGNATURE_HEADER, str, OpenApiParameter.HEADER, required=True)])
    def post(self, request):
        body = request.body
        signing.verify(timestamp=request.headers.get(signing.TIMESTAMP_HEADER),
                       signature=request.headers.get(signing.SIGNATURE_HEADER), body=body, now=clock.now())
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return Response(error_body("parse_error", _("The request body could not be read.")), status=400)
        source = "generic"
        if isinstance(payload, dict) and "source" in payload:
            source = payload.pop("source")
            if not isinstance(source, str) or not 0 < len(source) <= 32:
                raise FieldError(_("The source is a name of at most 32 characters."), field="source",
                                 code="invalid")
        events, errors = parse_generic_body(payload, source=source)
        if errors:
            first = errors.items[0]
            code = first["code"] if first["code"] == "unknown_event_type" else "invalid"
            return Response(error_body(code, _("The input is not valid; see the fields."), fields=errors.items,
                                       field=first["field"]), status=400)
        try:
            results = services.telephony_events_ingest(events=events, live=True)
        except OperationalError:
            # Still locked after the retries: the sender sends again; event ids make that safe.
            raise KefuError(_("The database is busy; send the events again."), code="busy", status=503) from None
        return Response({"results": [result.as_dict() for result in results]})


def _contact_context(request) -> dict:
    return {"show_pii": can_see_pii(request.user), "can_listen": selectors.can_listen(request.user),
            "request": request}


class ContactListCreateApi(ListAPIView):
    """R3.1: contacts with filters (?channel, state, queue, agent, customer, number, date_from, date_to,
    incomplete, outcome); POST records a contact by hand."""

    permission = "contacts.contact:view"
    write_permission = "contacts.contact:edit"
    serializer_class = ContactListOutput

    def get_queryset(self):
        filters = {key: self.request.query_params.get(key) for key in selectors.FILTERS}
        return selectors.contact_list_for(self.request.user, filters)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **_contact_context(self.request)}

    @extend_schema(request=ContactCreateInput, responses={201: ContactDetailOutput})
    def post(self, request):
        serializer = ContactCreateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        customer_pk = data.pop("customer", None)
        customer = customer_get_for(request.user, customer_pk) if customer_pk else None
        contact = services.contact_create(actor=request.user, customer=customer, **data)
        contact = selectors.contact_get_for(request.user, contact.pk)
        return Response(ContactDetailOutput(contact, context=_contact_context(request)).data,
                        status=status.HTTP_201_CREATED)


class ContactDetailApi(APIView):
    permission = "contacts.contact:view"
    write_permission = "contacts.contact:edit"

    @extend_schema(responses=ContactDetailOutput)
    def get(self, request, pk: int):
        contact = selectors.contact_get_for(request.user, pk)
        return Response(ContactDetailOutput(contact, context=_contact_context(request)).data)

    @extend_schema(request=ContactPatchInput, responses=ContactDetailOutput)
    def patch(self, request, pk: int):
        contact = selectors.contact_get_for(request.user, pk)
        serializer = ContactPatchInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        if "customer" in changes:
            pk_value = changes["customer"]
            changes["customer"] = customer_get_for(request.user, pk_value) if pk_value else None
        services.contact_update(actor=request.user, contact=contact, changes=changes)
        contact = selectors.contact_get_for(request.user, pk)
        return Response(ContactDetailOutput(contact, context=_contact_context(request)).data)


def ticket_for_reference(user, reference: str):
    """A ticket the user may see, by number or id (404 otherwise)."""
    from kefu.tickets.selectors import ticket_by_number_for, ticket_get_for

    reference = (reference or "").strip()
    if reference.isdigit():
        return ticket_get_for(user, int(reference))
    return ticket_by_number_for(user, reference)


class ContactTicketsApi(APIView):
    """R3.1: link a contact to a ticket (the tickets a contact created or concerns)."""

    permission = "contacts.contact:edit"
    write_permission = "contacts.contact:edit"

    @extend_schema(request=LinkTicketInput, responses=ContactDetailOutput)
    def post(self, request, pk: int):
        contact = selectors.contact_get_for(request.user, pk)
        serializer = LinkTicketInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            ticket = ticket_for_reference(request.user, serializer.validated_data["ticket"])
        except Http404:
            raise FieldError(_("No such ticket."), field="ticket", code="not_found") from None
        services.contact_link_ticket(actor=request.user, contact=contact, ticket=ticket)
        contact = selectors.contact_get_for(request.user, pk)
        return Response(ContactDetailOutput(contact, context=_contact_context(request)).data)


class QueueListApi(ListAPIView):
    permission = "contacts.contact:view"
    serializer_class = QueueSerializer
    queryset = Queue.objects.all()
    pagination_class = None


def figures_period(*, date=None, start: datetime | None = None, end: datetime | None = None) -> tuple[datetime,
                                                                                                          datetime]:
    """[start, end) of a figures request: explicit bounds, else one local day (default today)."""
    if start and end:
        if end <= start:
            raise FieldError(_("The end must lie after the start."), field="end", code="invalid")
        if end - start > timedelta(days=366):
            raise FieldError(_("At most one year at a time."), field="end", code="invalid")
        return start, end
    day = date or clock.today()
    begin = timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())
    return begin, begin + timedelta(days=1)


def figures_payload(result: figures.FigureSet) -> dict:
    queue_ids = {row.queue_id for row in result.rows if row.queue_id}
    agent_ids = {row.agent_id for row in result.rows if row.agent_id}
    queue_codes = dict(Queue.objects.filter(pk__in=queue_ids).values_list("pk", "code"))
    usernames = dict(User.objects.filter(pk__in=agent_ids).values_list("pk", "username"))

    def row_dict(row: figures.Figures) -> dict:
        data = row.as_dict()
        data["queue"] = queue_codes.get(row.queue_id)
        data["agent"] = usernames.get(row.agent_id)
        return data

    return {"start": result.start, "end": result.end, "group_by": list(result.group_by),
            "interval_minutes": result.interval_minutes, "target_seconds": result.target_seconds,
            "short_abandon_seconds": result.short_abandon_seconds, "rows": [row_dict(r) for r in result.rows],
            "total": row_dict(result.total)}


class FiguresApi(APIView):
    """R3.6, R10.2: offered, answered, abandoned, answer rate, service level, ASA, average talk and handle time
    per queue / interval / agent (kefu.contacts.figures)."""

    permission = "contacts.figures:view"

    @extend_schema(parameters=[FiguresQuery], responses=FiguresOutput)
    def get(self, request):
        query = FiguresQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        start, end = figures_period(date=params.get("date"), start=params.get("start"), end=params.get("end"))
        group_by = [g.strip() for g in (params.get("group_by") or "").split(",") if g.strip()]
        for name in group_by:
            if name not in figures.GROUPS:
                raise FieldError(_("Unknown grouping “%(value)s”."), field="group_by", code="invalid_choice",
                                 value=name)
        queue_ids = None
        if params.get("queue"):
            queue_ids = list(Queue.objects.filter(code=params["queue"]).values_list("pk", flat=True))
        result = figures.call_figures(start=start, end=end, group_by=group_by, interval_minutes=params.get("interval"),
                                      queue_ids=queue_ids, target_seconds=params.get("target_seconds"),
                                      short_abandon_seconds=params.get("short_abandon_seconds"))
        return Response(FiguresOutput(figures_payload(result)).data)


class StandardPhraseListCreateApi(ListAPIView):
    """R3.3: the standard phrases of each step; supervisors add and change them."""

    permission = "contacts.phrase:view"
    write_permission = "contacts.phrase:edit"
    serializer_class = StandardPhraseSerializer
    pagination_class = None

    def get_queryset(self):
        active = self.request.query_params.get("active")
        return selectors.standard_phrases(active_only=active not in ("0", "false", "all"))

    @extend_schema(request=StandardPhraseSerializer, responses={201: StandardPhraseSerializer})
    def post(self, request):
        serializer = StandardPhraseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        phrase = services.standard_phrase_save(actor=request.user, data=dict(serializer.validated_data))
        return Response(StandardPhraseSerializer(phrase).data, status=status.HTTP_201_CREATED)


class StandardPhraseDetailApi(APIView):
    permission = "contacts.phrase:view"
    write_permission = "contacts.phrase:edit"

    def _get(self, pk: int) -> StandardPhrase:
        phrase = StandardPhrase.objects.filter(pk=pk).first()
        if phrase is None:
            raise Http404
        return phrase

    @extend_schema(responses=StandardPhraseSerializer)
    def get(self, request, pk: int):
        return Response(StandardPhraseSerializer(self._get(pk)).data)

    @extend_schema(request=StandardPhraseSerializer, responses=StandardPhraseSerializer)
    def patch(self, request, pk: int):
        phrase = self._get(pk)
        serializer = StandardPhraseSerializer(phrase, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        phrase = services.standard_phrase_save(actor=request.user, phrase=phrase, data=dict(serializer.validated_data))
        return Response(StandardPhraseSerializer(phrase).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.phrase_delete(actor=request.user, phrase=self._get(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ForbiddenPhraseListCreateApi(ListAPIView):
    """R3.3, R8.2: the forbidden phrases the quality checks look for; supervisors keep the list."""

    permission = "contacts.phrase:view"
    write_permission = "contacts.phrase:edit"
    serializer_class = ForbiddenPhraseSerializer
    pagination_class = None

    def get_queryset(self):
        active = self.request.query_params.get("active")
        return selectors.forbidden_phrases(active_only=active not in ("0", "false", "all"))

    @extend_schema(request=ForbiddenPhraseSerializer, responses={201: ForbiddenPhraseSerializer})
    def post(self, request):
        serializer = ForbiddenPhraseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        phrase = services.forbidden_phrase_save(actor=request.user, data=dict(serializer.validated_data))
        return Response(ForbiddenPhraseSerializer(phrase).data, status=status.HTTP_201_CREATED)


class ForbiddenPhraseDetailApi(APIView):
    permission = "contacts.phrase:view"
    write_permission = "contacts.phrase:edit"

    def _get(self, pk: int) -> ForbiddenPhrase:
        phrase = ForbiddenPhrase.objects.filter(pk=pk).first()
        if phrase is None:
            raise Http404
        return phrase

    @extend_schema(responses=ForbiddenPhraseSerializer)
    def get(self, request, pk: int):
        return Response(ForbiddenPhraseSerializer(self._get(pk)).data)

    @extend_schema(request=ForbiddenPhraseSerializer, responses=ForbiddenPhraseSerializer)
    def patch(self, request, pk: int):
        phrase = self._get(pk)
        serializer = ForbiddenPhraseSerializer(phrase, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        phrase = services.forbidden_phrase_save(actor=request.user, phrase=phrase,
                                                data=dict(serializer.validated_data))
        return Response(ForbiddenPhraseSerializer(phrase).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.phrase_delete(actor=request.user, phrase=self._get(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyAgentStateApi(APIView):
    """The signed-in agent's own state; POST changes it (logged in, ready, on a call, after-call work, break,
    logged out)."""

    permission = "contacts.agent_state:change"
    write_permission = "contacts.agent_state:change"

    @extend_schema(responses=AgentStatusOutput)
    def get(self, request):
        return Response(AgentStatusOutput(services.agent_status_of(request.user)).data)

    @extend_schema(request=AgentStateInput, responses=AgentStatusOutput)
    def post(self, request):
        serializer = AgentStateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        agent_status = services.agent_state_set(actor=request.user, state=serializer.validated_data["state"],
                                                reason=serializer.validated_data.get("reason", ""))
        return Response(AgentStatusOutput(agent_status).data)


class AgentStateListApi(ListAPIView):
    """Every agent's state (R10.1 wallboard: agents on shift)."""

    permission = "contacts.agent_state:view"
    serializer_class = AgentStatusOutput
    pagination_class = None

    def get_queryset(self):
        return selectors.agent_status_list()


class CdrImportListCreateApi(ListAPIView):
    """R3.6: import call detail records (asterisk-csv or generic-csv); every row is checked, then all calls
    are written or none. The answer is the import with its row report."""

    permission = "contacts.cdr:import"
    write_permission = "contacts.cdr:import"
    serializer_class = CdrImportOutput
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.cdr_import_list_for(self.request.user)

    @extend_schema(request=CdrImportInput, responses={201: CdrImportOutput, 400: CdrImportOutput})
    def post(self, request):
        serializer = CdrImportInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload = data["file"]
        if upload.size > cdr_max_bytes():
            raise FieldError(_("The file is larger than %(max)s MB."), field="file", code="too_large",
                             max=cdr_max_bytes() // (1024 * 1024))
        report, log = cdr.cdr_import(actor=request.user, filename=upload.name, content=upload.read(),
                                     fmt=data["format"], dry_run=data["dry_run"], tz_name=data.get("timezone") or None)
        return Response(CdrImportOutput(log).data, status=status.HTTP_201_CREATED if report.ok else 400)


def cdr_max_bytes() -> int:
    return tunables.get("contacts.cdr_import_max_bytes")
