"""Contacts and telephony (SPEC §3): queues, contacts, the raw telephony event log, standard and forbidden
phrases, agent states and call-detail-record imports."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Queue(models.Model):
    """A queue or hotline calls arrive on (R3.6). Created on first sight from the PBX's queue name; an
    administrator gives it a readable name."""

    code = models.CharField(_("code"), max_length=64, unique=True, help_text=_("The queue name used by the PBX."))
    name = models.CharField(_("name"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("queue")
        verbose_name_plural = _("queues")

    def __str__(self) -> str:
        return self.name or self.code


class Contact(models.Model):
    """R3.1: one call, fax, e-mail, web request, IVR session or visit.

    Telephony contacts are a function of their events (`TelephonyEvent` with the same `call_id`), folded
    in time order whatever order they arrived in; the times, wait, talk and hold seconds and the state are
    stored so that the figures (`kefu.contacts.figures`) aggregate in the database.
    """

    class Channel(models.TextChoices):
        INBOUND_CALL = "inbound_call", _("Inbound call")
        OUTBOUND_CALL = "outbound_call", _("Outbound call")
        FAX = "fax", _("Fax")
        EMAIL = "email", _("E-mail")
        WEB_FORM = "web_form", _("Web form")
        IVR = "ivr", _("IVR self-service")
        WALK_IN = "walk_in", _("Walk-in")

    class State(models.TextChoices):
        OFFERED = "offered", _("Offered (ringing or queued)")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        ABANDONED = "abandoned", _("Abandoned")
        NOT_ANSWERED = "not_answered", _("Not answered")

    class Outcome(models.TextChoices):
        NONE = "", _("Not recorded")
        RESOLVED = "resolved", _("Solved at once")
        TICKET = "ticket", _("Ticket created or updated")
        TRANSFERRED = "transferred", _("Transferred")
        CALLBACK = "callback", _("Callback promised")
        NO_ACTION = "no_action", _("Nothing to do")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        TELEPHONY = "telephony", _("Telephony events")
        CDR = "cdr", _("Call detail records")

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.INBOUND_CALL)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.MANUAL)
    call_id = models.CharField(_("call ID"), max_length=100, unique=True, null=True, blank=True,
                               help_text=_("The PBX's identifier of the call (Asterisk: linkedid / uniqueid)."))
    caller_number = models.CharField(_("caller number"), max_length=32, blank=True, db_index=True)
    called_number = models.CharField(_("called number"), max_length=32, blank=True)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="contacts")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="contacts")
    agent_extension = models.CharField(_("agent extension"), max_length=32, blank=True)
    queue = models.ForeignKey(Queue, verbose_name=_("queue"), on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="contacts")
    offered_at = models.DateTimeField(_("offered"), db_index=True)
    # The quarter hour of offered_at (UTC); figures group by it and merge quarters into 30/60-minute intervals.
    offered_slot = models.DateTimeField(_("offered (quarter hour)"), editable=False)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    wait_seconds = models.PositiveIntegerField(_("wait (s)"), null=True, blank=True)
    talk_seconds = models.PositiveIntegerField(_("talk (s)"), null=True, blank=True,
                                               help_text=_("From answer to end, holds included."))
    hold_seconds = models.PositiveIntegerField(_("on hold (s)"), default=0)
    wrap_up_seconds = models.PositiveIntegerField(_("after-call work (s)"), null=True, blank=True)
    handle_seconds = models.PositiveIntegerField(_("handle time (s)"), null=True, blank=True,
                                                 help_text=_("Talk time plus after-call work."))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OFFERED)
    missing_offer = models.BooleanField(
        _("offer event missing"), default=False,
        help_text=_("Events of this call arrived but not (yet) the one that offered it."))
    transferred_to = models.CharField(_("transferred to"), max_length=64, blank=True)
    transfer_count = models.PositiveSmallIntegerField(_("transfers"), default=0)
    recording_url = models.CharField(_("recording"), max_length=500, blank=True)
    # R3.1 [002]: the summary in 5W1H.
    summary_when = models.CharField(_("when"), max_length=200, blank=True)
    summary_who = models.CharField(_("who"), max_length=200, blank=True)
    summary_where = models.CharField(_("where"), max_length=200, blank=True)
    summary_what = models.TextField(_("what"), blank=True)
    summary_why = models.TextField(_("why"), blank=True)
    summary_how = models.TextField(_("how"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.NONE,
                               blank=True)
    tickets = models.ManyToManyField("tickets.Ticket", verbose_name=_("tickets"), blank=True,
                                     related_name="contacts")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[tickets])

    SUMMARY_FIELDS = ("summary_when", "summary_who", "summary_where", "summary_what", "summary_why", "summary_how")

    class Meta:
        ordering = ["-offered_at", "-id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["offered_slot", "queue"], name="contact_slot_queue"),
            models.Index(fields=["agent", "offered_slot"], name="contact_agent_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {timezone.localtime(self.offered_at):%Y-%m-%d %H:%M}"

    @property
    def customer_number_side(self) -> str:
        """The customer's number: the caller of an inbound contact, the called party of an outbound call."""
        return self.called_number if self.channel == self.Channel.OUTBOUND_CALL else self.caller_number


