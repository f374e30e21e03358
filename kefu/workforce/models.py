"""Workforce data (SPEC §9): queues as planned, their volume history and forecasts (R9.1), shift templates and
minimum agents per period (R9.5 [000]), staffing plans, rosters, agent profiles, leave with a substitute
(R9.6 [003]), surges (R9.6 [004]), the solver jobs that compute them, and one log of who did what.

The calculators of R9.2–R9.4 need no table (`erlang.py`, `seats.py`).
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

INTERVAL_CHOICES = ((15, _("15 minutes")), (30, _("30 minutes")))


class PlanningQueue(models.Model):
    """A queue as the planners see it (R9.1–R9.2): its code is the PBX queue name (the contacts app's queue code),
    with the handling time, patience and targets its staffing is computed with. Created on first sight by a
    volume import; empty targets use the workforce defaults."""

    code = models.CharField(_("code"), max_length=64, unique=True, help_text=_("The queue name used by the PBX."))
    name = models.CharField(_("name"), max_length=100, blank=True)
    interval_minutes = models.PositiveSmallIntegerField(_("interval"), choices=INTERVAL_CHOICES, default=30)
    aht_seconds = models.DecimalField(_("average handling time (seconds)"), max_digits=8, decimal_places=2,
                                      validators=[MinValueValidator(1)])
    patience_seconds = models.DecimalField(
        _("average patience (seconds)"), max_digits=8, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Given: staffing by Erlang A (callers hang up). Empty: Erlang C (callers wait)."))
    service_level = models.DecimalField(
        _("service-level target"), max_digits=5, decimal_places=4, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(Decimal("0.9999"))], help_text=_("Empty: the default."))
    answer_within_seconds = models.DecimalField(_("answer time (seconds)"), max_digits=8, decimal_places=2,
                                                null=True, blank=True, help_text=_("Empty: the default."))
    answer_rate = models.DecimalField(
        _("answer-rate target"), max_digits=5, decimal_places=4, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(Decimal("0.9999"))], help_text=_("Empty: the default."))
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("planning queue")
        verbose_name_plural = _("planning queues")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.name else self.code


class IntervalVolume(models.Model):
    """R9.1: contacts offered to a queue in one interval — the forecast's history. Imported from CSV
    (`kefu workforce import-volumes`) or recorded from the contacts (`services.interval_volumes_record`)."""

    class Source(models.TextChoices):
        IMPORT = "import", _("Import")
        CONTACTS = "contacts", _("Contacts")
        DEMO = "demo", _("Demo data")

    queue = models.ForeignKey(PlanningQueue, verbose_name=_("queue"), on_delete=models.CASCADE,
                              related_name="volumes")
    interval_start = models.DateTimeField(_("interval start"))
    interval_minutes = models.PositiveSmallIntegerField(_("interval"), choices=INTERVAL_CHOICES)
    offered = models.PositiveIntegerField(_("contacts offered"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.IMPORT)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["queue", "interval_start"]
        verbose_name = _("interval volume")
        verbose_name_plural = _("interval volumes")
        constraints = [models.UniqueConstraint(fields=["queue", "interval_start"], name="volume_queue_interval")]

    def __str__(self) -> str:
        return f"{self.queue.code} {self.interval_start:%Y-%m-%d %H:%M} {self.offered}"


class Forecast(models.Model):
    """R9.1: one queue's forecast for one day, per interval, with the model chosen by the backtest and the
    backtest errors of every model (shown next to the figures)."""

    queue = models.ForeignKey(PlanningQueue, verbose_name=_("queue"), on_delete=models.CASCADE,
                              related_name="forecasts")
    date = models.DateField(_("date"))
    interval_minutes = models.PositiveSmallIntegerField(_("interval"), choices=INTERVAL_CHOICES)
    day_kind = models.CharField(_("kind of day"), max_length=24)
    model = models.CharField(_("model"), max_length=24)
    values = models.JSONField(_("contacts per interval"))
    wape = models.FloatField(_("backtest WAPE"), null=True, blank=True)
    mape = models.FloatField(_("backtest MAPE"), null=True, blank=True)
    backtest = models.JSONField(_("backtest of every model"), default=dict)
    history_days = models.PositiveIntegerField(_("days of history"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now=True)

    class Meta:
        ordering = ["queue", "date"]
        verbose_name = _("forecast")
        verbose_name_plural = _("forecasts")
        constraints = [models.UniqueConstraint(fields=["queue", "date"], name="forecast_queue_date")]

    def __str__(self) -> str:
        return f"{self.queue.code} {self.date}"

    @property
    def total(self) -> float:
        return float(sum(self.values))


class ShiftTemplate(models.Model):
    """R9.5 [000]: a shift (defaults 08:00–20:00, 09:00–21:00, 20:00–08:00). It may cross midnight; its length
    is at most 24 hours. Paid minutes may be less than the length (an unpaid meal break)."""

    code = models.SlugField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=50)
    start = models.TimeField(_("starts at"))
    duration_minutes = models.PositiveIntegerField(_("length (minutes)"),
                                                   validators=[MinValueValidator(15), MaxValueValidator(24 * 60)])
    paid_minutes = models.PositiveIntegerField(_("paid minutes"), validators=[MaxValueValidator(24 * 60)])
    is_night = models.BooleanField(_("night shift"), default=False,
                                   help_text=_("Night shifts are shared out fairly by the roster."))
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("source"), max_length=30, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["start", "code"]
        verbose_name = _("shift template")
        verbose_name_plural = _("shift templates")
        constraints = [models.CheckConstraint(condition=models.Q(paid_minutes__lte=models.F("duration_minutes")),
                                              name="shift_paid_within_length")]

    def __str__(self) -> str:
        return f"{self.name} {self.span}"

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute

    @property
    def span(self) -> str:
        end = self.start_minute + self.duration_minutes
        text = f"{self.start:%H:%M}–{end // 60 % 24:02d}:{end % 60:02d}"
        return text + ("⁺¹" if end > 24 * 60 else "")

    def clean(self) -> None:
        if self.paid_minutes is not None and self.duration_minutes is not None \
                and self.paid_minutes > self.duration_minutes:
            raise ValidationError({"paid_minutes": _("Paid time cannot exceed the length of the shift.")})


class CoverageMinimum(models.Model):
    """R9.5 [000]: at least N agents on duty in a period of every day (≥ 8 at peak, ≥ 2 at night). An end at or
    before the start crosses midnight; start = end is the whole day. Without a queue it applies to every queue."""

    name = models.CharField(_("name"), max_length=50)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))
    minimum_agents = models.PositiveIntegerField(_("minimum agents"))
    queue = models.ForeignKey(PlanningQueue, verbose_name=_("queue"), on_delete=models.CASCADE, null=True,
                              blank=True, related_name="minimums", help_text=_("Empty: every queue."))
    source = models.CharField(_("source"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["start", "name"]
        verbose_name = _("minimum agents per period")
        verbose_name_plural = _("minimum agents per period")

    def __str__(self) -> str:
        return f"{self.name} {self.start:%H:%M}–{self.end:%H:%M} ≥ {self.minimum_agents}"

    @staticmethod
    def minute_of(value: time) -> int:
        return value.hour * 60 + value.minute


class AgentProfile(models.Model):
    """What the roster and leave need to know about one person: his direct supervisor (who approves his leave,
    R9.6 [003]), the queues he may take (skills; none = every queue), whether he works nights, and his
    preferences. Without a profile a user with the agent role takes every queue and every shift."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                                related_name="workforce_profile")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("direct supervisor"),
                                   on_delete=models.SET_NULL, null=True, blank=True, related_name="direct_reports")
    queues = models.ManyToManyField(PlanningQueue, verbose_name=_("queues (skills)"), blank=True,
                                    related_name="agents", help_text=_("Empty: every queue."))
    works_nights = models.BooleanField(_("works night shifts"), default=True)
    rostered = models.BooleanField(_("rostered"), default=True,
                                   help_text=_("Off: the roster solver never assigns him."))
    preferred_templates = models.ManyToManyField(ShiftTemplate, verbose_name=_("preferred shifts"), blank=True,
                                                 related_name="preferred_by")
    preferred_days_off = models.CharField(
        _("preferred days off"), max_length=7, blank=True,
        validators=[RegexValidator(r"^(?!.*(.).*\1)[1-7]{0,7}$", _("Digits 1 (Monday) to 7 (Sunday), each once."))],
        help_text=_("1 = Monday … 7 = Sunday, e.g. 67."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")

    def __str__(self) -> str:
        return str(self.user)


class StaffingPlan(models.Model):
    """R9.5: how many agents start each shift each day for one queue over a period, with the required and
    scheduled agents per interval and the optimiser's status."""

    queue = models.ForeignKey(PlanningQueue, verbose_name=_("queue"), on_delete=models.PROTECT,
                              related_name="plans")
    start_date = models.DateField(_("first day"))
    days = models.PositiveSmallIntegerField(_("days"), validators=[MinValueValidator(1), MaxValueValidator(62)])
    interval_minutes = models.PositiveSmallIntegerField(_("interval"), choices=INTERVAL_CHOICES)
    templates = models.JSONField(_("shift templates used"), default=list)
    solver_status = models.CharField(_("solver status"), max_length=16)
    objective = models.FloatField(_("objective"), null=True, blank=True)
    best_bound = models.FloatField(_("best bound"), null=True, blank=True)
    gap = models.FloatField(_("gap"), null=True, blank=True)
    wall_seconds = models.FloatField(_("solve time (seconds)"), default=0)
    paid_hours = models.FloatField(_("paid hours"), default=0)
    short_intervals = models.PositiveIntegerField(_("intervals not covered"), default=0)
    lead_in = models.JSONField(_("shifts run in from the day before"), default=dict)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("staffing plan")
        verbose_name_plural = _("staffing plans")

    def __str__(self) -> str:
        return f"{self.queue.code} {self.start_date} +{self.days}"


class PlanDay(models.Model):
    """One day of a plan: forecast contacts, required and scheduled agents per interval, and the starts."""

    plan = models.ForeignKey(StaffingPlan, on_delete=models.CASCADE, related_name="plan_days")
    date = models.DateField(_("date"))
    forecast = models.JSONField(_("forecast contacts"), default=list)
    required = models.JSONField(_("required agents"), default=list)
    scheduled = models.JSONField(_("scheduled agents"), default=list)
    starts = models.JSONField(_("shift starts"), default=dict)

    class Meta:
        ordering = ["plan", "date"]
        constraints = [models.UniqueConstraint(fields=["plan", "date"], name="plan_day_unique")]

    def __str__(self) -> str:
        return f"{self.plan} {self.date}"


class Roster(models.Model):
    """R9.5: named agents on one plan's shifts. Draft until a supervisor publishes it to the agents."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    plan = models.ForeignKey(StaffingPlan, verbose_name=_("staffing plan"), on_delete=models.PROTECT,
                             related_name="rosters")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    solver_status = models.CharField(_("solver status"), max_length=16, blank=True)
    objective = models.FloatField(_("objective"), null=True, blank=True)
    best_bound = models.FloatField(_("best bound"), null=True, blank=True)
    gap = models.FloatField(_("gap"), null=True, blank=True)
    wall_seconds = models.FloatField(_("solve time (seconds)"), default=0)
    unfilled_shifts = models.PositiveIntegerField(_("shifts left empty"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"),
                                     on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("roster")
        verbose_name_plural = _("rosters")

    def __str__(self) -> str:
        return f"{self.plan}"


class RosterAssignment(models.Model):
    """One agent's shift on one day (at most one a day, whatever the roster). `fixed` marks what a supervisor set
    by hand (the solver keeps it); a fixed row without a shift is a day off set by hand. `covers_for` names the
    colleague whose shift a substitute took over on approved leave (代班, R9.6 [003])."""

    roster = models.ForeignKey(Roster, verbose_name=_("roster"), on_delete=models.CASCADE,
                               related_name="assignments")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT,
                              related_name="roster_assignments")
    date = models.DateField(_("date"))
    template = models.ForeignKey(ShiftTemplate, verbose_name=_("shift"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="assignments")
    fixed = models.BooleanField(_("fixed by hand"), default=False)
    covers_for = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("substitute for"),
                                   on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    leave = models.ForeignKey("LeaveRequest", verbose_name=_("leave"), on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="substitutions")

    class Meta:
        ordering = ["date", "agent"]
        verbose_name = _("roster assignment")
        verbose_name_plural = _("roster assignments")
        constraints = [
            models.UniqueConstraint(fields=["agent", "date"], name="assignment_one_a_day"),
            models.CheckConstraint(condition=models.Q(template__isnull=False) | models.Q(fixed=True),
                                   name="assignment_off_is_fixed"),
        ]
        indexes = [models.Index(fields=["roster", "date"], name="assignment_roster_date")]

    def __str__(self) -> str:
        return f"{self.agent} {self.date} {self.template.code if self.template else '—'}"


class LeaveRequest(models.Model):
    """R9.6 [003]: "请假必须得到直接领导的同意，且必须有同事代班" — leave needs the direct supervisor's approval and
    a named colleague as substitute; on approval the substitute takes the agent's shifts."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("Annual leave")
        PERSONAL = "personal", _("Personal leave")
        SICK = "sick", _("Sick leave")
        COMPENSATORY = "compensatory", _("Time off in lieu")
        OTHER = "other", _("Other")

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT,
                              related_name="leave_requests")
    kind = models.CharField(_("kind of leave"), max_length=16, choices=Kind.choices, default=Kind.PERSONAL)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    substitute = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("substitute"), on_delete=models.PROTECT,
                                   related_name="substitute_requests")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("note on the decision"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                   name="leave_not_inverted"),
            models.CheckConstraint(condition=~models.Q(substitute=models.F("agent")), name="leave_substitute_other"),
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.start_date}–{self.end_date}"


