"""/api/v1/ complaints (R5.1–R5.4): one view per operation, each calling one service."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from kefu.sla.serializers import ExtensionOutput

from . import selectors, services
from .serializers import (
    ComplaintCloseInput,
    ComplaintConcludeInput,
    ComplaintCreateInput,
    ComplaintDetailOutput,
    ComplaintExtendInput,
    ComplaintInformInput,
    ComplaintListOutput,
    ComplaintRecordInput,
    DeductionOutput,
    FollowUpOutput,
    TransferPhraseOutput,
)


def _detail(request, pk: int, status_code: int = 200) -> Response:
    complaint = selectors.complaint_get_for(request.user, pk)
    context = {"show_investigation": selectors.investigation_visible(request.user)}
    return Response(ComplaintDetailOutput(complaint, context=context).data, status=status_code)


class ComplaintListCreateApi(ListAPIView):
    permission = "complaints.complaint:view"
    write_permission = "complaints.complaint:create"
    serializer_class = ComplaintListOutput

    def get_queryset(self):
        params = self.request.query_params
        return selectors.complaint_list_for(self.request.user, state=params.get("state", ""), q=params.get("q", ""))

    @extend_schema(parameters=[OpenApiParameter("state", str, enum=["open", "closed"], required=False),
                               OpenApiParameter("q", str, required=False)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ComplaintCreateInput, responses={201: ComplaintDetailOutput})
    def post(self, request):
        serializer = ComplaintCreateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        complaint = services.complaint_create(actor=request.user, **serializer.validated_data)
        return _detail(request, complaint.pk, status.HTTP_201_CREATED)


class ComplaintDetailApi(APIView):
    permission = "complaints.complaint:view"

    @extend_schema(responses=ComplaintDetailOutput)
    def get(self, request, pk: int):
        return _detail(request, pk)


class _ComplaintActionApi(APIView):
    permission = "complaints.complaint:handle"
    write_permission = "complaints.complaint:handle"
    input_class: type = ComplaintCloseInput

    def run(self, request, complaint, data):
        raise NotImplementedError

    def post(self, request, pk: int):
        complaint = selectors.complaint_get_for(request.user, pk)
        serializer = self.input_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = self.run(request, complaint, serializer.validated_data)
        return result if isinstance(result, Response) else _detail(request, pk)


class ComplaintRecordApi(_ComplaintActionApi):
    input_class = ComplaintRecordInput

    @extend_schema(request=ComplaintRecordInput, responses=ComplaintDetailOutput)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def run(self, request, complaint, data):
        services.complaint_record(actor=request.user, complaint=complaint, **data)


class ComplaintExtendApi(_ComplaintActionApi):
    input_class = ComplaintExtendInput

    @extend_schema(request=ComplaintExtendInput, responses={201: ExtensionOutput})
    def post(self, request, pk: int):
        return super().post(request, pk)

    def run(self, request, complaint, data):
        extension = services.complaint_extend(actor=request.user, complaint=complaint, **data)
        return Response(ExtensionOutput(extension).data, status=status.HTTP_201_CREATED)


class ComplaintConcludeApi(_ComplaintActionApi):
    input_class = ComplaintConcludeInput

    @extend_schema(request=ComplaintConcludeInput, responses=ComplaintDetailOutput)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def run(self, request, complaint, data):
        services.investigation_conclude(actor=request.user, complaint=complaint, **data)


class ComplaintInformApi(_ComplaintActionApi):
    input_class = ComplaintInformInput

    @extend_schema(request=ComplaintInformInput, responses=ComplaintDetailOutput)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def run(self, request, complaint, data):
        services.complaint_inform(actor=request.user, complaint=complaint, **data)


class ComplaintCloseApi(_ComplaintActionApi):
    input_class = ComplaintCloseInput

    @extend_schema(request=ComplaintCloseInput, responses=ComplaintDetailOutput)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def run(self, request, complaint, data):
        services.complaint_close(actor=request.user, complaint=complaint, **data)


class TransferPhraseApi(APIView):
    """R5.1 [003]: the sentence an agent says when transferring a complaint (standard phrase data)."""

    permission = "complaints.complaint:create"

    @extend_schema(responses=TransferPhraseOutput)
    def get(self, request):
        return Response({"phrase": services.complaint_transfer_phrase(request.user)})


class DeductionListApi(ListAPIView):
    permission = "complaints.deduction:view"
    serializer_class = DeductionOutput

    def get_queryset(self):
        return selectors.deduction_list_for(self.request.user)


class FollowUpListApi(ListAPIView):
    permission = "complaints.complaint:view"
    serializer_class = FollowUpOutput

    def get_queryset(self):
        return selectors.follow_up_list_for(self.request.user)
