from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Callback,
    CallbackForm,
    CallbackQuestion,
    CallbackRule,
    CallbackRuleRun,
    CallbackScriptStep,
    SatisfactionSurvey,
    SmsMessage,
)


class CallbackQuestionInline(admin.TabularInline):
    model = CallbackQuestion
    extra = 0
    fields = ("order", "text", "answer_type", "choices", "required", "is_active")


@admin.register(CallbackForm)
class CallbackFormAdmin(SimpleHistoryAdmin):
    """R7.3: the callback and survey forms with their questions."""

    list_display = ("code", "name", "purpose", "score_max", "satisfied_from", "is_active")
    inlines = [CallbackQuestionInline]


@admin.register(CallbackRule)
class CallbackRuleAdmin(SimpleHistoryAdmin):
    """R7.1: the rules that fill the day's plan (N days after a repair, complaints, the consultation sample)."""

    list_display = ("code", "name", "kind", "ticket_kind", "delay_amount", "delay_unit", "sample_percent", "form",
                    "is_active")


@admin.register(CallbackScriptStep)
class CallbackScriptStepAdmin(SimpleHistoryAdmin):
    """R7.2: the callback script."""

    list_display = ("order", "step", "text", "is_active", "source")
    list_display_links = ("text",)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SmsMessage)
class SmsMessageAdmin(_ReadOnly):
    """The SMS outbox, read only."""

    list_display = ("created_at", "to", "status", "backend", "message_id", "survey")
    list_filter = ("status",)


@admin.register(Callback)
class CallbackAdmin(_ReadOnly):
    """Callbacks change through their pages and API only (history, clocks, contacts); here they are read."""

    list_display = ("id", "planned_for", "reason", "agent", "status", "score")
    list_filter = ("status", "origin")


@admin.register(SatisfactionSurvey)
class SatisfactionSurveyAdmin(_ReadOnly):
    list_display = ("id", "channel", "status", "sent_at", "answered_at", "score")
    list_filter = ("channel", "status")


@admin.register(CallbackRuleRun)
class CallbackRuleRunAdmin(_ReadOnly):
    list_display = ("day", "ran_at")