class Surge(models.Model):
    """R9.6 [004]: in a major outage every non-phone member of staff goes onto the phones ("除话务员外的所有人员可
    随时机动补充到话务座席上"), and back when it ends. Who started and ended it, when, and whom it moved."""

    reason = models.CharField(_("reason"), max_length=500)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT,
                                   related_name="+")
    started_at = models.DateTimeField(_("started"))
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ended by"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    teams = models.ManyToManyField("accounts.Team", verbose_name=_("teams"), blank=True, related_name="+",
                                   help_text=_("Empty: every team."))
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("staff moved to the phones"),
                                     blank=True, related_name="surges")
    # True while the surge runs, NULL after: the unique constraint allows one running surge (NULLs never clash).
    running = models.BooleanField(null=True, default=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("surge")
        verbose_name_plural = _("surges")
        constraints = [models.UniqueConstraint(fields=["running"], name="surge_one_running")]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.reason}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class SolverJob(models.Model):
    """A forecast, plan or roster computed by a worker (they may run for many seconds). The page polls it."""

    class Kind(models.TextChoices):
        FORECAST = "forecast", _("Forecast")
        PLAN = "plan", _("Staffing plan")
        ROSTER = "roster", _("Roster")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    params = models.JSONField(_("parameters"), default=dict)
    result = models.JSONField(_("result"), default=dict, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    plan = models.ForeignKey(StaffingPlan, verbose_name=_("staffing plan"), on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    roster = models.ForeignKey(Roster, verbose_name=_("roster"), on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("solver job")
        verbose_name_plural = _("solver jobs")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def is_done(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class WorkforceEvent(models.Model):
    """The workforce log: who did what, when, to whom — plans and rosters made and published, assignments
    fixed by hand, leave requested and decided with its substitutions, surges started and ended. Written by the
    services only; read on the pages and through the API."""

    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+")
    action = models.CharField(_("action"), max_length=64)
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("whom"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+")
    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    leave = models.ForeignKey(LeaveRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    surge = models.ForeignKey(Surge, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("workforce event")
        verbose_name_plural = _("workforce events")
        indexes = [models.Index(fields=["action", "at"], name="wf_event_action_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
