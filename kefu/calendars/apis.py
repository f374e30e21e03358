"""/api/v1/ calendars (R11.1): compute a deadline, calendars, the official schedule and its import."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from kefu.core import clock
from kefu.core.errors import FieldError, KefuError

from . import selectors, services
from .models import Calendar, OfficialDay, OfficialYear
from .serializers import (
    CalendarOutput,
    CalendarPatchInput,
    DeadlineInput,
    DeadlineOutput,
    OfficialDayPatchInput,
    OfficialDaySerializer,
    OfficialYearSerializer,
    ScheduleImportInput,
    ScheduleImportOutput,
    interval_pairs,
)

VIEW = "calendars.calendar:view"
EDIT = "calendars.calendar:edit"


def _parse_start(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise FieldError(_("The start must be a date and time."), code="start_invalid", field="start") from None


class DeadlineApi(APIView):
    """The deadline for a start and a duration (issue 5; the same parameters as `kefu deadline`).

    GET with query parameters or POST with a JSON body: `start` (ISO 8601 with offset) and exactly one of
    minutes, hours, days, months (elapsed, 7×24) or working_minutes, working_hours, working_days (working time on
    `calendar`, default "default"). Bad input answers 400 with the error code (start_naive,
    duration_not_positive, schedule_missing, calendar_unknown, …).
    """

    permission = VIEW
    write_permission = VIEW
    read_only_action = True  # POST computes; it changes nothing

    def _compute(self, data) -> Response:
        serializer = DeadlineInput(data=data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = selectors.deadline_compute(start=_parse_start(data["start"]), amount=data["amount"],
                                            unit=data["unit"], calendar_name=data.get("calendar"))
        return Response(DeadlineOutput(result.as_dict()).data)

    @extend_schema(parameters=[DeadlineInput], responses=DeadlineOutput)
    def get(self, request):
        return self._compute(request.query_params)

    @extend_schema(request=DeadlineInput, responses=DeadlineOutput)
    def post(self, request):
        return self._compute(request.data)


class CalendarListApi(ListAPIView):
    permission = VIEW
    serializer_class = CalendarOutput
    pagination_class = None

    def get_queryset(self):
        return selectors.calendar_list()


class CalendarDetailApi(APIView):
    """A calendar; administrators change it (intervals replace the calendar's working intervals)."""

    permission = VIEW
    write_permission = EDIT

    def _get(self, pk: int) -> Calendar:
        return get_object_or_404(selectors.calendar_list(), pk=pk)

    @extend_schema(responses=CalendarOutput)
    def get(self, request, pk: int):
        return Response(CalendarOutput(self._get(pk)).data)

    @extend_schema(request=CalendarPatchInput, responses=CalendarOutput)
    def patch(self, request, pk: int):
        calendar = self._get(pk)
        serializer = CalendarPatchInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        intervals = data.pop("intervals", None)
        services.calendar_update(actor=request.user, calendar=calendar, data=data,
                                 intervals=interval_pairs(intervals) if intervals is not None else None)
        return Response(CalendarOutput(self._get(pk)).data)


class OfficialDayListApi(ListAPIView):
    """China's official schedule: holidays and adjusted working days (调休); POST sets one day (administrators)."""

    permission = VIEW
    write_permission = EDIT
    serializer_class = OfficialDaySerializer
    pagination_class = None

    @extend_schema(parameters=[OpenApiParameter("year", int, description="default: this year")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        raw = self.request.query_params.get("year")
        try:
            year = int(raw) if raw else None
        except ValueError:
            raise FieldError(_("The year must be a number."), code="invalid", field="year") from None
        return selectors.official_days(year or clock.today().year)

    @extend_schema(request=OfficialDaySerializer, responses={201: OfficialDaySerializer})
    def post(self, request):
        serializer = OfficialDaySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        day = services.official_day_set(actor=request.user, day=data["date"], is_working_day=data["is_working_day"],
                                        name=data.get("name", ""))
        return Response(OfficialDaySerializer(day).data, status=status.HTTP_201_CREATED)


class OfficialDayDetailApi(APIView):
    permission = VIEW
    write_permission = EDIT

    @extend_schema(responses=OfficialDaySerializer)
    def get(self, request, pk: int):
        return Response(OfficialDaySerializer(get_object_or_404(OfficialDay, pk=pk)).data)

    @extend_schema(request=OfficialDayPatchInput, responses=OfficialDaySerializer)
    def patch(self, request, pk: int):
        day = get_object_or_404(OfficialDay, pk=pk)
        serializer = OfficialDayPatchInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        day = services.official_day_set(actor=request.user, day=day.date,
                                        is_working_day=data.get("is_working_day", day.is_working_day),
                                        name=data.get("name", day.name))
        return Response(OfficialDaySerializer(day).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.official_day_delete(actor=request.user, day=get_object_or_404(OfficialDay, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class OfficialYearListApi(ListAPIView):
    """The years whose official schedule is loaded; deadlines never reach another year."""

    permission = VIEW
    serializer_class = OfficialYearSerializer
    pagination_class = None

    def get_queryset(self):
        return OfficialYear.objects.order_by("year")


class ScheduleImportApi(APIView):
    """Import a year's official schedule (CSV or JSON, see `kefu calendar import --help`); all or nothing."""

    permission = EDIT
    write_permission = EDIT
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request=ScheduleImportInput, responses={201: ScheduleImportOutput, 200: ScheduleImportOutput})
    def post(self, request):
        serializer = ScheduleImportInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        dry_run = serializer.validated_data["dry_run"]
        if upload.size > services.MAX_SCHEDULE_FILE_BYTES:
            raise FieldError(_("The file is too large for an official schedule."), code="file_too_large",
                             field="file")
        try:
            report = services.schedule_import(actor=request.user, filename=upload.name, content=upload.read(),
                                              dry_run=dry_run)
        except KefuError as error:
            body = {"error": error.as_dict()}
            if getattr(error, "report", None) is not None:
                body["error"]["rows"] = error.report.errors
            return Response(body, status=error.status)
        return Response(ScheduleImportOutput(report.as_dict()).data,
                        status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED)
