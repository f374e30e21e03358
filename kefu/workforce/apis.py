"""/api/v1/workforce/: the staffing, seat and headcount calculators (R9.2–R9.4), the same as `kefu staffing`,
`kefu seats` and `kefu headcount`. The POSTs compute and store nothing, so a read-only role may use them."""

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors
from .serializers import (
    DefaultOutput,
    HeadcountInput,
    HeadcountOutput,
    SeatsInput,
    SeatsOutput,
    SeatTriggerInput,
    SeatTriggerOutput,
    StaffingInput,
    StaffingOutput,
)

PERMISSION = "workforce.staffing:view"


class _CalculatorApi(APIView):
    permission = PERMISSION
    write_permission = PERMISSION
    read_only_action = True  # a calculation changes nothing

    def _input(self, serializer_class, request) -> dict:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class StaffingApi(_CalculatorApi):
    """R9.2: agents for one interval (Erlang C; Erlang A when `patience_seconds` is given), or the figures of
    `agents`. Give `service_level` and/or `answer_rate`, or `agents`."""

    @extend_schema(request=StaffingInput, responses=StaffingOutput)
    def post(self, request):
        return Response(selectors.staffing_calculate(**self._input(StaffingInput, request)).as_dict())


class SeatsApi(_CalculatorApi):
    """R9.3 [004]: seats = ⌊subscribers / subscribers per seat⌋."""

    @extend_schema(request=SeatsInput, responses=SeatsOutput)
    def post(self, request):
        return Response(selectors.seats_calculate(**self._input(SeatsInput, request)))


class HeadcountApi(_CalculatorApi):
    """R9.4 [004]: people per seat and people, unrounded."""

    @extend_schema(request=HeadcountInput, responses=HeadcountOutput)
    def post(self, request):
        return Response(selectors.headcount_calculate(**self._input(HeadcountInput, request)))


class SeatTriggerApi(_CalculatorApi):
    """R9.3 [004]: answer rate down 5 points three weeks running → propose opening a seat."""

    @extend_schema(request=SeatTriggerInput, responses=SeatTriggerOutput)
    def post(self, request):
        return Response(asdict(selectors.seat_trigger_evaluate(**self._input(SeatTriggerInput, request))))


class DefaultsApi(APIView):
    """The workforce defaults with their current values and sources (changed in the admin under Settings)."""

    permission = PERMISSION

    @extend_schema(responses=DefaultOutput(many=True))
    def get(self, request):
        return Response(DefaultOutput(selectors.workforce_defaults(), many=True).data)
