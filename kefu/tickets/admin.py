from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Priority,
    ServiceCategory,
    StatusSentence,
    Ticket,
    TicketKind,
    Workflow,
    WorkflowState,
    WorkflowTransition,
)


class StateInline(admin.TabularInline):
    model = WorkflowState
    extra = 0


@admin.register(Workflow)
class WorkflowAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name"]
    inlines = [StateInline]


@admin.register(WorkflowTransition)
class WorkflowTransitionAdmin(SimpleHistoryAdmin):
    list_display = ["workflow", "code", "name", "from_state", "to_state", "requires_reason"]
    list_filter = ["workflow"]
    filter_horizontal = ["roles"]


@admin.register(TicketKind)
class TicketKindAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "workflow", "closable_at_once", "work_order_kind", "default_team", "is_active"]


@admin.register(Priority)
class PriorityAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "rank", "is_default"]


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "team", "is_active"]


@admin.register(StatusSentence)
class StatusSentenceAdmin(SimpleHistoryAdmin):
    list_display = ["code", "text"]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Tickets change only through their workflow (the ticket pages and the API); the admin lists them."""

    list_display = ["number", "title", "kind", "state", "team", "assignee", "created_at"]
    list_filter = ["kind", "state", "team"]
    search_fields = ["number", "title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
