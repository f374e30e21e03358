"""Tickets (SPEC §4): kinds, categories, priorities and workflows as data; tickets, their events, entries,
dispatches and notifications."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kefu.accounts.models import Role, Team
from kefu.customers.models import Customer


class ServiceCategory(models.Model):
    """R4.1: what the ticket is about; second-line dispatch goes by category (R4.4)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    team = models.ForeignKey(Team, verbose_name=_("second-line team"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="service_categories")
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")

    def __str__(self) -> str:
        return self.name


class Priority(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    rank = models.PositiveSmallIntegerField(_("rank"), default=3, help_text=_("1 is the most urgent."))
    is_default = models.BooleanField(_("default"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["rank"]
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")

    def __str__(self) -> str:
        return self.name


class Workflow(models.Model):
    """R4.2: a state machine stored as data."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("workflow")
        verbose_name_plural = _("workflows")

    def __str__(self) -> str:
        return self.name


class WorkflowState(models.Model):
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="states")
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=50)
    is_initial = models.BooleanField(_("initial state"), default=False)
    is_resolved = models.BooleanField(_("counts as solved"), default=False)
    is_closed = models.BooleanField(_("closed"), default=False)
    pauses_clock = models.BooleanField(_("pauses the clock"), default=False,
                                       help_text=_("For example waiting for the customer (R11.3)."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["workflow", "order"]
        verbose_name = _("workflow state")
        verbose_name_plural = _("workflow states")
        constraints = [
            models.UniqueConstraint(fields=["workflow", "code"], name="workflow_state_unique"),
            models.UniqueConstraint(fields=["workflow"], condition=models.Q(is_initial=True),
                                    name="workflow_one_initial_state"),
        ]

    def __str__(self) -> str:
        return self.name


class WorkflowTransition(models.Model):
    """Which roles may move a ticket from one state to another, whether a reason is required, and the side
    effects (create_work_order, start_clock, stop_clock, notify)."""

    EFFECTS = ("create_work_order", "start_clock", "stop_clock", "notify")

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="transitions")
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=50)
    from_state = models.ForeignKey(WorkflowState, verbose_name=_("from"), on_delete=models.CASCADE,
                                   related_name="outgoing")
    to_state = models.ForeignKey(WorkflowState, verbose_name=_("to"), on_delete=models.CASCADE,
                                 related_name="incoming")
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True,
                                   help_text=_("Empty: every role that may change tickets."))
    requires_reason = models.BooleanField(_("requires a reason"), default=False)
    effects = models.JSONField(_("side effects"), default=list, blank=True)
    history = HistoricalRecords(m2m_fields=[roles])

    class Meta:
        ordering = ["workflow", "from_state__order", "to_state__order"]
        verbose_name = _("workflow transition")
        verbose_name_plural = _("workflow transitions")
        constraints = [
            models.UniqueConstraint(fields=["from_state", "code"], name="workflow_transition_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state} ({self.name})"


class TicketKind(models.Model):
    """R4.1: consultation, repair, installation, complaint, … — an administrator adds a kind without code."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    workflow = models.ForeignKey(Workflow, verbose_name=_("workflow"), on_delete=models.PROTECT,
                                 related_name="kinds")
    closable_at_once = models.BooleanField(_("can be closed at once"), default=False)
    default_team = models.ForeignKey(Team, verbose_name=_("handled by"), on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+")
    work_order_kind = models.CharField(_("work order"), max_length=16, blank=True,
                                       choices=[("repair", _("Repair")), ("installation", _("Installation"))])
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("ticket kind")
        verbose_name_plural = _("ticket kinds")

    def __str__(self) -> str:
        return self.name


class TicketCounter(models.Model):
    """R4.6: one row per day; incremented with F() inside the creating transaction."""

    day = models.DateField(unique=True)
    value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.value}"


class Ticket(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        FAX = "fax", _("Fax")
        EMAIL = "email", _("E-mail")
        WEB = "web", _("Web form")
        WALK_IN = "walk_in", _("Walk-in")
        OTHER = "other", _("Other")

    number = models.CharField(_("ticket number"), max_length=32, unique=True)
    kind = models.ForeignKey(TicketKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="tickets")
    category = models.ForeignKey(ServiceCategory, verbose_name=_("service category"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="tickets")
    priority = models.ForeignKey(Priority, verbose_name=_("priority"), on_delete=models.PROTECT,
                                 related_name="tickets")
    state = models.ForeignKey(WorkflowState, verbose_name=_("state"), on_delete=models.PROTECT,
                              related_name="tickets")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.PHONE)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True,
                                       help_text=_("When the request arrived (a fax's time of receipt, R3.5); "
                                                   "the clocks start then."))
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="tickets")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # R4.5 [002]: time, place, person, event and phone of a case that cannot be answered at once.
    occurred_at = models.DateTimeField(_("when it happened"), null=True, blank=True)
    location = models.CharField(_("where"), max_length=255, blank=True)
    reporter_name = models.CharField(_("who"), max_length=100, blank=True)
    reporter_phone = models.CharField(_("phone"), max_length=32, blank=True)
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.PROTECT, null=True, blank=True,
                             related_name="tickets")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="assigned_tickets")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   null=True, related_name="created_tickets")
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    answer_due_at = models.DateTimeField(_("answer due"), null=True, blank=True, db_index=True,
                                         help_text=_("R4.5: the customer gets the answer within 3 days."))
    resolved_at = models.DateTimeField(_("solved at"), null=True, blank=True)
    resolution = models.TextField(_("how it was solved"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1,
                                          help_text=_("Raised by every change; a stale version is refused."))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["state", "-created_at"], name="ticket_state_created"),
            models.Index(fields=["team", "-created_at"], name="ticket_team_created"),
            models.Index(fields=["assignee", "-created_at"], name="ticket_assignee_created"),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer_created"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class TicketEvent(models.Model):
    """R4.2: every change of a ticket — who, when, what, from/to, reason — for the timeline and the API."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=32)
    field = models.CharField(_("field"), max_length=32, blank=True)
    old = models.TextField(_("before"), blank=True)
    new = models.TextField(_("after"), blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action} {self.field}"


class TicketEntry(models.Model):
    """R4.7: internal notes and customer-facing replies are different kinds of entry."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Internal note")
        REPLY = "reply", _("Reply to the customer")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ticket entry")
        verbose_name_plural = _("ticket entries")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


