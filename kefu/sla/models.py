"""Deadlines (SPEC §11): SLA policies as data, the clocks running on tickets, and escalation steps that fire
exactly once (a unique row per clock and step)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kefu.calendars.arithmetic import Unit
from kefu.calendars.models import Calendar
from kefu.tickets.models import Ticket, TicketKind


class SlaPolicy(models.Model):
    """R11.2: which clock, on what, on which calendar, for how long, which states pause it, when to warn."""

    class Target(models.TextChoices):
        TICKET = "ticket", _("Ticket")
        CONTACT = "contact", _("Contact (call)")
        CALLBACK = "callback", _("Callback")
        COMPLAINT_FOLLOW_UP = "complaint_follow_up", _("Complaint follow-up callback")
        SERVICE_EXCEPTION = "service_exception", _("Service exception")

    class ClockKind(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("First response")
        ANSWER = "answer", _("Answer to the customer")
        RESOLUTION = "resolution", _("Resolution")
        CALLBACK = "callback", _("Callback")
        FOLLOW_UP = "follow_up", _("Follow-up")
        ASSESSMENT = "assessment", _("First assessment")
        HANDLING = "handling", _("Call handling")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    source = models.CharField(_("source"), max_length=100, blank=True, help_text=_("SPEC rule and seed."))
    target = models.CharField(_("applies to"), max_length=24, choices=Target.choices, default=Target.TICKET)
    clock = models.CharField(_("clock"), max_length=16, choices=ClockKind.choices)
    kinds = models.ManyToManyField(TicketKind, verbose_name=_("ticket kinds"), blank=True,
                                   help_text=_("Empty: every kind."))
    channel = models.CharField(_("channel"), max_length=16, blank=True, choices=Ticket.Channel.choices,
                               help_text=_("Only tickets that came in by this channel (e.g. fax)."))
    skip_closed_at_once = models.BooleanField(_("not for tickets closed at once"), default=True)
    calendar = models.ForeignKey(Calendar, verbose_name=_("calendar"), on_delete=models.PROTECT, null=True,
                                 blank=True, help_text=_("Empty: the default calendar for working units, "
                                                         "7×24 otherwise."))
    amount = models.DecimalField(_("duration"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=16, choices=[(u.value, u.value) for u in Unit])
    pause_states = models.JSONField(_("paused in states"), default=list, blank=True,
                                    help_text=_("Workflow state codes that pause the clock, e.g. waiting_customer."))
    stops_on = models.CharField(_("stops when"), max_length=16, default="resolved",
                                choices=[("resolved", _("the ticket is solved")), ("closed", _("the ticket is closed")),
                                         ("reply", _("the customer gets a reply"))])
    warn_at_percent = models.PositiveSmallIntegerField(
        _("warn at (percent of the time used)"), default=80, help_text=_("0 turns the warning off."))
    extendable = models.BooleanField(_("may be extended with the customer's consent"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(m2m_fields=[kinds])

    class Meta:
        ordering = ["code"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class EscalationRule(models.Model):
    """R11.3: after a breach, step by step — shift lead → supervisor → management."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="rules")
    step = models.PositiveSmallIntegerField(_("step"))
    role = models.SlugField(_("role to notify"), max_length=32)
    after_minutes = models.PositiveIntegerField(_("minutes after the breach"), default=0)

    class Meta:
        ordering = ["policy", "step"]
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        constraints = [models.UniqueConstraint(fields=["policy", "step"], name="escalation_rule_unique"),
                       models.CheckConstraint(condition=models.Q(step__gte=1), name="escalation_rule_step_positive")]

    def __str__(self) -> str:
        return f"{self.policy_id} #{self.step} {self.role}"


class SlaClock(models.Model):
    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        STOPPED = "stopped", _("Stopped")

    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, related_name="clocks")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="clocks", null=True, blank=True)
    # A clock on something other than a ticket (a complaint follow-up callback R5.4, a service exception's first
    # assessment R6.2): the policy's target and the object's id, with a label for notifications.
    target_type = models.CharField(_("applies to"), max_length=24, blank=True, default="",
                                   choices=SlaPolicy.Target.choices)
    target_id = models.BigIntegerField(_("object id"), null=True, blank=True)
    target_label = models.CharField(_("object"), max_length=100, blank=True, default="")
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField(_("started"))
    deadline = models.DateTimeField(_("deadline"))
    warn_at = models.DateTimeField(_("warning at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    remaining_seconds = models.BigIntegerField(_("time left when paused (s)"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    # When the sweep must look at this clock next (warning, deadline, next escalation); null: nothing to do.
    next_check_at = models.DateTimeField(_("next check"), null=True, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        indexes = [
            models.Index(fields=["next_check_at"], name="sla_clock_due",
                         condition=models.Q(state="running", next_check_at__isnull=False)),
            models.Index(fields=["state", "deadline"], name="sla_clock_state_deadline"),
            models.Index(fields=["target_type", "target_id"], name="sla_clock_target"),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.ticket_id} {self.deadline:%Y-%m-%d %H:%M}"

    @property
    def breached(self) -> bool:
        return self.breached_at is not None


class ClockEscalation(models.Model):
    """One fired step of a clock: 0 is the warning, 1… the escalation rules. Unique, hence exactly once."""

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="escalations")
    step = models.PositiveSmallIntegerField(_("step"))
    role = models.SlugField(_("role"), max_length=32, blank=True)
    fired_at = models.DateTimeField(_("fired at"))
    notified = models.JSONField(_("notified"), default=list)

    class Meta:
        ordering = ["clock", "step"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [models.UniqueConstraint(fields=["clock", "step"], name="clock_escalation_once")]

    def __str__(self) -> str:
        return f"{self.clock_id} #{self.step}"


class ClockExtension(models.Model):
    """R5.2 [003]: a deadline extended only with the customer's consent — who agreed, when, the new deadline."""

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="extensions")
    old_deadline = models.DateTimeField(_("old deadline"))
    new_deadline = models.DateTimeField(_("new deadline"))
    consent_by = models.CharField(_("customer who agreed"), max_length=100)
    consent_at = models.DateTimeField(_("agreed at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")

    def __str__(self) -> str:
        return f"{self.clock_id} → {self.new_deadline:%Y-%m-%d %H:%M}"
