from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kefu.accounts.models import Team, User
from kefu.contacts.models import Contact
from kefu.customers.models import Customer
from kefu.tickets.models import Ticket

from . import selectors
from .models import (
    Callback,
    CallbackAttempt,
    CallbackEvent,
    CallbackForm,
    CallbackQuestion,
    CallbackRule,
    SatisfactionSurvey,
    SmsMessage,
    SurveyAnswer,
)

# Choice fields are plain strings in the schema: named enums need ENUM_NAME_OVERRIDES entries in the settings.


class QuestionOutput(serializers.ModelSerializer):
    answer_type = serializers.CharField(read_only=True, help_text=" | ".join(CallbackQuestion.AnswerType.values))

    class Meta:
        model = CallbackQuestion
        fields = ["id", "order", "text", "answer_type", "choices", "required"]


class CallbackFormOutput(serializers.ModelSerializer):
    purpose = serializers.CharField(read_only=True, help_text=" | ".join(CallbackForm.Purpose.values))
    questions = serializers.SerializerMethodField()

    class Meta:
        model = CallbackForm
        fields = ["id", "code", "name", "purpose", "intro", "score_max", "satisfied_from", "is_active", "questions"]

    @extend_schema_field(QuestionOutput(many=True))
    def get_questions(self, form):
        return QuestionOutput(form.questions.filter(is_active=True).order_by("order", "id"), many=True).data


class CallbackRuleOutput(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=" | ".join(CallbackRule.Kind.values))
    delay_unit = serializers.CharField(read_only=True, help_text=" | ".join(CallbackRule.DelayUnit.values))
    ticket_kind = serializers.SlugRelatedField(slug_field="code", read_only=True)
    form = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = CallbackRule
        fields = ["id", "code", "name", "kind", "ticket_kind", "delay_amount", "delay_unit", "sample_percent",
                  "lookback_days", "form", "is_active", "source"]


class AttemptOutput(serializers.ModelSerializer):
    agent = serializers.SlugRelatedField(slug_field="username", read_only=True)
    outcome = serializers.CharField(read_only=True, help_text=" | ".join(CallbackAttempt.Outcome.values))
    contact = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = CallbackAttempt
        fields = ["id", "at", "agent", "outcome", "note", "contact"]


class CallbackEventOutput(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = CallbackEvent
        fields = ["id", "at", "actor", "action", "old_status", "new_status", "note"]


class AnswerOutput(serializers.ModelSerializer):
    question_text = serializers.CharField(source="question.text", read_only=True)

    class Meta:
        model = SurveyAnswer
        fields = ["question", "question_text", "value", "score"]


class CallbackListOutput(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=" | ".join(Callback.Status.values))
    origin = serializers.CharField(read_only=True, help_text=" | ".join(Callback.Origin.values))
    agent = serializers.SlugRelatedField(slug_field="username", read_only=True)
    ticket_number = serializers.CharField(source="ticket.number", read_only=True, allow_null=True, default=None)
    rule = serializers.SlugRelatedField(slug_field="code", read_only=True)
    form = serializers.SlugRelatedField(slug_field="code", read_only=True)
    phone = serializers.SerializerMethodField(help_text="Masked unless the user may see personal data; in full "
                                                        "in the detail for the agent who must dial it (logged).")

    class Meta:
        model = Callback
        fields = ["id", "origin", "rule", "form", "reason", "customer", "ticket", "ticket_number", "follow_up",
                  "contact_name", "phone", "planned_for", "due_at", "status", "agent", "assigned_at", "previous",
                  "attempts", "reached_at", "solution_accepted", "score", "satisfied", "done_at", "version"]

    def get_phone(self, callback) -> str:
        if "phone" in self.context:
            return self.context["phone"]
        return selectors.phone_shown(self.context["request"].user, callback)


class ScriptLineOutput(serializers.Serializer):
    step = serializers.CharField()
    label = serializers.CharField()
    text = serializers.CharField()


class HistoryTicketOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField(source="kind.name")
    state = serializers.CharField(source="state.name")
    created_at = serializers.DateTimeField()
    resolution = serializers.CharField()


class HistoryContactOutput(serializers.Serializer):
    id = serializers.IntegerField()
    channel = serializers.CharField()
    offered_at = serializers.DateTimeField()
    agent = serializers.StringRelatedField()
    summary_what = serializers.CharField()


class HistoryComplaintOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(source="ticket.number")
    subject = serializers.CharField()
    state = serializers.CharField(source="ticket.state.name")


class HistoryCallbackOutput(serializers.Serializer):
    id = serializers.IntegerField()
    planned_for = serializers.DateField()
    status = serializers.CharField()
    agent = serializers.StringRelatedField()
    score = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)


