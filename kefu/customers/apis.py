"""/api/v1/ customers: look-up, list, detail, create, change, reveal, history, import (SPEC §2)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .models import CustomerKind
from .serializers import (
    CustomerDetailOutput,
    CustomerInput,
    CustomerKindSerializer,
    CustomerListOutput,
    CustomerPatchInput,
    HistoryOutput,
    ImportJobInput,
    ImportJobOutput,
    LookupOutput,
    RevealInput,
    RevealLogOutput,
    RevealOutput,
)


def _nested(data: dict) -> dict:
    return {key: data.pop(key) for key in list(data) if key in services.NESTED}


class CustomerLookupApi(APIView):
    """R2.2: one call for phone number, customer number, merchant number, ticket number or name fragment."""

    permission = "customers.customer:view"

    @extend_schema(parameters=[OpenApiParameter("q", str, required=True)], responses=LookupOutput)
    def get(self, request):
        result = selectors.customer_lookup(request.user, request.query_params.get("q", ""))
        context = {"show_pii": selectors.can_see_pii(request.user)}
        return Response(LookupOutput(result, context=context).data)


class CustomerListCreateApi(ListAPIView):
    permission = "customers.customer:view"
    write_permission = "customers.customer:edit"
    serializer_class = CustomerListOutput

    def get_queryset(self):
        queryset = selectors.customer_queryset_for(self.request.user).select_related("kind", "branch")
        kind = self.request.query_params.get("kind")
        if kind:
            queryset = queryset.filter(kind__code=kind)
        return queryset.prefetch_related("phones").order_by("customer_number")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "show_pii": selectors.can_see_pii(self.request.user)}

    @extend_schema(request=CustomerInput, responses={201: CustomerDetailOutput})
    def post(self, request):
        serializer = CustomerInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        customer = services.customer_save(actor=request.user, data=data, nested=_nested(data))
        customer = selectors.customer_get_for(request.user, customer.pk)
        output = CustomerDetailOutput(customer, context={"show_pii": selectors.can_see_pii(request.user)})
        return Response(output.data, status=status.HTTP_201_CREATED)


class CustomerDetailApi(APIView):
    permission = "customers.customer:view"
    write_permission = "customers.customer:edit"

    @extend_schema(responses=CustomerDetailOutput)
    def get(self, request, pk: int):
        customer = selectors.customer_get_for(request.user, pk)
        return Response(CustomerDetailOutput(customer, context={"show_pii": selectors.can_see_pii(request.user)}).data)

    @extend_schema(request=CustomerPatchInput, responses=CustomerDetailOutput)
    def patch(self, request, pk: int):
        customer = selectors.customer_get_for(request.user, pk)
        serializer = CustomerPatchInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        services.customer_save(actor=request.user, customer=customer, data=data, nested=_nested(data))
        customer = selectors.customer_get_for(request.user, pk)
        return Response(CustomerDetailOutput(customer, context={"show_pii": selectors.can_see_pii(request.user)}).data)


class CustomerRevealApi(APIView):
    """R2.3: reveal one masked value; the reveal is logged with the reason."""

    permission = "customers.pii:reveal"
    write_permission = "customers.pii:reveal"
    read_only_action = True  # logs the reveal but changes no business record

    @extend_schema(request=RevealInput, responses=RevealOutput)
    def post(self, request, pk: int):
        customer = selectors.customer_get_for(request.user, pk)
        serializer = RevealInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        value = services.customer_reveal(actor=request.user, customer=customer, field=data["field"],
                                         object_id=data.get("object_id"), reason=data["reason"],
                                         ip_address=request.META.get("REMOTE_ADDR"))
        return Response({"field": data["field"], "object_id": data.get("object_id"), "value": value})


class CustomerHistoryApi(APIView):
    permission = "customers.customer:history"

    @extend_schema(responses=HistoryOutput(many=True))
    def get(self, request, pk: int):
        customer = selectors.customer_get_for(request.user, pk)
        entries = selectors.customer_history(customer, show_pii=selectors.can_see_pii(request.user))
        return Response(HistoryOutput(entries, many=True).data)


class CustomerKindListApi(ListAPIView):
    permission = "customers.customer:view"
    serializer_class = CustomerKindSerializer
    queryset = CustomerKind.objects.all()
    pagination_class = None


class RevealLogListApi(ListAPIView):
    permission = "customers.reveal_log:view"
    serializer_class = RevealLogOutput

    def get_queryset(self):
        return selectors.reveal_log_list()


class ImportJobListCreateApi(ListAPIView):
    """R2.4: upload a file for a dry run (default) or a real import; poll the job for progress."""

    permission = "customers.customer:import"
    write_permission = "customers.customer:import"
    serializer_class = ImportJobOutput
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.import_job_list_for(self.request.user)

    @extend_schema(request=ImportJobInput, responses={201: ImportJobOutput})
    def post(self, request):
        serializer = ImportJobInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        job = services.import_job_create(actor=request.user, filename=upload.name, content=services.read_upload(upload),
                                         dry_run=serializer.validated_data["dry_run"])
        job.refresh_from_db()
        return Response(ImportJobOutput(job).data, status=status.HTTP_201_CREATED)


class ImportJobDetailApi(APIView):
    permission = "customers.customer:import"

    @extend_schema(responses=ImportJobOutput)
    def get(self, request, pk: int):
        return Response(ImportJobOutput(selectors.import_job_get_for(request.user, pk)).data)


class ImportJobConfirmApi(APIView):
    """Import for real a file whose dry run passed."""

    permission = "customers.customer:import"
    write_permission = "customers.customer:import"

    @extend_schema(request=None, responses={201: ImportJobOutput})
    def post(self, request, pk: int):
        job = get_object_or_404(selectors.import_job_list_for(request.user).defer(None), pk=pk)
        new_job = services.import_job_confirm(actor=request.user, job=job)
        new_job.refresh_from_db()
        return Response(ImportJobOutput(new_job).data, status=status.HTTP_201_CREATED)
