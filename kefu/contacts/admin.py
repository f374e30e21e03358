from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AgentStatus,
    CdrImport,
    Contact,
    ForbiddenPhrase,
    Queue,
    RecordingAccess,
    StandardPhrase,
    TelephonyEvent,
)


@admin.register(Queue)
class QueueAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "is_active"]


@admin.register(StandardPhrase)
class StandardPhraseAdmin(SimpleHistoryAdmin):
    list_display = ["step", "text", "order", "is_active", "source"]
    list_filter = ["step", "is_active"]


@admin.register(ForbiddenPhrase)
class ForbiddenPhraseAdmin(SimpleHistoryAdmin):
    list_display = ["text", "is_active", "source"]


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    """Contacts are recorded by telephony and on their own pages; the admin lists them for support."""

    list_display = ["offered_at", "channel", "state", "queue", "agent", "call_id"]
    list_filter = ["channel", "state", "source"]
    search_fields = ["call_id"]
    readonly_fields = [f.name for f in Contact._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(TelephonyEvent)
class TelephonyEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "source", "kind", "call_id", "event_id", "received_at"]
    list_filter = ["source", "kind"]
    search_fields = ["call_id", "event_id"]
    readonly_fields = ["source", "event_id", "call_id", "kind", "occurred_at", "received_at", "data"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AgentStatus)
class AgentStatusAdmin(SimpleHistoryAdmin):
    list_display = ["user", "state", "since", "reason"]
    list_filter = ["state"]


@admin.register(CdrImport)
class CdrImportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "created_by", "filename", "format", "calls", "created_count", "skipped_count"]
    readonly_fields = ["created_by", "filename", "format", "dry_run", "total_rows", "calls", "created_count",
                       "skipped_count", "errors", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(RecordingAccess)
class RecordingAccessAdmin(admin.ModelAdmin):
    """R3.8: the log is evidence — read-only, never added, changed or deleted by hand."""

    list_display = ["opened_at", "user", "contact", "ip_address", "via"]
    list_filter = ["via"]
    search_fields = ["user__username", "contact__call_id"]
    readonly_fields = ["user", "contact", "recording_url", "ip_address", "user_agent", "via", "opened_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