class HistorySurveyOutput(serializers.Serializer):
    id = serializers.IntegerField()
    channel = serializers.CharField()
    answered_at = serializers.DateTimeField()
    score = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)


class ServiceHistoryOutput(serializers.Serializer):
    since = serializers.DateField()
    tickets = HistoryTicketOutput(many=True)
    contacts = HistoryContactOutput(many=True)
    complaints = HistoryComplaintOutput(many=True)
    callbacks = HistoryCallbackOutput(many=True)
    surveys = HistorySurveyOutput(many=True)


class PendingClockOutput(serializers.Serializer):
    deadline = serializers.DateTimeField()
    state = serializers.CharField()
    breached_at = serializers.DateTimeField(allow_null=True)
    stopped_at = serializers.DateTimeField(allow_null=True)


class CallbackDetailOutput(CallbackListOutput):
    attempts_made = AttemptOutput(source="call_attempts", many=True, read_only=True)
    events = CallbackEventOutput(many=True, read_only=True)
    answers = serializers.SerializerMethodField()
    script = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    pending_clock = serializers.SerializerMethodField()
    follow_up_ticket_number = serializers.CharField(source="follow_up_ticket.number", read_only=True,
                                                    allow_null=True, default=None)
    retries = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(CallbackListOutput.Meta):
        fields = CallbackListOutput.Meta.fields + [
            "note", "summary", "pending_issue", "pending_reply", "pending_resolved_at", "new_need",
            "follow_up_ticket", "follow_up_ticket_number", "retries", "done_by", "attempts_made", "events",
            "answers", "script", "history", "pending_clock"]

    @extend_schema_field(AnswerOutput(many=True))
    def get_answers(self, callback):
        return AnswerOutput(selectors.answers_of(callback), many=True).data

    @extend_schema_field(ScriptLineOutput(many=True))
    def get_script(self, callback):
        user = self.context["request"].user
        return ScriptLineOutput(selectors.callback_script(callback, callback.agent or user), many=True).data

    @extend_schema_field(ServiceHistoryOutput)
    def get_history(self, callback):
        return ServiceHistoryOutput(selectors.service_history(self.context["request"].user, callback)).data

    @extend_schema_field(PendingClockOutput(allow_null=True))
    def get_pending_clock(self, callback):
        found = selectors.pending_clock(callback)
        return PendingClockOutput(found).data if found is not None else None


class CallbackCreateInput(serializers.Serializer):
    planned_for = serializers.DateField()
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    ticket = serializers.SlugRelatedField(slug_field="number", queryset=Ticket.objects.all(), required=False,
                                          allow_null=True)
    form = serializers.SlugRelatedField(slug_field="code", queryset=CallbackForm.objects.all(), required=False,
                                        allow_null=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    due_at = serializers.DateTimeField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    agent = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.filter(is_active=True),
                                         required=False, allow_null=True)


class VersionInput(serializers.Serializer):
    version = serializers.IntegerField()


class AssignInput(VersionInput):
    agent = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.all())


class CancelInput(VersionInput):
    reason = serializers.CharField()


class AnswerInput(serializers.Serializer):
    question = serializers.IntegerField()
    value = serializers.CharField(allow_blank=True)


class RecordCallInput(VersionInput):
    outcome = serializers.CharField(help_text=" | ".join(CallbackAttempt.Outcome.values))
    note = serializers.CharField(required=False, allow_blank=True, default="")
    answers = AnswerInput(many=True, required=False, default=list)
    solution_accepted = serializers.BooleanField(required=False, allow_null=True, default=None)
    pending_issue = serializers.CharField(required=False, allow_blank=True, default="")
    new_need = serializers.CharField(required=False, allow_blank=True, default="")
    call_again_on = serializers.DateField(required=False, allow_null=True, default=None)


