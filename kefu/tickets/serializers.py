import copy

from rest_framework import serializers

from kefu.accounts.models import Team, User
from kefu.customers.models import Customer

from .models import Dispatch, Notification, Priority, ServiceCategory, Ticket, TicketEntry, TicketEvent, TicketKind


class TicketKindSerializer(serializers.ModelSerializer):
    workflow = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = TicketKind
        fields = ["id", "code", "name", "workflow", "closable_at_once", "work_order_kind", "is_active"]


class PrioritySerializer(serializers.ModelSerializer):
    class Meta:
        model = Priority
        fields = ["id", "code", "name", "rank", "is_default"]


class ServiceCategorySerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ServiceCategory
        fields = ["id", "code", "name", "team", "is_active"]


class TicketListOutput(serializers.ModelSerializer):
    kind = serializers.SlugRelatedField(slug_field="code", read_only=True)
    state = serializers.SlugRelatedField(slug_field="code", read_only=True)
    state_name = serializers.CharField(source="state.name", read_only=True)
    priority = serializers.SlugRelatedField(slug_field="code", read_only=True)
    team = serializers.SlugRelatedField(slug_field="code", read_only=True)
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True)
    customer_number = serializers.CharField(source="customer.customer_number", read_only=True, default=None)

    class Meta:
        model = Ticket
        fields = ["id", "number", "kind", "state", "state_name", "priority", "title", "team", "assignee", "customer",
                  "customer_number", "channel", "created_at", "answer_due_at", "resolved_at", "version"]


class TicketEventOutput(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = TicketEvent
        fields = ["id", "at", "actor", "action", "field", "old", "new", "reason"]


class TicketEntryOutput(serializers.ModelSerializer):
    author = serializers.StringRelatedField()

    class Meta:
        model = TicketEntry
        fields = ["id", "kind", "author", "body", "created_at"]


class DispatchOutput(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="code", read_only=True)
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True)
    dispatched_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Dispatch
        fields = ["id", "team", "assignee", "dispatched_by", "dispatched_at", "phoned", "phoned_at", "phoned_person",
                  "note"]


class TicketDetailOutput(TicketListOutput):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    events = TicketEventOutput(many=True, read_only=True)
    dispatches = DispatchOutput(many=True, read_only=True)
    status_sentence = serializers.SerializerMethodField()
    clocks = serializers.SerializerMethodField()

    class Meta(TicketListOutput.Meta):
        fields = TicketListOutput.Meta.fields + [
            "category", "description", "occurred_at", "location", "reporter_name", "reporter_phone", "resolution",
            "closed_at", "received_at", "events", "dispatches", "clocks", "status_sentence"]

    def get_clocks(self, obj) -> list[dict]:
        from kefu.sla.serializers import ClockOutput

        return ClockOutput(obj.clocks.all(), many=True).data

    def get_status_sentence(self, obj) -> str:
        from .services import ticket_status_sentence

        return ticket_status_sentence(obj)


class SharedQuerysetMixin:
    """A related field whose copies share its queryset. DRF copies every declared field for each serializer
    instance, querysets deeply; a queryset is never evaluated in place (DRF calls `.all()` on it), so sharing it
    is safe, and it halves the cost of validating a ticket creation."""

    def __deepcopy__(self, memo):
        args = [copy.deepcopy(item, memo) for item in self._args]
        kwargs = {key: value if key in ("queryset", "validators", "regex") else copy.deepcopy(value, memo)
                  for key, value in self._kwargs.items()}
        return self.__class__(*args, **kwargs)


class SharedSlugField(SharedQuerysetMixin, serializers.SlugRelatedField):
    pass


class SharedPrimaryKeyField(SharedQuerysetMixin, serializers.PrimaryKeyRelatedField):
    pass


class ConfigSlugField(SharedSlugField):
    """A kind or priority by code, looked up in this process's copy of the configuration (kefu.tickets.config);
    an unknown code falls through to the query, so the error is the usual one."""

    def __init__(self, section: str, **kwargs) -> None:
        self.section = section
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data):
        from . import config

        if isinstance(data, str):
            found = getattr(config.tickets(), self.section).get(data)
            if found is not None:
                return found
        return super().to_internal_value(data)


class TicketCreateInput(serializers.Serializer):
    kind = ConfigSlugField("kinds", queryset=TicketKind.objects.all())
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    customer = SharedPrimaryKeyField(queryset=Customer.objects.all(), required=False, allow_null=True)
    category = SharedSlugField(slug_field="code", queryset=ServiceCategory.objects.all(), required=False,
                               allow_null=True)
    priority = ConfigSlugField("priorities", queryset=Priority.objects.all(), required=False, allow_null=True)
    team = SharedSlugField(slug_field="code", queryset=Team.objects.all(), required=False, allow_null=True)
    assignee = SharedSlugField(slug_field="username", queryset=User.objects.filter(is_active=True), required=False,
                               allow_null=True)
    channel = serializers.ChoiceField(choices=Ticket.Channel.choices, required=False)
    occurred_at = serializers.DateTimeField(required=False, allow_null=True)
    location = serializers.CharField(max_length=255, required=False, allow_blank=True)
    reporter_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    reporter_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    close_at_once = serializers.BooleanField(required=False, default=False)
    resolution = serializers.CharField(required=False, allow_blank=True)
    received_at = serializers.DateTimeField(required=False, allow_null=True,
                                            help_text="When the request arrived (a fax's time of receipt).")


class StartedClockOutput(serializers.Serializer):
    policy = serializers.CharField(source="policy.code", help_text="The SLA policy's code.")
    clock = serializers.CharField(source="policy.clock", help_text="What the clock measures, e.g. answer.")
    deadline = serializers.DateTimeField()
    warn_at = serializers.DateTimeField(allow_null=True)


