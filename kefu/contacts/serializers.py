from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kefu.core.masking import mask_phone

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
from .workbench import Action


class _MaskedNumber(serializers.CharField):
    """R2.3: numbers are masked for roles without customers.pii:view (context show_pii)."""

    def to_representation(self, value):
        text = super().to_representation(value)
        return text if self.context.get("show_pii") else mask_phone(text)


def _choice(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field whose enum stays inline in the OpenAPI schema (wrapped in allOf, which drf-spectacular's
    enum hook leaves alone): several apps have fields called channel, state or source with other choices,
    and named enum components would collide. ENUM_NAME_OVERRIDES in the settings would be the other way."""

    pairs = list(choices.choices) if hasattr(choices, "choices") else list(choices)

    @extend_schema_field({"allOf": [{"type": "string", "enum": [value for value, _label in pairs]}]})
    class Field(serializers.ChoiceField):
        pass

    return Field(choices=pairs, **kwargs)


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
        """R3.8: for roles that may listen, the logged endpoint that hands the recording out (never the
        recording server's link itself); others see only whether there is one (empty string)."""
        if not contact.recording_url:
            return None
        if not self.context.get("can_listen"):
            return ""
        from django.urls import reverse

        path = reverse("contact-recording", args=[contact.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

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


class RecordingOpenOutput(serializers.Serializer):
    """R3.8: the recording's link, handed out after the opening was logged."""

    url = serializers.URLField()
    access = serializers.IntegerField(help_text="The id of the log entry.")
    opened_at = serializers.DateTimeField()


class RecordingAccessOutput(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    user_name = serializers.CharField(source="user.display_name", read_only=True)
    via = _choice(RecordingAccess._meta.get_field("via").choices, read_only=True)

    class Meta:
        model = RecordingAccess
        fields = ["id", "opened_at", "user", "user_name", "contact", "recording_url", "ip_address", "user_agent",
                  "via"]


# --- the workbench (R3.2–R3.4) -----------------------------------------------------------------------------------

class WorkbenchPopQuery(serializers.Serializer):
    contact = serializers.IntegerField(required=False, help_text="The contact the pop is for (telephony offered it).")
    q = serializers.CharField(required=False, allow_blank=True, max_length=100,
                              help_text="What the agent typed: phone, customer, merchant or ticket number, or name.")
    customer = serializers.IntegerField(required=False, help_text="The customer chosen among several matches.")


class PopContactOutput(serializers.ModelSerializer):
    caller_number = _MaskedNumber()
    channel = _choice(Contact.Channel, read_only=True)
    state = _choice(Contact.State, read_only=True)
    queue = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Contact
        fields = ["id", "call_id", "channel", "state", "caller_number", "queue", "offered_at", "answered_at"]


class PopCandidateOutput(serializers.Serializer):
    id = serializers.IntegerField()
    customer_number = serializers.CharField()
    name = serializers.CharField()


class PopTicketOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField(source="kind.code")
    state = serializers.CharField(source="state.name")
    created_at = serializers.DateTimeField()
    status_sentence = serializers.CharField(help_text="R3.4: what to read to the caller.")


class PopRecentContactOutput(serializers.ModelSerializer):
    channel = _choice(Contact.Channel, read_only=True)
    outcome = _choice(Contact.Outcome, read_only=True)
    agent = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Contact
        fields = ["id", "offered_at", "channel", "outcome", "summary_what", "agent"]


class PopComplaintOutput(serializers.Serializer):
    id = serializers.IntegerField()
    ticket = serializers.CharField(source="ticket.number")
    subject = serializers.CharField()
    state = serializers.CharField(source="ticket.state.name")
    created_at = serializers.DateTimeField()


class ScriptStepOutput(serializers.Serializer):
    step = serializers.CharField()
    phrases = serializers.ListField(child=serializers.CharField())


class ScriptOutput(serializers.Serializer):
    greeting = serializers.CharField(help_text="With the agent's work number filled in.")
    steps = ScriptStepOutput(many=True)
    forbidden = serializers.ListField(child=serializers.CharField())


class TimerOutput(serializers.Serializer):
    target_seconds = serializers.IntegerField()
    routine_max_seconds = serializers.IntegerField()
    handover_seconds = serializers.IntegerField()


class PopOutput(serializers.Serializer):
    query = serializers.CharField()
    number = _MaskedNumber(allow_blank=True)
    contact = PopContactOutput(allow_null=True)
    candidates = PopCandidateOutput(many=True)
    customer = serializers.SerializerMethodField()
    open_tickets = PopTicketOutput(many=True)
    recent_contacts = PopRecentContactOutput(many=True)
    complaints = PopComplaintOutput(many=True)
    script = ScriptOutput()
    timer = TimerOutput()

    @extend_schema_field({"allOf": [{"$ref": "#/components/schemas/CustomerDetailOutput"}], "nullable": True})
    def get_customer(self, pop) -> dict | None:
        from kefu.customers.serializers import CustomerDetailOutput

        customer = pop["customer"]
        return None if customer is None else CustomerDetailOutput(customer, context=self.context).data


class WorkbenchRecordInput(serializers.Serializer):
    contact = serializers.IntegerField(required=False, allow_null=True,
                                       help_text="The contact of the pop; empty for a number typed in.")
    number = serializers.CharField(required=False, allow_blank=True, max_length=40,
                                   help_text="The caller's number when there is no contact.")
    customer = serializers.IntegerField(required=False, allow_null=True)
    started_at = serializers.DateTimeField(required=False, allow_null=True,
                                           help_text="When the call typed in began (default now).")
    action = _choice(Action, help_text="none, consultation (closed at once), repair (then the work order), complaint "
                                       "(to the complaint desk), technical (to tech support), other (a ticket of "
                                       "`kind`), update (a note on the open `ticket`).")
    outcome = _choice([(value, value) for value in ("resolved", "transferred", "callback", "no_action")],
                      required=False, help_text="Only for action none.")
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    resolution = serializers.CharField(required=False, allow_blank=True,
                                       help_text="Consultation: how it was answered (default: summary_how).")
    kind = serializers.CharField(required=False, allow_blank=True, help_text="Ticket kind code (action other).")
    category = serializers.CharField(required=False, allow_blank=True, help_text="Service category code.")
    ticket = serializers.CharField(required=False, allow_blank=True,
                                   help_text="Action update: the open ticket's number or id.")
    note = serializers.CharField(required=False, allow_blank=True)
    summary_when = serializers.CharField(required=False, allow_blank=True, max_length=200)
    summary_who = serializers.CharField(required=False, allow_blank=True, max_length=200)
    summary_where = serializers.CharField(required=False, allow_blank=True, max_length=200)
    summary_what = serializers.CharField(required=False, allow_blank=True)
    summary_why = serializers.CharField(required=False, allow_blank=True)
    summary_how = serializers.CharField(required=False, allow_blank=True)


class WorkbenchRecordOutput(serializers.Serializer):
    contact = serializers.IntegerField(source="contact.pk")
    outcome = serializers.CharField(source="contact.outcome")
    ticket = serializers.CharField(source="ticket.number", allow_null=True, default=None)
    ticket_id = serializers.IntegerField(source="ticket.pk", allow_null=True, default=None)
    ticket_state = serializers.CharField(source="ticket.state.name", allow_null=True, default=None)
    complaint = serializers.IntegerField(source="complaint.pk", allow_null=True, default=None)
    dispatched_to = serializers.CharField(source="dispatch.team.code", allow_null=True, default=None)
    needs_work_order = serializers.BooleanField(
        help_text="A repair: create the work order after re-verifying the customer's details (R4.3).")
    work_order_url = serializers.SerializerMethodField()
    sentence = serializers.CharField(help_text="What to say now (the complaint-transfer sentence).")

    def get_work_order_url(self, result) -> str | None:
        """Where the work order is created (POST, with the re-verified details): the ticket's work orders."""
        if not result.needs_work_order or result.ticket is None:
            return None
        from django.urls import reverse

        return reverse("ticket-work-orders", args=[result.ticket.pk])
