"""API input and output shapes for calendars, the official schedule and deadlines (R11.1)."""

from datetime import time

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .arithmetic import Unit
from .models import Calendar, OfficialDay, OfficialYear, WorkingInterval

UNIT_FIELDS = [unit.value for unit in Unit]


@extend_schema_field({"type": "string", "pattern": "^(" + "|".join(Calendar.Kind.values) + ")$",
                      "description": "24x7 (always open) or working_hours (working hours on working days)"})
class CalendarKindField(serializers.ChoiceField):
    """Described by a pattern, not an enum: drf-spectacular would name it after the field, colliding with the
    other apps' "kind" enums (a check warning) unless settings.ENUM_NAME_OVERRIDES names it."""

    def __init__(self, **kwargs):
        super().__init__(choices=Calendar.Kind.choices, **kwargs)


class DeadlineInput(serializers.Serializer):
    """The parameters of `kefu deadline`: start, exactly one duration, optionally a calendar."""

    start = serializers.CharField(help_text="ISO 8601 with offset, e.g. 2026-02-13T17:00:00+08:00")
    minutes = serializers.CharField(required=False, help_text="elapsed minutes (7×24)")
    hours = serializers.CharField(required=False, help_text="elapsed hours (7×24)")
    days = serializers.IntegerField(required=False, help_text="elapsed days (7×24, same time of day)")
    months = serializers.IntegerField(required=False, help_text="months (7×24, same time of day)")
    working_minutes = serializers.CharField(required=False, help_text="working minutes on the calendar")
    working_hours = serializers.CharField(required=False, help_text="working hours on the calendar")
    working_days = serializers.IntegerField(required=False, help_text="working days after the day of receipt")
    calendar = serializers.SlugField(required=False, help_text="default: 'default' for working time, '24x7' else")

    def validate(self, data):
        given = [name for name in UNIT_FIELDS if data.get(name) not in (None, "")]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"duration": _("Give exactly one of: %(units)s.") % {"units": ", ".join(UNIT_FIELDS)}},
                code="duration_required")
        data["unit"], data["amount"] = given[0], data[given[0]]
        return data


class DeadlineOutput(serializers.Serializer):
    deadline = serializers.CharField(help_text="ISO 8601 in the calendar's time zone, e.g. 2026-02-14T10:00:00+08:00")
    start = serializers.CharField()
    unit = serializers.ChoiceField(choices=UNIT_FIELDS)
    amount = serializers.CharField()
    calendar = serializers.CharField()


class IntervalSerializer(serializers.Serializer):
    start = serializers.TimeField(format="%H:%M")
    end = serializers.TimeField(format="%H:%M", help_text="00:00 means 24:00")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data["end"] == "00:00":
            data["end"] = "24:00"
        return data

    def to_internal_value(self, data):
        if isinstance(data, dict) and data.get("end") == "24:00":
            data = {**data, "end": "00:00"}
        return super().to_internal_value(data)


class CalendarOutput(serializers.ModelSerializer):
    kind = CalendarKindField(read_only=True)
    intervals = serializers.SerializerMethodField()

    class Meta:
        model = Calendar
        fields = ["id", "name", "description", "kind", "time_zone", "follows_official_schedule", "working_weekdays",
                  "working_days_end", "intervals", "updated_at"]

    def get_intervals(self, obj) -> list[dict[str, str]]:
        items: list[WorkingInterval] = sorted(obj.intervals.all(), key=lambda i: i.start)
        return IntervalSerializer(items, many=True).data


class CalendarPatchInput(serializers.Serializer):
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)
    kind = CalendarKindField(required=False)
    time_zone = serializers.CharField(required=False, max_length=64)
    follows_official_schedule = serializers.BooleanField(required=False)
    working_weekdays = serializers.CharField(required=False, max_length=7)
    working_days_end = serializers.ChoiceField(choices=Calendar.WorkingDaysEnd.choices, required=False)
    intervals = IntervalSerializer(many=True, required=False)


class OfficialDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = OfficialDay
        fields = ["id", "date", "is_working_day", "name", "source", "updated_at"]
        read_only_fields = ["id", "source", "updated_at"]
        extra_kwargs = {"date": {"validators": []}}  # setting a day that exists changes it


class OfficialDayPatchInput(serializers.Serializer):
    is_working_day = serializers.BooleanField(required=False)
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)


class OfficialYearSerializer(serializers.ModelSerializer):
    class Meta:
        model = OfficialYear
        fields = ["year", "source", "loaded_at"]


class ScheduleImportInput(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=False)


class ScheduleImportOutput(serializers.Serializer):
    years = serializers.ListField(child=serializers.IntegerField())
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    deleted = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    errors = serializers.ListField(child=serializers.DictField())


def interval_pairs(items: list[dict]) -> list[tuple[time, time]]:
    return [(item["start"], item["end"]) for item in items]
