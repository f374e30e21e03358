from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kefu.accounts.models import User
from kefu.customers.models import Customer
from kefu.sla.serializers import ClockOutput
from kefu.tickets.models import Ticket
from kefu.tickets.serializers import TicketEventOutput

from .models import AppraisalDeduction, Complaint, FollowUpCallback, Investigation


class InvestigationOutput(serializers.ModelSerializer):
    person = serializers.SlugRelatedField(slug_field="username", read_only=True)
    concluded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Investigation
        fields = ["person", "finding", "evidence", "decision", "opened_at", "concluded_at", "concluded_by"]


class FollowUpOutput(serializers.ModelSerializer):
    complaint = serializers.PrimaryKeyRelatedField(read_only=True)
    ticket_number = serializers.CharField(source="complaint.ticket.number", read_only=True)
    customer = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = FollowUpCallback
        fields = ["id", "complaint", "ticket_number", "customer", "due_at", "status", "result", "done_at",
                  "created_at"]


class ComplaintListOutput(serializers.ModelSerializer):
    ticket = serializers.PrimaryKeyRelatedField(read_only=True)
    ticket_number = serializers.CharField(source="ticket.number", read_only=True)
    ticket_version = serializers.IntegerField(source="ticket.version", read_only=True)
    state = serializers.CharField(source="ticket.state.code", read_only=True)
    closed = serializers.BooleanField(source="ticket.state.is_closed", read_only=True)
    customer = serializers.PrimaryKeyRelatedField(source="ticket.customer", read_only=True)
    answer_due_at = serializers.DateTimeField(source="ticket.answer_due_at", read_only=True)
    against_staff = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Complaint
        fields = ["id", "ticket", "ticket_number", "ticket_version", "state", "closed", "channel", "subject",
                  "customer", "against_staff", "answer_due_at", "informed_at", "created_at"]


class ComplaintDetailOutput(ComplaintListOutput):
    transferred_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    investigation = serializers.SerializerMethodField()
    follow_up = serializers.SerializerMethodField()
    clocks = serializers.SerializerMethodField()
    events = TicketEventOutput(source="ticket.events", many=True, read_only=True)

    class Meta(ComplaintListOutput.Meta):
        fields = ComplaintListOutput.Meta.fields + [
            "complainant_name", "complainant_phone", "details", "transferred_by", "transfer_phrase", "recorded_by",
            "recorded_at", "investigation", "follow_up", "clocks", "events"]

    @extend_schema_field(InvestigationOutput(allow_null=True))
    def get_investigation(self, obj) -> dict | None:
        if not self.context.get("show_investigation"):
            return None
        investigation = getattr(obj, "investigation", None)
        return InvestigationOutput(investigation).data if investigation else None

    @extend_schema_field(FollowUpOutput(allow_null=True))
    def get_follow_up(self, obj) -> dict | None:
        follow_up = getattr(obj, "follow_up", None)
        return FollowUpOutput(follow_up).data if follow_up else None

    @extend_schema_field(ClockOutput(many=True))
    def get_clocks(self, obj) -> list[dict]:
        return ClockOutput(obj.ticket.clocks.select_related("policy").prefetch_related("escalations", "extensions"),
                           many=True).data


class ComplaintCreateInput(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    channel = serializers.ChoiceField(choices=Ticket.Channel.choices, default=Ticket.Channel.PHONE)
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    complainant_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    complainant_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    details = serializers.CharField(required=False, allow_blank=True, default="")
    against_staff = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.filter(is_active=True),
                                                 required=False, allow_null=True)
    received_at = serializers.DateTimeField(required=False, allow_null=True)


class ComplaintRecordInput(serializers.Serializer):
    version = serializers.IntegerField()
    details = serializers.CharField()
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    against_staff = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.filter(is_active=True),
                                                 required=False, allow_null=True)


class ComplaintExtendInput(serializers.Serializer):
    new_deadline = serializers.DateTimeField()
    consent_by = serializers.CharField(max_length=100)
    consent_at = serializers.DateTimeField()
    reason = serializers.CharField()


class ComplaintConcludeInput(serializers.Serializer):
    finding = serializers.ChoiceField(choices=[Investigation.Finding.VERIFIED, Investigation.Finding.NOT_VERIFIED])
    evidence = serializers.CharField()
    decision = serializers.CharField()
    points = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)


class ComplaintInformInput(serializers.Serializer):
    message = serializers.CharField()


class ComplaintCloseInput(serializers.Serializer):
    resolution = serializers.CharField()


class TransferPhraseOutput(serializers.Serializer):
    phrase = serializers.CharField()


class DeductionOutput(serializers.ModelSerializer):
    person = serializers.SlugRelatedField(slug_field="username", read_only=True)
    source_complaint = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = AppraisalDeduction
        fields = ["id", "person", "points", "reason", "month", "source_complaint", "created_at"]
