"""/api/v1/ work orders (R4.3), attachments (R4.7), saved views and bulk assignment."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from kefu.core.errors import FieldError

from . import selectors, services, work_orders
from .models import Attachment, SavedView
from .serializers import (
    AssignEngineerInput,
    AttachmentInput,
    AttachmentOutput,
    BulkAssignInput,
    FinishInput,
    SavedViewSerializer,
    WorkOrderCreateInput,
    WorkOrderOutput,
)
from .work_order_views import attachment_response


class TicketWorkOrdersApi(APIView):
    permission = "tickets.ticket:view"
    write_permission = "tickets.work_order:create"

    @extend_schema(responses=WorkOrderOutput(many=True))
    def get(self, request, pk: int):
        ticket = selectors.ticket_get_for(request.user, pk)
        orders = work_orders.work_order_queryset_for(request.user).filter(ticket=ticket)
        return Response(WorkOrderOutput(orders, many=True).data)

    @extend_schema(request=WorkOrderCreateInput, responses={201: WorkOrderOutput})
    def post(self, request, pk: int):
        ticket = selectors.ticket_get_for(request.user, pk)
        serializer = WorkOrderCreateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        work_order = work_orders.work_order_create(actor=request.user, ticket=ticket, **serializer.validated_data)
        return Response(WorkOrderOutput(work_order).data, status=status.HTTP_201_CREATED)


class WorkOrderListApi(ListAPIView):
    """An engineer's own work orders, a dispatcher's team queue, or all of them for the desk."""

    permission = "tickets.ticket:view"
    serializer_class = WorkOrderOutput

    def get_queryset(self):
        queryset = work_orders.work_order_queryset_for(self.request.user)
        state = self.request.query_params.get("state")
        return queryset.filter(state=state) if state else queryset


class WorkOrderDetailApi(APIView):
    permission = "tickets.ticket:view"

    @extend_schema(responses=WorkOrderOutput)
    def get(self, request, pk: int):
        return Response(WorkOrderOutput(work_orders.work_order_get_for(request.user, pk)).data)


class WorkOrderAssignApi(APIView):
    permission = "tickets.work_order:assign"
    write_permission = "tickets.work_order:assign"

    @extend_schema(request=AssignEngineerInput, responses=WorkOrderOutput)
    def post(self, request, pk: int):
        work_order = work_orders.work_order_get_for(request.user, pk)
        serializer = AssignEngineerInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        work_order = work_orders.work_order_assign(actor=request.user, work_order=work_order,
                                                   **serializer.validated_data)
        return Response(WorkOrderOutput(work_order).data)


class WorkOrderArriveApi(APIView):
    permission = "tickets.work_order:report"
    write_permission = "tickets.work_order:report"

    @extend_schema(request=None, responses=WorkOrderOutput)
    def post(self, request, pk: int):
        work_order = work_orders.work_order_get_for(request.user, pk)
        return Response(WorkOrderOutput(work_orders.work_order_arrive(actor=request.user,
                                                                      work_order=work_order)).data)


class WorkOrderFinishApi(APIView):
    permission = "tickets.work_order:report"
    write_permission = "tickets.work_order:report"

    @extend_schema(request=FinishInput, responses=WorkOrderOutput)
    def post(self, request, pk: int):
        work_order = work_orders.work_order_get_for(request.user, pk)
        serializer = FinishInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        work_order = work_orders.work_order_finish(actor=request.user, work_order=work_order,
                                                   **serializer.validated_data)
        return Response(WorkOrderOutput(work_order).data)


class TicketAttachmentsApi(APIView):
    permission = "tickets.ticket:view"
    write_permission = "tickets.ticket:change"
    parser_classes = [MultiPartParser]

    @extend_schema(responses=AttachmentOutput(many=True))
    def get(self, request, pk: int):
        ticket = selectors.ticket_get_for(request.user, pk)
        return Response(AttachmentOutput(ticket.attachments.select_related("uploaded_by"), many=True).data)

    @extend_schema(request=AttachmentInput, responses={201: AttachmentOutput})
    def post(self, request, pk: int):
        ticket = selectors.ticket_get_for(request.user, pk)
        serializer = AttachmentInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        limit = work_orders.tunables.get("tickets.attachment_max_bytes")
        if upload.size > limit:  # refused before it is read into memory
            raise FieldError(_("The file is too large."), field="file", code="too_large")
        attachment = work_orders.attachment_add(actor=request.user, ticket=ticket, filename=upload.name,
                                                content=upload.read())
        return Response(AttachmentOutput(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentDownloadApi(APIView):
    permission = "tickets.ticket:view"

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(description="The file")})
    def get(self, request, pk: int):
        attachment = get_object_or_404(Attachment.objects.select_related("ticket"), pk=pk)
        selectors.ticket_get_for(request.user, attachment.ticket_id)
        return attachment_response(attachment)


class SavedViewListApi(ListAPIView):
    permission = "tickets.ticket:view"
    write_permission = "tickets.ticket:view"
    read_only_action = True
    serializer_class = SavedViewSerializer
    pagination_class = None

    def get_queryset(self):
        return SavedView.objects.filter(user=self.request.user)

    @extend_schema(request=SavedViewSerializer, responses={201: SavedViewSerializer})
    def post(self, request):
        serializer = SavedViewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        view = services.saved_view_save(user=request.user, **serializer.validated_data)
        return Response(SavedViewSerializer(view).data, status=status.HTTP_201_CREATED)


class SavedViewDetailApi(APIView):
    permission = "tickets.ticket:view"
    write_permission = "tickets.ticket:view"
    read_only_action = True

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        get_object_or_404(SavedView, pk=pk, user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class BulkAssignApi(APIView):
    permission = "tickets.ticket:change"
    write_permission = "tickets.ticket:change"

    @extend_schema(request=BulkAssignInput, responses={200: OpenApiResponse(description="{'changed': n}")})
    def post(self, request):
        serializer = BulkAssignInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        tickets = list(selectors.ticket_queryset_for(request.user).filter(pk__in=data["tickets"]))
        if len(tickets) != len(set(data["tickets"])):
            raise FieldError(_("Some tickets do not exist or are not visible to you."), field="tickets")
        changed = services.ticket_bulk_assign(actor=request.user, tickets=tickets, assignee=data["assignee"],
                                              team=data.get("team"), reason=data["reason"])
        return Response({"changed": changed})
