from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import EscalationRule, SlaClock, SlaPolicy


class RuleInline(admin.TabularInline):
    model = EscalationRule
    extra = 0


@admin.register(SlaPolicy)
class SlaPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "target", "clock", "amount", "unit", "calendar", "channel", "extendable",
                    "is_active"]
    filter_horizontal = ["kinds"]
    inlines = [RuleInline]


@admin.register(SlaClock)
class SlaClockAdmin(admin.ModelAdmin):
    list_display = ["id", "policy", "ticket", "state", "deadline", "breached_at", "next_check_at"]
    list_filter = ["policy", "state"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