class TelephonyEvent(models.Model):
    """R3.6: one call event as received (after an adapter mapped it). Unique per (source, event_id), so a
    repeated delivery is refused by the database and changes nothing."""

    class Kind(models.TextChoices):
        OFFERED = "offered", _("Offered")
        QUEUED = "queued", _("Queued")
        ANSWERED = "answered", _("Answered")
        HELD = "held", _("Held")
        RETRIEVED = "retrieved", _("Taken off hold")
        TRANSFERRED = "transferred", _("Transferred")
        ABANDONED = "abandoned", _("Abandoned")
        ENDED = "ended", _("Ended")
        RECORDING_READY = "recording_ready", _("Recording ready")

    source = models.CharField(_("source"), max_length=32)
    event_id = models.CharField(_("event ID"), max_length=100)
    call_id = models.CharField(_("call ID"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("occurred"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("telephony event")
        verbose_name_plural = _("telephony events")
        constraints = [
            models.UniqueConstraint(fields=["source", "event_id"], name="telephony_event_unique"),
        ]
        indexes = [models.Index(fields=["call_id", "occurred_at"], name="telephony_event_call")]

    def __str__(self) -> str:
        return f"{self.source}:{self.event_id} {self.kind} {self.call_id}"


class StandardPhrase(models.Model):
    """R3.3 [000][003]: what the agent says at each step; data edited by supervisors. `{work_number}` in
    the text is replaced by the agent's work number."""

    class Step(models.TextChoices):
        GREETING = "greeting", _("Greeting")
        VERIFICATION = "verification", _("Verification")
        HOLD = "hold", _("Hold")
        TRANSFER = "transfer", _("Transfer")
        COMPLAINT_TRANSFER = "complaint_transfer", _("Complaint transfer")
        APOLOGY = "apology", _("Apology")
        CLOSING = "closing", _("Closing")

    step = models.CharField(_("step"), max_length=32, choices=Step.choices)
    text = models.TextField(_("text"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("source"), max_length=50, blank=True, help_text=_("For example [000]."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["step", "order", "id"]
        verbose_name = _("standard phrase")
        verbose_name_plural = _("standard phrases")

    def __str__(self) -> str:
        return self.text


class ForbiddenPhrase(models.Model):
    """R3.3, R8.2 [003]: phrases an agent must never use (服务忌语); the quality checks look for them."""

    text = models.CharField(_("text"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("source"), max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("forbidden phrase")
        verbose_name_plural = _("forbidden phrases")

    def __str__(self) -> str:
        return self.text


class AgentStatus(models.Model):
    """An agent's current state (R3.2, R9): logged out, logged in (not ready), ready, on a call, after-call
    work, break. Every change is kept in the history (durations for workforce reports)."""

    class State(models.TextChoices):
        LOGGED_OUT = "logged_out", _("Logged out")
        LOGGED_IN = "logged_in", _("Logged in, not ready")
        READY = "ready", _("Ready")
        ON_CALL = "on_call", _("On a call")
        AFTER_CALL_WORK = "after_call_work", _("After-call work")
        BREAK = "break", _("Break")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.CASCADE,
                                primary_key=True, related_name="agent_status")
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.LOGGED_OUT)
    since = models.DateTimeField(_("since"))
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("agent state")
        verbose_name_plural = _("agent states")

    def __str__(self) -> str:
        return f"{self.user}: {self.get_state_display()}"


class CdrImport(models.Model):
    """One import of call detail records (R3.6): who, which file, what came of it, row by row."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("imported by"),
                                   on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    filename = models.CharField(_("file name"), max_length=255)
    format = models.CharField(_("format"), max_length=32)
    dry_run = models.BooleanField(_("dry run"), default=False)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    calls = models.PositiveIntegerField(_("calls"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    skipped_count = models.PositiveIntegerField(_("already there"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("call record import")
        verbose_name_plural = _("call record imports")

    def __str__(self) -> str:
        return self.filename


class RecordingAccess(models.Model):
    """R3.8 [000]: one opening of a call recording — who, when, which contact, from where. Written by the view
    that hands the recording out; nobody edits or deletes it (the admin is read-only)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT,
                             related_name="+")
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.PROTECT,
                                related_name="recording_accesses")
    recording_url = models.CharField(_("recording"), max_length=500)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    via = models.CharField(_("opened through"), max_length=8, choices=[("web", _("web page")), ("api", _("API"))],
                           default="web")
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("recording access")
        verbose_name_plural = _("recording accesses")

    def __str__(self) -> str:
        return f"{self.user} · {self.contact_id}"
