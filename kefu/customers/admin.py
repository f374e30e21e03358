from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Customer, CustomerKind, ImportJob, RevealLog


@admin.register(CustomerKind)
class CustomerKindAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "is_active"]


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    """Customers are edited on their own pages (masking, history); the admin lists them for support."""

    list_display = ["customer_number", "name", "kind", "branch"]
    search_fields = ["customer_number", "merchant_number", "name"]
    list_filter = ["kind", "branch"]
    readonly_fields = [f.name for f in Customer._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(RevealLog)
class RevealLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "customer", "field", "reason"]
    readonly_fields = ["created_at", "user", "customer", "field", "object_id", "reason", "ip_address"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "filename", "dry_run", "status", "total_rows", "created_count", "updated_count"]
    exclude = ["content"]
    readonly_fields = ["created_by", "filename", "size", "dry_run", "status", "total_rows", "processed_rows",
                       "created_count", "updated_count", "errors", "message", "finished_at"]

    def has_add_permission(self, request):
        return False
