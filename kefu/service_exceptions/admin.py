from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ExceptionCategory, ExceptionLevel, ExceptionPlan, ServiceException


@admin.register(ExceptionCategory)
class ExceptionCategoryAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "order", "is_active")


@admin.register(ExceptionLevel)
class ExceptionLevelAdmin(SimpleHistoryAdmin):
    list_display = ("number", "name", "planner", "requires_approval", "notify_management")


@admin.register(ServiceException)
class ServiceExceptionAdmin(SimpleHistoryAdmin):
    list_display = ("number", "title", "state", "category", "level", "reported_at")
    raw_id_fields = ("customer", "reporter", "assessed_by", "ticket")
    readonly_fields = ("version",)


@admin.register(ExceptionPlan)
class ExceptionPlanAdmin(SimpleHistoryAdmin):
    list_display = ("exception", "round", "state", "owner", "deadline", "rating")
    raw_id_fields = ("exception", "owner", "drafted_by", "approved_by")