class TicketCreatedOutput(serializers.Serializer):
    """What a creation answers: enough to go on (number, version for the next change, state, deadlines) without
    the timeline; GET `url` for the whole ticket."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The ticket's detail in the API.")
    version = serializers.IntegerField(help_text="Send it back with the next change (optimistic locking).")
    kind = serializers.CharField(source="kind.code")
    state = serializers.CharField(source="state.code")
    state_name = serializers.CharField(source="state.name")
    priority = serializers.CharField(source="priority.code")
    channel = serializers.CharField()
    created_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField()
    answer_due_at = serializers.DateTimeField(allow_null=True, help_text="The earliest deadline of its clocks.")
    deadlines = StartedClockOutput(source="started_clocks", many=True,
                                   help_text="The SLA clocks the ticket started (none when closed at once).")

    def get_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("ticket-detail", args=[obj.pk])

    def to_representation(self, ticket) -> dict:
        # The same answer as the fields above give (a test compares the two), built directly: DRF would copy and
        # bind all the fields for every creation, which cost more than the rest of the answer.
        when = _DATETIME.to_representation
        return {
            "id": ticket.pk, "number": ticket.number, "url": self.get_url(ticket), "version": ticket.version,
            "kind": ticket.kind.code, "state": ticket.state.code, "state_name": ticket.state.name,
            "priority": ticket.priority.code, "channel": ticket.channel, "created_at": when(ticket.created_at),
            "received_at": when(ticket.received_at),
            "answer_due_at": when(ticket.answer_due_at) if ticket.answer_due_at else None,
            "deadlines": [{"policy": c.policy.code, "clock": c.policy.clock, "deadline": when(c.deadline),
                           "warn_at": when(c.warn_at) if c.warn_at else None} for c in ticket.started_clocks],
        }


_DATETIME = serializers.DateTimeField()


class TicketUpdateInput(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you saw; a stale one is refused with 409.")
    reason = serializers.CharField(required=False, allow_blank=True)
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    category = serializers.SlugRelatedField(slug_field="code", queryset=ServiceCategory.objects.all(),
                                            required=False, allow_null=True)
    priority = serializers.SlugRelatedField(slug_field="code", queryset=Priority.objects.all(), required=False)
    team = serializers.SlugRelatedField(slug_field="code", queryset=Team.objects.all(), required=False,
                                        allow_null=True)
    assignee = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.filter(is_active=True),
                                            required=False, allow_null=True)
    occurred_at = serializers.DateTimeField(required=False, allow_null=True)
    location = serializers.CharField(max_length=255, required=False, allow_blank=True)
    reporter_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    reporter_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)


class TransitionInput(serializers.Serializer):
    transition = serializers.SlugField()
    version = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True)


class DispatchInput(serializers.Serializer):
    version = serializers.IntegerField()
    team = serializers.SlugRelatedField(slug_field="code", queryset=Team.objects.filter(is_active=True))
    assignee = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.filter(is_active=True),
                                            required=False, allow_null=True)
    phoned = serializers.BooleanField(required=False, default=False)
    phoned_person = serializers.CharField(max_length=100, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)


class EntryInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TicketEntry.Kind.choices)
    body = serializers.CharField()


class StatusOutput(serializers.Serializer):
    number = serializers.CharField()
    state = serializers.CharField()
    solved = serializers.BooleanField()
    sentence = serializers.CharField()


class NotificationOutput(serializers.ModelSerializer):
    ticket_number = serializers.CharField(source="ticket.number", read_only=True, default=None)

    class Meta:
        model = Notification
        fields = ["id", "message", "ticket", "ticket_number", "created_at", "read_at"]


class WorkOrderOutput(serializers.ModelSerializer):
    ticket_number = serializers.CharField(source="ticket.number", read_only=True)
    team = serializers.SlugRelatedField(slug_field="code", read_only=True)
    engineer = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        from .models import WorkOrder

        model = WorkOrder
        fields = ["id", "ticket", "ticket_number", "kind", "state", "team", "engineer", "address", "onsite_phone",
                  "business_hours", "contact_person", "product_model", "verification", "verified_at", "assigned_at",
                  "arrived_at", "finished_at", "work_done", "parts_used", "result"]


class VerificationItem(serializers.Serializer):
    confirmed = serializers.BooleanField(required=False, default=False)
    value = serializers.CharField(required=False, allow_blank=True, default="")
    corrected = serializers.CharField(required=False, allow_blank=True, default="")


class WorkOrderCreateInput(serializers.Serializer):
    team = serializers.SlugRelatedField(slug_field="code", queryset=Team.objects.filter(is_active=True))
    verification = serializers.DictField(child=VerificationItem(),
                                         help_text="address, onsite_phone, business_hours, contact_person, "
                                                   "product_model: each confirmed with its value, or corrected")


class AssignEngineerInput(serializers.Serializer):
    engineer = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.filter(is_active=True))


class FinishInput(serializers.Serializer):
    work_done = serializers.CharField()
    parts_used = serializers.CharField(required=False, allow_blank=True, default="")
    result = serializers.ChoiceField(choices=["fixed", "not_fixed", "needs_parts"])


class AttachmentOutput(serializers.ModelSerializer):
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        from .models import Attachment

        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"]


class AttachmentInput(serializers.Serializer):
    file = serializers.FileField()


class SavedViewSerializer(serializers.ModelSerializer):
    class Meta:
        from .models import SavedView

        model = SavedView
        fields = ["id", "name", "query"]


class BulkAssignInput(serializers.Serializer):
    tickets = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=500)
    assignee = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.filter(is_active=True),
                                            allow_null=True)
    team = serializers.SlugRelatedField(slug_field="code", queryset=Team.objects.filter(is_active=True),
                                        required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
