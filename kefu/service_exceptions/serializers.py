from rest_framework import serializers

from kefu.accounts.models import Team, User
from kefu.customers.models import Customer

from .models import ExceptionCategory, ExceptionEvent, ExceptionLevel, ExceptionPlan, ServiceException


class CategoryOutput(serializers.ModelSerializer):
    class Meta:
        model = ExceptionCategory
        fields = ["id", "code", "name", "definition", "is_active"]


class LevelOutput(serializers.ModelSerializer):
    class Meta:
        model = ExceptionLevel
        fields = ["id", "number", "name", "definition", "planner", "requires_approval", "notify_management"]


class EventOutput(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()
    contact = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ExceptionEvent
        fields = ["id", "at", "actor", "action", "old_state", "new_state", "round", "note", "contact"]


class PlanOutput(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    owner_department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    departments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    drafted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    on_time = serializers.BooleanField(read_only=True, allow_null=True)
    # Plain strings in the schema: named enums need ENUM_NAME_OVERRIDES entries in the settings (see DECISIONS).
    state = serializers.CharField(read_only=True, help_text="awaiting_approval | refused | executing | executed")

    class Meta:
        model = ExceptionPlan
        fields = ["id", "round", "content", "owner", "owner_department", "departments", "deadline", "state",
                  "drafted_by", "drafted_at", "requires_approval", "approved_by", "approved_at", "approval_note",
                  "executed_at", "result", "result_told_at", "rating", "rating_note", "rated_at", "on_time"]


class ExceptionListOutput(serializers.ModelSerializer):
    state = serializers.CharField(read_only=True, help_text=" | ".join(ServiceException.State.values))
    source = serializers.CharField(read_only=True, help_text=" | ".join(ServiceException.Source.values))
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    level = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = ServiceException
        fields = ["id", "number", "source", "title", "state", "category", "level", "customer", "reported_at",
                  "assessed_at", "round", "archived_at", "version"]


class ExceptionDetailOutput(ExceptionListOutput):
    departments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    reporter = serializers.SlugRelatedField(slug_field="username", read_only=True)
    assessed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    plans = PlanOutput(many=True, read_only=True)
    events = EventOutput(many=True, read_only=True)

    class Meta(ExceptionListOutput.Meta):
        fields = ExceptionListOutput.Meta.fields + [
            "description", "customer_name", "customer_phone", "reporter", "reporter_name", "occurred_at", "impact",
            "cause", "departments", "assessed_by", "plans", "events"]


class ReportInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    customer_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    customer_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    occurred_at = serializers.DateTimeField(required=False, allow_null=True)


class VersionInput(serializers.Serializer):
    version = serializers.IntegerField()


class AssessInput(VersionInput):
    category = serializers.SlugRelatedField(slug_field="code", queryset=ExceptionCategory.objects.filter(
        is_active=True))
    level = serializers.SlugRelatedField(slug_field="number", queryset=ExceptionLevel.objects.all())
    impact = serializers.CharField()
    cause = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    departments = serializers.SlugRelatedField(slug_field="code", queryset=Team.objects.filter(is_active=True),
                                               many=True, required=False, default=list)


class PlanInput(VersionInput):
    content = serializers.CharField()
    owner = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.filter(is_active=True),
                                         required=False, allow_null=True)
    owner_department = serializers.SlugRelatedField(slug_field="code", queryset=Team.objects.filter(is_active=True),
                                                    required=False, allow_null=True)
    deadline = serializers.DateTimeField(required=False, allow_null=True)
    departments = serializers.SlugRelatedField(slug_field="code", queryset=Team.objects.filter(is_active=True),
                                               many=True, required=False, default=list)


class DecideInput(VersionInput):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ExceptionNoteInput(serializers.Serializer):
    note = serializers.CharField()


class CompleteInput(VersionInput):
    result = serializers.CharField()


class ExceptionInformInput(VersionInput):
    kind = serializers.ChoiceField(choices=[("progress", "progress"), ("result", "result")])
    message = serializers.CharField()


class RateInput(VersionInput):
    satisfied = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ArchiveInput(VersionInput):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class KpiOutput(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    exceptions = serializers.IntegerField()
    contacts = serializers.IntegerField()
    contacts_source = serializers.CharField()
    rate_per_thousand = serializers.FloatField(allow_null=True)
    assessed = serializers.IntegerField()
    on_time = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    ratings = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    satisfaction_rate = serializers.FloatField(allow_null=True)
    open_level_1 = serializers.IntegerField()


class CountOutput(serializers.Serializer):
    name = serializers.CharField()
    count = serializers.IntegerField()


class AnalysisOutput(serializers.Serializer):
    category = CountOutput(many=True)
    level = CountOutput(many=True)
    department = CountOutput(many=True)
    cause = CountOutput(many=True)
