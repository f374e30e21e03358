from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AppraisalDeduction, Complaint, FollowUpCallback, Investigation


@admin.register(Complaint)
class ComplaintAdmin(SimpleHistoryAdmin):
    list_display = ("ticket", "subject", "channel", "against_staff", "created_at")
    raw_id_fields = ("ticket", "against_staff", "transferred_by", "recorded_by")


@admin.register(Investigation)
class InvestigationAdmin(SimpleHistoryAdmin):
    list_display = ("complaint", "person", "finding", "concluded_at")
    raw_id_fields = ("complaint", "person", "opened_by", "concluded_by")


@admin.register(AppraisalDeduction)
class AppraisalDeductionAdmin(SimpleHistoryAdmin):
    list_display = ("person", "points", "month", "source_complaint")
    raw_id_fields = ("person", "source_complaint", "created_by")


@admin.register(FollowUpCallback)
class FollowUpCallbackAdmin(SimpleHistoryAdmin):
    list_display = ("complaint", "customer", "due_at", "status")
    raw_id_fields = ("complaint", "customer", "done_by")
