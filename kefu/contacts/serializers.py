from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kefu.core.masking import mask_phone

from .models import AgentStatus, CdrImport, Contact, ForbiddenPhrase, Queue, StandardPhrase, TelephonyEvent


class _MaskedNumber(serializers.CharField):
    """R2.3: numbers are masked for roles without customers.pii:view (context show_pii)."""

    def to_representation(self, value):
        text = super().to_representation(value)
        return text if self.context.get("show_pii") else mask_phone(text)


def _choice(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field whose enum stays inline in the OpenAPI schema (wrapped in allOf, which drf-spectacular's
    enum hook leaves alone): several apps have fields called channel, state or source with other choices,
    and named enum components would collide. ENUM_NAME_OVERRIDES in the settings would be the other way."""

    @extend_schema_field({"allOf": [{"type": "string", "enum": [value for value, _label in choices.choices]}]})
    class Field(serializers.ChoiceField):
        pass

    return Field(choices=choices.choices, **kwargs)


class QueueSerializer(serializers.ModelSerializer):
    class Meta:
        model = Queue
        fields = ["id", "code", "name", "is_active"]


class ContactListOutput(serializers.ModelSerializer):
    caller_number = _MaskedNumber()
    called_number = _MaskedNumber()
    customer_number = serializers.CharField(source="customer.customer_number", read_only=True, default=None)
    customer_name = serializers.CharField(source="customer.name", read_only=True, default=None)
    agent = serializers.SlugRelatedField(slug_field="username", read_only=True)
    queue = serializers.SlugRelatedField(slug_field="code", read_only=True)
    channel = _choice(Contact.Channel, read_only=True)
    state = _choice(Contact.State, read_only=True)
    source = _choice(Contact.Source, read_only=True)
    outcome = _choice(Contact.Outcome, read_only=True)

    class Meta:
        model = Contact
        fields = ["id", "channel", "source", "call_id", "state", "caller_number", "called_number", "customer",
                  "customer_number", "customer_name", "agent", "agent_extension", "queue", "offered_at",
                  "answered_at", "ended_at", "wait_seconds", "talk_seconds", "handle_seconds", "outcome",
                  "missing_offer"]


class TelephonyEventOutput(serializers.ModelSerializer):
    kind = _choice(TelephonyEvent.Kind, read_only=True)
    class Meta:
        model = TelephonyEvent
        fields = ["source", "event_id", "kind", "occurred_at", "received_at", "data"]


class ContactDetailOutput(ContactListOutput):
    tickets = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    recording_url = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    class Meta(ContactListOutput.Meta):
        fields = [*ContactListOutput.Meta.fields, "queued_at", "hold_seconds", "wrap_up_seconds", "transferred_to",
                  "transfer_count", "recording_url", *Contact.SUMMARY_FIELDS, "tickets", "events", "created_at",
                  "updated_at"]

    def get_recording_url(self, contact: Contact) -> str | None:
        """R3.8: the link only for roles that may listen; others see whether there is one."""
        if not contact.recording_url:
            return None
        return contact.recording_url if self.context.get("can_listen") else ""

    def get_events(self, contact: Contact) -> list[dict]:
        from .selectors import contact_events

        events = contact_events(contact)
        data = TelephonyEventOutput(events, many=True).data
        if not self.context.get("show_pii"):
            for item in data:
                for key in ("caller", "called"):
                    if item["data"].get(key):
                        item["data"] = {**item["data"], key: mask_phone(item["data"][key])}
        return data


class ContactCreateInput(serializers.Serializer):
    channel = _choice(Contact.Channel)
    offered_at = serializers.DateTimeField(required=False)
    answered_at = serializers.DateTimeField(required=False, allow_null=True)
    ended_at = serializers.DateTimeField(required=False, allow_null=True)
    caller_number = serializers.CharField(required=False, allow_blank=True, max_length=40)
    called_number = serializers.CharField(required=False, allow_blank=True, max_length=40)
    customer = serializers.IntegerField(required=False, allow_null=True)
    outcome = _choice(Contact.Outcome, required=False, allow_blank=True)
    recording_url = serializers.CharField(required=False, allow_blank=True, max_length=500)
    summary_when = serializers.CharField(required=False, allow_blank=True, max_length=200)
    summary_who = serializers.CharField(required=False, allow_blank=True, max_length=200)
    summary_where = serializers.CharField(required=False, allow_blank=True, max_length=200)
    summary_what = serializers.CharField(required=False, allow_blank=True)
    summary_why = serializers.CharField(required=False, allow_blank=True)
    summary_how = serializers.CharField(required=False, allow_blank=True)


class ContactPatchInput(serializers.Serializer):
    outcome = _choice(Contact.Outcome, required=False, allow_blank=True)
    customer = serializers.IntegerField(required=False, allow_null=True)
    summary_when = serializers.CharField(required=False, allow_blank=True, max_length=200)
    summary_who = serializers.CharField(required=False, allow_blank=True, max_length=200)
    summary_where = serializers.CharField(required=False, allow_blank=True, max_length=200)
    summary_what = serializers.CharField(required=False, allow_blank=True)
    summary_why = serializers.CharField(required=False, allow_blank=True)
    summary_how = serializers.CharField(required=False, allow_blank=True)


class LinkTicketInput(serializers.Serializer):
    ticket = serializers.CharField(help_text="Ticket number (KF20260302-000001) or id.")


class TelephonyEventInput(serializers.Serializer):
    """The generic JSON webhook event (kefu.contacts.telephony.events); a batch is {"events": [...]}."""

    id = serializers.CharField()
    type = _choice(TelephonyEvent.Kind)
    call_id = serializers.CharField()
    timestamp = serializers.CharField(help_text="ISO 8601 or seconds since 1970")
    direction = serializers.ChoiceField(choices=["inbound", "outbound"], required=False)
    caller = serializers.CharField(required=False)
    called = serializers.CharField(required=False)
    queue = serializers.CharField(required=False)
    agent = serializers.CharField(required=False)
    transfer_to = serializers.CharField(required=False)
    recording_url = serializers.CharField(required=False)
    wrap_up_seconds = serializers.IntegerField(required=False)


class TelephonyResultOutput(serializers.Serializer):
    event_id = serializers.CharField()
    status = serializers.ChoiceField(choices=["applied", "duplicate"])
    contact = serializers.IntegerField(allow_null=True)
    warnings = serializers.ListField(child=serializers.CharField())


class TelephonyResponseOutput(serializers.Serializer):
    results = TelephonyResultOutput(many=True)


class FigureRowOutput(serializers.Serializer):
    queue = serializers.CharField(allow_null=True)
    interval_start = serializers.DateTimeField(allow_null=True)
    agent = serializers.CharField(allow_null=True)
    offered = serializers.IntegerField()
    short_abandoned = serializers.IntegerField()
    answered = serializers.IntegerField()
    abandoned = serializers.IntegerField()
    answered_within_target = serializers.IntegerField()
    answer_rate = serializers.FloatField(allow_null=True)
    abandon_rate = serializers.FloatField(allow_null=True)
    service_level = serializers.FloatField(allow_null=True)
    average_speed_of_answer = serializers.FloatField(allow_null=True)
    average_talk = serializers.FloatField(allow_null=True)
    average_handle = serializers.FloatField(allow_null=True)


class FiguresOutput(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    group_by = serializers.ListField(child=serializers.CharField())
    interval_minutes = serializers.IntegerField(allow_null=True)
    target_seconds = serializers.IntegerField()
    short_abandon_seconds = serializers.IntegerField()
    rows = FigureRowOutput(many=True)
    total = FigureRowOutput()


class FiguresQuery(serializers.Serializer):
    start = serializers.DateTimeField(required=False)
    end = serializers.DateTimeField(required=False)
    date = serializers.DateField(required=False, help_text="One local day (instead of start/end); default today.")
    group_by = serializers.CharField(required=False, allow_blank=True,
                                     help_text="Comma-separated: queue, interval, agent")
    interval = serializers.ChoiceField(choices=[15, 30, 60, 1440], required=False)
    queue = serializers.CharField(required=False)
    target_seconds = serializers.IntegerField(required=False, min_value=1, max_value=3600)
    short_abandon_seconds = serializers.IntegerField(required=False, min_value=0, max_value=600)


class StandardPhraseSerializer(serializers.ModelSerializer):
    step = _choice(StandardPhrase.Step)
    class Meta:
        model = StandardPhrase
        fields = ["id", "step", "text", "order", "is_active", "source"]


class ForbiddenPhraseSerializer(serializers.ModelSerializer):
    class Meta:
        model = ForbiddenPhrase
        fields = ["id", "text", "is_active", "source"]
        extra_kwargs = {"text": {"validators": []}}


class AgentStatusOutput(serializers.ModelSerializer):
    state = _choice(AgentStatus.State, read_only=True)
    agent = serializers.CharField(source="user.username", read_only=True)
    work_number = serializers.CharField(source="user.work_number", read_only=True)
    extension = serializers.CharField(source="user.extension", read_only=True)

    class Meta:
        model = AgentStatus
        fields = ["agent", "work_number", "extension", "state", "since", "contact", "reason"]


class AgentStateInput(serializers.Serializer):
    state = _choice(AgentStatus.State)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=100)


class CdrImportInput(serializers.Serializer):
    file = serializers.FileField()
    format = serializers.ChoiceField(choices=["asterisk-csv", "generic-csv"])
    dry_run = serializers.BooleanField(required=False, default=False)
    timezone = serializers.CharField(required=False, allow_blank=True)


class CdrImportOutput(serializers.ModelSerializer):
    created_by = serializers.StringRelatedField()

    class Meta:
        model = CdrImport
        fields = ["id", "created_by", "filename", "format", "dry_run", "total_rows", "calls", "created_count",
                  "skipped_count", "errors", "created_at"]