class Dispatch(models.Model):
    """R4.4 [003]: a hand-over to a team (and person), with the record that the assignee was also phoned."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="dispatches")
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="dispatches")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="dispatches_received")
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    dispatched_at = models.DateTimeField(_("dispatched at"), auto_now_add=True)
    phoned = models.BooleanField(_("also phoned"), default=False)
    phoned_at = models.DateTimeField(_("phoned at"), null=True, blank=True)
    phoned_person = models.CharField(_("person phoned"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["dispatched_at", "id"]
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.team}"


class Notification(models.Model):
    """An in-system notice to one user (the assignee of a dispatch, …)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    message = models.CharField(_("message"), max_length=255)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.message


class StatusSentence(models.Model):
    """R3.4 [003]: the standard sentences for a status inquiry, with placeholders."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    text = models.TextField(_("text"), help_text=_("Placeholders: {number}, {resolved_at}, {resolution}, "
                                                   "{expected_at}, {state}."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("status sentence")
        verbose_name_plural = _("status sentences")

    def __str__(self) -> str:
        return self.code


class WorkOrder(models.Model):
    """R4.3 [000]: a repair or installation job on site (任务单 / 任务装机单), created only after the agent
    re-verified address, on-site phone, business hours, contact person and product model."""

    class Kind(models.TextChoices):
        REPAIR = "repair", _("Repair")
        INSTALLATION = "installation", _("Installation")

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for an engineer")
        ASSIGNED = "assigned", _("Assigned")
        ON_SITE = "on_site", _("On site")
        DONE = "done", _("Done")

    class Result(models.TextChoices):
        FIXED = "fixed", _("Solved")
        NOT_FIXED = "not_fixed", _("Not solved")
        NEEDS_PARTS = "needs_parts", _("Needs parts, another visit")

    VERIFIED_ITEMS = ("address", "onsite_phone", "business_hours", "contact_person", "product_model")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="work_orders")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.WAITING)
    team = models.ForeignKey(Team, verbose_name=_("field team"), on_delete=models.PROTECT,
                             related_name="work_orders")
    engineer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("engineer"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="work_orders")
    # The re-verification (R4.3): for each item, whether the agent confirmed it and the value confirmed.
    address = models.CharField(_("address"), max_length=255)
    onsite_phone = models.CharField(_("on-site phone"), max_length=32)
    business_hours = models.CharField(_("business hours"), max_length=100)
    contact_person = models.CharField(_("contact person"), max_length=100)
    product_model = models.CharField(_("product model"), max_length=100)
    verification = models.JSONField(_("verification"), default=dict,
                                    help_text=_("Per item: confirmed as it was, or corrected (old value)."))
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(_("verified at"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    work_done = models.TextField(_("work done"), blank=True)
    parts_used = models.TextField(_("parts used"), blank=True)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        indexes = [models.Index(fields=["engineer", "state"], name="work_order_engineer_state")]

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.get_kind_display()}"


def _attachment_path(instance, filename: str) -> str:
    import uuid

    return f"attachments/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """R4.7: a file kept under a random name outside the web root; its type is sniffed from the content."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class SavedView(models.Model):
    """A user's saved ticket filter (R4 item 9): name plus the query string of the list."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_ticket_views")
    name = models.CharField(_("name"), max_length=50)
    query = models.CharField(_("filters"), max_length=500)

    class Meta:
        ordering = ["name"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_view_unique")]

    def __str__(self) -> str:
        return self.name


class ConfigStamp(models.Model):
    """One row whose value changes whenever configuration that processes keep in memory changes (kinds,
    workflows, priorities, SLA policies, calendars — see `kefu.tickets.config`); read once per request."""

    key = models.SlugField(primary_key=True, max_length=32)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("configuration stamp")
        verbose_name_plural = _("configuration stamps")

    def __str__(self) -> str:
        return f"{self.key}: {self.value}"
