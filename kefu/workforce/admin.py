"""Admin for the workforce configuration data (R9.1–R9.6): planning queues, shift templates, minimum agents per
period and agent profiles (direct supervisor, skills, nights, preferences). Leave, surges and the log are read
here; they change only through their services (pages, API)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AgentProfile, CoverageMinimum, LeaveRequest, PlanningQueue, ShiftTemplate, Surge, WorkforceEvent


@admin.register(PlanningQueue)
class PlanningQueueAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "interval_minutes", "aht_seconds", "patience_seconds", "service_level",
                    "answer_rate", "is_active"]
    search_fields = ["code", "name"]


@admin.register(ShiftTemplate)
class ShiftTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "start", "duration_minutes", "paid_minutes", "is_night", "is_active", "source"]


@admin.register(CoverageMinimum)
class CoverageMinimumAdmin(SimpleHistoryAdmin):
    list_display = ["name", "start", "end", "minimum_agents", "queue", "is_active", "source"]


@admin.register(AgentProfile)
class AgentProfileAdmin(SimpleHistoryAdmin):
    list_display = ["user", "supervisor", "works_nights", "rostered", "preferred_days_off"]
    list_select_related = ["user", "supervisor"]
    autocomplete_fields = ["user", "supervisor"]
    filter_horizontal = ["queues", "preferred_templates"]
    search_fields = ["user__username", "user__full_name", "user__work_number"]


class _ReadOnly(SimpleHistoryAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LeaveRequest)
class LeaveRequestAdmin(_ReadOnly):
    list_display = ["agent", "start_date", "end_date", "kind", "substitute", "status", "decided_by"]
    list_filter = ["status", "kind"]
    list_select_related = ["agent", "substitute", "decided_by"]


@admin.register(Surge)
class SurgeAdmin(_ReadOnly):
    list_display = ["started_at", "started_by", "reason", "ended_at", "ended_by"]


@admin.register(WorkforceEvent)
class WorkforceEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "subject"]
    list_filter = ["action"]
    list_select_related = ["actor", "subject"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
