"""/api/v1/ callbacks and satisfaction surveys (R7.1–R7.5): one view per operation, each calling one service."""

from dataclasses import asdict

from django.http import HttpResponse
from django.utils.dateparse import parse_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from kefu.core import clock

from . import selectors, services
from .models import CallbackForm, CallbackRule
from .serializers import (
    AssignInput,
    CallbackCreateInput,
    CallbackDetailOutput,
    CallbackFiguresOutput,
    CallbackFormOutput,
    CallbackListOutput,
    CallbackRuleOutput,
    CancelInput,
    PlanDayInput,
    PlanDayOutput,
    RecordCallInput,
    ResolveInput,
    SatisfactionFiguresOutput,
    SmsOutput,
    SurveyOutput,
    SurveySendInput,
    SurveySentOutput,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERIOD = [OpenApiParameter("start", OpenApiTypes.DATE, required=False),
          OpenApiParameter("end", OpenApiTypes.DATE, required=False)]


def _date(value: str | None):
    return parse_date(value) if value else None


def _period(request) -> dict:
    return {"start": _date(request.query_params.get("start")), "end": _date(request.query_params.get("end"))}


def _detail(request, pk: int, status_code: int = 200) -> Response:
    callback = selectors.callback_get_for(request.user, pk)
    phone = services.callback_phone_for(actor=request.user, callback=callback,
                                        ip_address=request.META.get("REMOTE_ADDR"))
    return Response(CallbackDetailOutput(callback, context={"request": request, "phone": phone}).data,
                    status=status_code)


class CallbackListCreateApi(ListAPIView):
    """R7.1: callbacks the user may see (an agent: his own list and those he called; `mine=1`: only his list of
    today); a callback planned by hand (business management)."""

    permission = "callbacks.callback:view"
    write_permission = "callbacks.callback:plan"
    serializer_class = CallbackListOutput

    def get_queryset(self):
        params = self.request.query_params
        if params.get("mine"):
            return selectors.my_list(self.request.user, day=_date(params.get("day")) or clock.today())
        filters = {key: params.get(key, "") for key in selectors.FILTERS}
        return selectors.callback_list_for(self.request.user, filters)

    @extend_schema(parameters=[OpenApiParameter("mine", bool, required=False),
                               OpenApiParameter("status", str, required=False),
                               OpenApiParameter("agent", str, required=False),
                               OpenApiParameter("day", OpenApiTypes.DATE, required=False),
                               OpenApiParameter("date_from", OpenApiTypes.DATE, required=False),
                               OpenApiParameter("date_to", OpenApiTypes.DATE, required=False),
                               OpenApiParameter("overdue", bool, required=False),
                               OpenApiParameter("open", bool, required=False),
                               OpenApiParameter("q", str, required=False)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=CallbackCreateInput, responses={201: CallbackDetailOutput})
    def post(self, request):
        serializer = CallbackCreateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        callback = services.callback_create(actor=request.user, **serializer.validated_data)
        return _detail(request, callback.pk, status.HTTP_201_CREATED)


class CallbackDetailApi(APIView):
    """R7.2: a callback with the customer's recent service history, the script and the answers."""

    permission = "callbacks.callback:view"

    @extend_schema(responses=CallbackDetailOutput)
    def get(self, request, pk: int):
        return _detail(request, pk)


class _ActionApi(APIView):
    permission = "callbacks.callback:view"
    input_class: type

    def run(self, request, callback, data) -> None:
        raise NotImplementedError

    def post(self, request, pk: int):
        callback = selectors.callback_get_for(request.user, pk)
        serializer = self.input_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.run(request, callback, dict(serializer.validated_data))
        return _detail(request, pk)


class CallbackRecordCallApi(_ActionApi):
    """R7.2–R7.4: the agent records one call of a callback on his list — not reached, not convenient, or
    reached with the answers, whether the solution was accepted, an open issue (pending, 2 days) and a new need
    (a follow-up case)."""

    write_permission = "callbacks.callback:perform"
    input_class = RecordCallInput

    def run(self, request, callback, data):
        answers = {item["question"]: item["value"] for item in data.pop("answers")}
        services.callback_record_call(actor=request.user, callback=callback, answers=answers, **data)

    @extend_schema(request=RecordCallInput, responses=CallbackDetailOutput)
    def post(self, request, pk: int):
        return super().post(request, pk)


class CallbackResolveApi(_ActionApi):
    """R7.4 [000]: a pending callback solved and answered (within 2 days)."""

    write_permission = "callbacks.callback:perform"
    input_class = ResolveInput

    def run(self, request, callback, data):
        services.callback_resolve_pending(actor=request.user, callback=callback, **data)

    @extend_schema(request=ResolveInput, responses=CallbackDetailOutput)
    def post(self, request, pk: int):
        return super().post(request, pk)


class CallbackAssignApi(_ActionApi):
    """R7.1, R7.4: put on (or move to) an agent's list; never the agent who already called a customer who
    rejected the solution."""

    write_permission = "callbacks.callback:plan"
    input_class = AssignInput

    def run(self, request, callback, data):
        services.callback_assign(actor=request.user, callback=callback, **data)

    @extend_schema(request=AssignInput, responses=CallbackDetailOutput)
    def post(self, request, pk: int):
        return super().post(request, pk)


class CallbackCancelApi(_ActionApi):
    write_permission = "callbacks.callback:plan"
    input_class = CancelInput

    def run(self, request, callback, data):
        services.callback_cancel(actor=request.user, callback=callback, **data)

    @extend_schema(request=CancelInput, responses=CallbackDetailOutput)
    def post(self, request, pk: int):
        return super().post(request, pk)


class CallbackPlanDayApi(APIView):
    """R7.1 [000]: plan a day — run the callback rules and spread the callbacks over the agents' lists."""

    permission = "callbacks.callback:plan"
    write_permission = "callbacks.callback:plan"

    @extend_schema(request=PlanDayInput, responses=PlanDayOutput)
    def post(self, request):
        serializer = PlanDayInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        day = data["day"] or clock.today()
        result: dict = {"generated": None, "spread": None}
        if data["run_rules"]:
            result["generated"] = services.callbacks_generate(day=day, actor=request.user).as_dict()
        if data["spread"]:
            result["spread"] = services.callbacks_distribute(actor=request.user, day=day,
                                                             teams=data["teams"]).as_dict()
        return Response(PlanDayOutput(result).data)


class CallbackFiguresApi(APIView):
    permission = "callbacks.any_callback:view"

    @extend_schema(parameters=PERIOD, responses=CallbackFiguresOutput)
    def get(self, request):
        return Response(CallbackFiguresOutput(asdict(selectors.callback_figures(**_period(request)))).data)


class CallbackExportApi(APIView):
    """The callback results of a period as an Excel workbook (callbacks, answers, figures)."""

    permission = "callbacks.any_callback:view"

    @extend_schema(parameters=PERIOD, responses={(200, XLSX): OpenApiTypes.BINARY})
    def get(self, request):
        response = HttpResponse(selectors.results_xlsx(request.user, **_period(request)), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="callback-results.xlsx"'
        return response


class CallbackFormListApi(ListAPIView):
    permission = "callbacks.callback:view"
    serializer_class = CallbackFormOutput
    queryset = CallbackForm.objects.filter(is_active=True).order_by("code")
    pagination_class = None


class CallbackRuleListApi(ListAPIView):
    permission = "callbacks.callback:plan"
    serializer_class = CallbackRuleOutput
    queryset = CallbackRule.objects.select_related("ticket_kind", "form").order_by("code")
    pagination_class = None


class SurveyListCreateApi(ListAPIView):
    """R7.5: satisfaction surveys (by phone, SMS, web) with their answers; sending a link by SMS or web."""

    permission = "callbacks.survey:view"
    write_permission = "callbacks.survey:send"
    serializer_class = SurveyOutput

    def get_queryset(self):
        params = self.request.query_params
        return selectors.survey_list_for(self.request.user, channel=params.get("channel", ""),
                                         status=params.get("status", "")).prefetch_related("answers__question")

    @extend_schema(parameters=[OpenApiParameter("channel", str, enum=["phone", "sms", "web"], required=False),
                               OpenApiParameter("status", str, enum=["sent", "answered", "cancelled"],
                                                required=False)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=SurveySendInput, responses={201: SurveySentOutput})
    def post(self, request):
        serializer = SurveySendInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        survey, link = services.survey_send(actor=request.user, base_url=request.build_absolute_uri("/"),
                                            **serializer.validated_data)
        return Response({"survey": SurveyOutput(survey, context={"request": request}).data, "link": link},
                        status=status.HTTP_201_CREATED)


class SurveyDetailApi(APIView):
    permission = "callbacks.survey:view"

    @extend_schema(responses=SurveyOutput)
    def get(self, request, pk: int):
        return Response(SurveyOutput(selectors.survey_get_for(request.user, pk), context={"request": request}).data)


class SatisfactionFiguresApi(APIView):
    """R7.5, R10.2: satisfaction by channel — sent, answered, response rate, average score, share satisfied."""

    permission = "callbacks.survey:view"

    @extend_schema(parameters=PERIOD, responses=SatisfactionFiguresOutput)
    def get(self, request):
        figures = selectors.satisfaction_figures(**_period(request))
        data = {"start": figures["start"], "end": figures["end"],
                "channels": [asdict(c) for c in figures["channels"]], "total": asdict(figures["total"])}
        return Response(SatisfactionFiguresOutput(data).data)


class SmsOutboxApi(ListAPIView):
    """The SMS outbox: what was handed to the SMS gateway and whether it went out."""

    permission = "callbacks.survey:view"
    serializer_class = SmsOutput

    def get_queryset(self):
        return selectors.sms_outbox_for(self.request.user)