class ResolveInput(VersionInput):
    reply = serializers.CharField()


class PlanDayInput(serializers.Serializer):
    day = serializers.DateField(required=False, allow_null=True, default=None)
    teams = serializers.SlugRelatedField(slug_field="code", queryset=Team.objects.filter(is_active=True), many=True,
                                         required=False, default=list)
    run_rules = serializers.BooleanField(required=False, default=True)
    spread = serializers.BooleanField(required=False, default=True)


class GenerateOutput(serializers.Serializer):
    day = serializers.DateField()
    created = serializers.IntegerField()
    by_rule = serializers.DictField(child=serializers.IntegerField())
    problems = serializers.ListField(child=serializers.CharField())


class DistributeOutput(serializers.Serializer):
    day = serializers.DateField()
    agents = serializers.ListField(child=serializers.CharField())
    from_roster = serializers.BooleanField()
    assigned = serializers.DictField(child=serializers.IntegerField())
    left_unassigned = serializers.ListField(child=serializers.IntegerField())


class PlanDayOutput(serializers.Serializer):
    generated = GenerateOutput(allow_null=True)
    spread = DistributeOutput(allow_null=True)


class CallbackFiguresOutput(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    planned = serializers.IntegerField()
    done = serializers.IntegerField()
    reached = serializers.IntegerField()
    pending = serializers.IntegerField()
    overdue = serializers.IntegerField()
    rejected = serializers.IntegerField()
    unreachable = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    solution_asked = serializers.IntegerField()
    rejected_rate = serializers.FloatField(allow_null=True)
    reach_rate = serializers.FloatField(allow_null=True)
    pending_answered_in_time = serializers.IntegerField()
    pending_answered_late = serializers.IntegerField()
    average_score = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)


class ChannelFiguresOutput(serializers.Serializer):
    channel = serializers.CharField()
    label = serializers.CharField()
    sent = serializers.IntegerField()
    answered = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    average_score = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    satisfied = serializers.IntegerField()
    satisfied_share = serializers.FloatField(allow_null=True)


class SatisfactionFiguresOutput(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    channels = ChannelFiguresOutput(many=True)
    total = ChannelFiguresOutput()


class SurveyOutput(serializers.ModelSerializer):
    channel = serializers.CharField(read_only=True, help_text=" | ".join(SatisfactionSurvey.Channel.values))
    status = serializers.CharField(read_only=True, help_text=" | ".join(SatisfactionSurvey.Status.values))
    form = serializers.SlugRelatedField(slug_field="code", read_only=True)
    ticket_number = serializers.CharField(source="ticket.number", read_only=True, allow_null=True, default=None)
    sent_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    phone = serializers.SerializerMethodField()
    answers = AnswerOutput(many=True, read_only=True)

    class Meta:
        model = SatisfactionSurvey
        fields = ["id", "channel", "form", "status", "customer", "ticket", "ticket_number", "contact", "callback",
                  "phone", "sent_by", "sent_at", "expires_at", "answered_at", "score", "satisfied", "answers"]

    def get_phone(self, survey) -> str:
        from kefu.core import masking, permissions

        if permissions.has_permission(self.context["request"].user, "customers.pii:view"):
            return survey.phone
        return masking.mask_phone(survey.phone)


class SurveySendInput(serializers.Serializer):
    channel = serializers.CharField(help_text="sms | web")
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True,
                                                 help_text="The contact the survey is about.")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    ticket = serializers.SlugRelatedField(slug_field="number", queryset=Ticket.objects.all(), required=False,
                                          allow_null=True)
    form = serializers.SlugRelatedField(slug_field="code", queryset=CallbackForm.objects.all(), required=False,
                                        allow_null=True)


class SurveySentOutput(serializers.Serializer):
    survey = SurveyOutput()
    link = serializers.CharField()


class SmsOutput(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=" | ".join(SmsMessage.Status.values))
    to = serializers.SerializerMethodField()

    class Meta:
        model = SmsMessage
        fields = ["id", "to", "text", "status", "backend", "message_id", "error", "survey", "created_at", "sent_at"]

    def get_to(self, message) -> str:
        from kefu.core import masking, permissions

        if permissions.has_permission(self.context["request"].user, "customers.pii:view"):
            return message.to
        return masking.mask_phone(message.to)
