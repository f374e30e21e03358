"""/api/v1/ SLA: policies and deadline extensions with the customer's consent (R11.2, R5.2)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from kefu.tickets.selectors import ticket_queryset_for

from . import services
from .models import SlaClock, SlaPolicy
from .serializers import ClockOutput, ExtendInput, ExtensionOutput, PolicyOutput


def clock_get_for(user, pk: int) -> SlaClock:
    sla_clock = (SlaClock.objects.select_related("policy", "ticket")
                 .filter(pk=pk, ticket__in=ticket_queryset_for(user)).first())
    if sla_clock is None:
        raise Http404
    return sla_clock


class PolicyListApi(ListAPIView):
    permission = "tickets.ticket:view"
    serializer_class = PolicyOutput
    queryset = SlaPolicy.objects.prefetch_related("kinds", "rules").select_related("calendar")
    pagination_class = None


class ClockDetailApi(APIView):
    permission = "tickets.ticket:view"

    @extend_schema(responses=ClockOutput)
    def get(self, request, pk: int):
        return Response(ClockOutput(clock_get_for(request.user, pk)).data)


class ClockExtendApi(APIView):
    permission = "tickets.ticket:change"
    write_permission = "tickets.ticket:change"

    @extend_schema(request=ExtendInput, responses={201: ExtensionOutput})
    def post(self, request, pk: int):
        sla_clock = clock_get_for(request.user, pk)
        serializer = ExtendInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        extension = services.clock_extend(actor=request.user, sla_clock=sla_clock, **serializer.validated_data)
        return Response(ExtensionOutput(extension).data, status=201)
