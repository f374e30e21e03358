"""Admin for calendars and China's official schedule (R11.1); edits go through the same checks as the API."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from kefu.core.errors import KefuError

from . import arithmetic, services
from .models import Calendar, OfficialDay, OfficialYear, WorkingInterval


class IntervalFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        pairs = [(form.cleaned_data["start"], form.cleaned_data["end"]) for form in self.forms
                 if form.cleaned_data and not form.cleaned_data.get("DELETE")
                 and form.cleaned_data.get("start") is not None and form.cleaned_data.get("end") is not None]
        try:
            arithmetic.normalize_intervals(services.intervals_as_seconds(pairs))
        except KefuError as error:
            raise ValidationError(error.message_zh) from None
        if self.instance.kind == Calendar.Kind.WORKING_HOURS and not pairs:
            raise ValidationError(services.NO_INTERVALS_MESSAGE)


class WorkingIntervalInline(admin.TabularInline):
    model = WorkingInterval
    formset = IntervalFormSet
    extra = 0


@admin.register(Calendar)
class CalendarAdmin(SimpleHistoryAdmin):
    list_display = ["name", "description", "kind", "follows_official_schedule", "working_days_end", "time_zone"]
    inlines = [WorkingIntervalInline]


@admin.register(OfficialDay)
class OfficialDayAdmin(SimpleHistoryAdmin):
    list_display = ["date", "is_working_day", "name", "source", "updated_at"]
    list_filter = ["is_working_day", "source"]
    date_hierarchy = "date"
    search_fields = ["name"]
    readonly_fields = ["source"]

    def save_model(self, request, obj, form, change) -> None:
        obj.source = OfficialDay.Source.MANUAL
        super().save_model(request, obj, form, change)


@admin.register(OfficialYear)
class OfficialYearAdmin(SimpleHistoryAdmin):
    """Years are loaded by the seeds and by imports; deleting one marks its schedule as missing."""

    list_display = ["year", "source", "loaded_at"]
    readonly_fields = ["year", "source", "loaded_at"]

    def has_add_permission(self, request) -> bool:
        return False
