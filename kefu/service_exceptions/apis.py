"""/api/v1/ service exceptions (R6.1–R6.5): one view per operation, each calling one service."""

from dataclasses import asdict

from django.http import HttpResponse
from django.utils.dateparse import parse_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .models import ExceptionCategory, ExceptionLevel
from .serializers import (
    AnalysisOutput,
    ArchiveInput,
    AssessInput,
    CategoryOutput,
    CompleteInput,
    DecideInput,
    EventOutput,
    ExceptionDetailOutput,
    ExceptionInformInput,
    ExceptionListOutput,
    ExceptionNoteInput,
    KpiOutput,
    LevelOutput,
    PlanInput,
    RateInput,
    ReportInput,
)

PERIOD = [OpenApiParameter("start", OpenApiTypes.DATE, required=False),
          OpenApiParameter("end", OpenApiTypes.DATE, required=False)]


def _period(request) -> dict:
    return {"start": parse_date(request.query_params.get("start") or "") if request.query_params.get("start")
            else None,
            "end": parse_date(request.query_params.get("end") or "") if request.query_params.get("end") else None}


def _detail(request, pk: int, status_code: int = 200) -> Response:
    return Response(ExceptionDetailOutput(selectors.exception_get_for(request.user, pk)).data, status=status_code)


class ExceptionListCreateApi(ListAPIView):
    permission = "service_exceptions.exception:view"
    write_permission = "service_exceptions.exception:report"
    serializer_class = ExceptionListOutput

    def get_queryset(self):
        params = self.request.query_params
        return selectors.exception_list_for(self.request.user, state=params.get("state", ""),
                                            level=params.get("level", ""), q=params.get("q", ""))

    @extend_schema(parameters=[OpenApiParameter(n, str, required=False) for n in ("state", "level", "q")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ReportInput, responses={201: ExceptionDetailOutput})
    def post(self, request):
        serializer = ReportInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        exc = services.exception_report(actor=request.user, **serializer.validated_data)
        return _detail(request, exc.pk, status.HTTP_201_CREATED)


class ExceptionDetailApi(APIView):
    permission = "service_exceptions.exception:view"

    @extend_schema(responses=ExceptionDetailOutput)
    def get(self, request, pk: int):
        return _detail(request, pk)


class _ActionApi(APIView):
    input_class: type = ExceptionNoteInput

    def run(self, request, exc, data) -> None:
        raise NotImplementedError

    def post(self, request, pk: int):
        exc = selectors.exception_get_for(request.user, pk)
        serializer = self.input_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.run(request, exc, dict(serializer.validated_data))
        return _detail(request, pk)


def _action(name: str, input_class: type, permission: str, service, doc: str) -> type:
    def run(self, request, exc, data):
        service(actor=request.user, exception=exc, **data)

    @extend_schema(request=input_class, responses=ExceptionDetailOutput)
    def post(self, request, pk: int):
        return _ActionApi.post(self, request, pk)

    return type(name, (_ActionApi,), {"__doc__": doc, "permission": "service_exceptions.exception:view",
                                      "write_permission": permission, "input_class": input_class, "run": run,
                                      "post": post, "__module__": __name__})


ExceptionAssessApi = _action("ExceptionAssessApi", AssessInput, "service_exceptions.exception:handle",
                             services.exception_assess, "R6.2: first assessment — category, level, impact.")
ExceptionPlanApi = _action("ExceptionPlanApi", PlanInput, "service_exceptions.exception:plan",
                           services.exception_plan, "R6.3: the plan of the round; who may plan depends on the level.")
ExceptionDecideApi = _action("ExceptionDecideApi", DecideInput, "service_exceptions.plan:approve",
                             services.plan_decide, "R6.3: management approves or refuses a level-1 plan.")
ExceptionFollowUpApi = _action("ExceptionFollowUpApi", ExceptionNoteInput, "service_exceptions.exception:view",
                               services.exception_follow_up,
                               "R6.4: progress of the execution (service desk or the plan's owner).")
ExceptionCompleteApi = _action("ExceptionCompleteApi", CompleteInput, "service_exceptions.exception:view",
                               services.exception_complete, "R6.4: the plan is carried out, with its result.")
ExceptionInformApi = _action("ExceptionInformApi", ExceptionInformInput, "service_exceptions.exception:handle",
                             services.exception_inform, "R6.4: the customer is told the progress or the result.")
ExceptionRateApi = _action("ExceptionRateApi", RateInput, "service_exceptions.exception:handle",
                           services.exception_rate, "R6.4: the customer's rating; not satisfied → a new round.")
ExceptionArchiveApi = _action("ExceptionArchiveApi", ArchiveInput, "service_exceptions.exception:handle",
                              services.exception_archive, "R6.4: archived only after a satisfied rating.")


class ExceptionEventsApi(APIView):
    permission = "service_exceptions.exception:view"

    @extend_schema(responses=EventOutput(many=True))
    def get(self, request, pk: int):
        return Response(EventOutput(selectors.exception_get_for(request.user, pk).events.all(), many=True).data)


class LedgerApi(ListAPIView):
    """R6.5 [001]: the ledger (异常处理跟踪台账) — every exception of the period with its plans and history."""

    permission = "service_exceptions.ledger:view"
    serializer_class = ExceptionDetailOutput

    def get_queryset(self):
        return selectors.ledger_for(self.request.user, **_period(self.request))

    @extend_schema(parameters=PERIOD)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class LedgerExportApi(APIView):
    permission = "service_exceptions.ledger:view"

    @extend_schema(parameters=PERIOD, responses={(200, "application/vnd.openxmlformats-officedocument."
                                                       "spreadsheetml.sheet"): OpenApiTypes.BINARY})
    def get(self, request):
        content = selectors.ledger_xlsx(request.user, **_period(request))
        response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument."
                                                      "spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="service-exception-ledger.xlsx"'
        return response


class KpiApi(APIView):
    permission = "service_exceptions.ledger:view"

    @extend_schema(parameters=PERIOD, responses=KpiOutput)
    def get(self, request):
        return Response(KpiOutput(asdict(selectors.kpis(**_period(request)))).data)


class AnalysisApi(APIView):
    permission = "service_exceptions.ledger:view"

    @extend_schema(parameters=PERIOD, responses=AnalysisOutput)
    def get(self, request):
        data = selectors.analysis(**_period(request))
        return Response({key: [{"name": n, "count": c} for n, c in rows] for key, rows in data.items()})


class CategoryListApi(ListAPIView):
    permission = "service_exceptions.exception:view"
    serializer_class = CategoryOutput
    queryset = ExceptionCategory.objects.all()
    pagination_class = None


class LevelListApi(ListAPIView):
    permission = "service_exceptions.exception:view"
    serializer_class = LevelOutput
    queryset = ExceptionLevel.objects.all()
    pagination_class = None
