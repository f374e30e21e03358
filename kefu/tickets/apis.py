"""/api/v1/ tickets: list, create, detail, change, transition, dispatch, notes and replies, status (SPEC §4)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from kefu.core import clock

from . import selectors, services
from .models import Notification, Priority, ServiceCategory, TicketKind
from .serializers import (
    DispatchInput,
    DispatchOutput,
    EntryInput,
    NotificationOutput,
    PrioritySerializer,
    ServiceCategorySerializer,
    StatusOutput,
    TicketCreatedOutput,
    TicketCreateInput,
    TicketDetailOutput,
    TicketEntryOutput,
    TicketEventOutput,
    TicketKindSerializer,
    TicketListOutput,
    TicketUpdateInput,
    TransitionInput,
)

FILTER_PARAMETERS = [OpenApiParameter(name, str, required=False) for name in selectors.FILTERS]


def _detail(request, pk: int) -> Response:
    return Response(TicketDetailOutput(selectors.ticket_detail_for(request.user, pk)).data)


class TicketCursorPagination(CursorPagination):
    """No COUNT over a million tickets: the list pages by cursor, newest first."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class TicketListCreateApi(ListAPIView):
    permission = "tickets.ticket:view"
    write_permission = "tickets.ticket:create"
    serializer_class = TicketListOutput
    pagination_class = TicketCursorPagination

    def get_queryset(self):
        params = {name: self.request.query_params.get(name) for name in selectors.FILTERS}
        return selectors.ticket_list_for(self.request.user, params)

    @extend_schema(parameters=FILTER_PARAMETERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=TicketCreateInput, responses={201: TicketCreatedOutput})
    def post(self, request):
        """Create a ticket. The answer is short (number, version, state, deadlines); GET its `url` for the rest."""
        serializer = TicketCreateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = services.ticket_create(actor=request.user, **serializer.validated_data)
        data = TicketCreatedOutput(ticket).data
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": data["url"]})


class TicketDetailApi(APIView):
    permission = "tickets.ticket:view"
    write_permission = "tickets.ticket:change"

    @extend_schema(responses=TicketDetailOutput)
    def get(self, request, pk: int):
        return _detail(request, pk)

    @extend_schema(request=TicketUpdateInput, responses=TicketDetailOutput)
    def patch(self, request, pk: int):
        ticket = selectors.ticket_get_for(request.user, pk)
        serializer = TicketUpdateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version, reason = data.pop("version"), data.pop("reason", "")
        services.ticket_update(actor=request.user, ticket=ticket, version=version, changes=data, reason=reason)
        return _detail(request, pk)


class TicketTransitionApi(APIView):
    permission = "tickets.ticket:transition"
    write_permission = "tickets.ticket:transition"

    @extend_schema(request=TransitionInput, responses=TicketDetailOutput)
    def post(self, request, pk: int):
        ticket = selectors.ticket_get_for(request.user, pk)
        serializer = TransitionInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.ticket_transition(actor=request.user, ticket=ticket, **serializer.validated_data)
        return _detail(request, pk)


class TicketDispatchApi(APIView):
    permission = "tickets.ticket:dispatch"
    write_permission = "tickets.ticket:dispatch"

    @extend_schema(request=DispatchInput, responses={201: DispatchOutput})
    def post(self, request, pk: int):
        ticket = selectors.ticket_get_for(request.user, pk)
        serializer = DispatchInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        dispatch = services.ticket_dispatch(actor=request.user, ticket=ticket, **serializer.validated_data)
        return Response(DispatchOutput(dispatch).data, status=status.HTTP_201_CREATED)


class TicketEntriesApi(APIView):
    permission = "tickets.ticket:view"
    write_permission = "tickets.ticket:change"

    @extend_schema(parameters=[OpenApiParameter("kind", str, required=False)], responses=TicketEntryOutput(many=True))
    def get(self, request, pk: int):
        ticket = selectors.ticket_get_for(request.user, pk)
        entries = ticket.entries.select_related("author")
        if request.query_params.get("kind"):
            entries = entries.filter(kind=request.query_params["kind"])
        return Response(TicketEntryOutput(entries, many=True).data)

    @extend_schema(request=EntryInput, responses={201: TicketEntryOutput})
    def post(self, request, pk: int):
        ticket = selectors.ticket_get_for(request.user, pk)
        serializer = EntryInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.ticket_add_entry(actor=request.user, ticket=ticket, **serializer.validated_data)
        return Response(TicketEntryOutput(entry).data, status=status.HTTP_201_CREATED)


class TicketEventsApi(APIView):
    permission = "tickets.ticket:view"

    @extend_schema(responses=TicketEventOutput(many=True))
    def get(self, request, pk: int):
        ticket = selectors.ticket_get_for(request.user, pk)
        return Response(TicketEventOutput(ticket.events.select_related("actor"), many=True).data)


class TicketStatusApi(APIView):
    """R3.4: the standard sentence for a status inquiry by ticket number."""

    permission = "tickets.ticket:view"

    @extend_schema(parameters=[OpenApiParameter("number", str, required=True)], responses=StatusOutput)
    def get(self, request):
        ticket = selectors.ticket_by_number_for(request.user, request.query_params.get("number", ""))
        return Response({"number": ticket.number, "state": ticket.state.code, "solved": ticket.state.is_resolved,
                         "sentence": services.ticket_status_sentence(ticket)})


class TicketKindListApi(ListAPIView):
    permission = "tickets.ticket:view"
    serializer_class = TicketKindSerializer
    queryset = TicketKind.objects.select_related("workflow")
    pagination_class = None


class PriorityListApi(ListAPIView):
    permission = "tickets.ticket:view"
    serializer_class = PrioritySerializer
    queryset = Priority.objects.all()
    pagination_class = None


class ServiceCategoryListApi(ListAPIView):
    permission = "tickets.ticket:view"
    serializer_class = ServiceCategorySerializer
    queryset = ServiceCategory.objects.select_related("team")
    pagination_class = None


class NotificationListApi(ListAPIView):
    """One's own notifications."""

    permission = "core.home:view"
    serializer_class = NotificationOutput

    def get_queryset(self):
        return Notification.objects.filter(user=self.request.user).select_related("ticket")


class NotificationReadApi(APIView):
    permission = "core.home:view"
    write_permission = "core.home:view"
    read_only_action = True  # marks one's own notice read; changes no business record

    @extend_schema(request=None, responses=NotificationOutput)
    def post(self, request, pk: int):
        notification = get_object_or_404(Notification, pk=pk, user=request.user)
        if notification.read_at is None:
            notification.read_at = clock.now()
            notification.save(update_fields=["read_at"])
        return Response(NotificationOutput(notification).data)
