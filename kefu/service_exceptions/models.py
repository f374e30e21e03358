"""Service exceptions (SPEC §6, seed [001] 客户服务异常管理办法): categories and levels as data, the exception
itself, its handling plans (one or more per round), and its history — together the ledger (异常处理跟踪台账)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kefu.accounts.models import Team
from kefu.customers.models import Customer


class ExceptionCategory(models.Model):
    """R6.1 [001] 异常分类: process, quality, commitment, complaint — with the seed's definition."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    definition = models.TextField(_("definition"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("service exception category")
        verbose_name_plural = _("service exception categories")

    def __str__(self) -> str:
        return self.name


class ExceptionLevel(models.Model):
    """R6.1, R6.3 [001] 异常分级: 1 severe, 2 major, 3 minor — who plans, whether management approves the plan
    and is told at once."""

    class Planner(models.TextChoices):
        MANAGEMENT = "management", _("Management with the departments involved")
        DESK_WITH_DEPARTMENT = "desk_with_department", _("Service desk with the business department")
        DESK = "desk", _("Service desk alone")

    number = models.PositiveSmallIntegerField(_("level"), unique=True)
    name = models.CharField(_("name"), max_length=50)
    definition = models.TextField(_("definition"), blank=True)
    planner = models.CharField(_("plans it"), max_length=24, choices=Planner.choices)
    requires_approval = models.BooleanField(_("management approves the plan"), default=False)
    notify_management = models.BooleanField(_("management is told at once"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        verbose_name = _("service exception level")
        verbose_name_plural = _("service exception levels")

    def __str__(self) -> str:
        return self.name


class ServiceException(models.Model):
    """R6.2–R6.4 [001]: one service exception from its report to its archiving; rounds of planning repeat until
    the customer is satisfied. Every change raises `version` (stale writes are refused)."""

    class Source(models.TextChoices):
        STAFF = "staff", _("Staff")
        SUPERVISION_HOTLINE = "supervision_hotline", _("Supervision hotline")
        SUPERVISION_MAILBOX = "supervision_mailbox", _("Supervision mailbox")

    class State(models.TextChoices):
        REPORTED = "reported", _("Reported, to be assessed")
        PLANNING = "planning", _("Planning")
        AWAITING_APPROVAL = "awaiting_approval", _("Plan awaiting approval")
        EXECUTING = "executing", _("Executing")
        RESULT_PENDING = "result_pending", _("Done, result to be told")
        AWAITING_RATING = "awaiting_rating", _("Awaiting the customer's rating")
        SATISFIED = "satisfied", _("Customer satisfied, to be archived")
        ARCHIVED = "archived", _("Archived")

    number = models.CharField(_("number"), max_length=32, unique=True, null=True, blank=True)
    source = models.CharField(_("reported through"), max_length=24, choices=Source.choices, default=Source.STAFF)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="service_exceptions")
    customer_name = models.CharField(_("customer contact"), max_length=100, blank=True)
    customer_phone = models.CharField(_("customer phone"), max_length=32, blank=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="reported_service_exceptions")
    reporter_name = models.CharField(_("reporter"), max_length=100, blank=True)
    reporter_contact = models.CharField(_("reporter's phone or e-mail"), max_length=100, blank=True)
    occurred_at = models.DateTimeField(_("when it happened"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.REPORTED)
    category = models.ForeignKey(ExceptionCategory, verbose_name=_("category"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="exceptions")
    level = models.ForeignKey(ExceptionLevel, verbose_name=_("level"), on_delete=models.PROTECT, null=True,
                              blank=True, related_name="exceptions")
    impact = models.TextField(_("impact"), blank=True)
    cause = models.CharField(_("cause"), max_length=100, blank=True)
    departments = models.ManyToManyField(Team, verbose_name=_("departments involved"), blank=True,
                                         related_name="service_exceptions")
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("ticket"), on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="service_exceptions")
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    history = HistoricalRecords(m2m_fields=[departments])

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("service exception")
        verbose_name_plural = _("service exceptions")
        indexes = [models.Index(fields=["state", "-reported_at"], name="service_exception_state")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ExceptionPlan(models.Model):
    """R6.3, R6.4 [001]: a handling plan of one round — who drew it, owner and deadline, approval (level 1),
    execution, the result told and the customer's rating. A refused plan stays, and so does every round."""

    class State(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        REFUSED = "refused", _("Refused")
        EXECUTING = "executing", _("Executing")
        EXECUTED = "executed", _("Executed")

    class Rating(models.TextChoices):
        NONE = "", _("Not rated")
        SATISFIED = "satisfied", _("Satisfied")
        NOT_SATISFIED = "not_satisfied", _("Not satisfied")

    exception = models.ForeignKey(ServiceException, on_delete=models.CASCADE, related_name="plans")
    round = models.PositiveSmallIntegerField(_("round"))
    content = models.TextField(_("plan"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              null=True, blank=True, related_name="service_exception_plans")
    owner_department = models.ForeignKey(Team, verbose_name=_("business department"), on_delete=models.PROTECT,
                                         null=True, blank=True, related_name="+")
    departments = models.ManyToManyField(Team, verbose_name=_("departments involved"), blank=True,
                                         related_name="+")
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(_("drafted at"))
    requires_approval = models.BooleanField(_("needs management's approval"), default=False)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    approval_note = models.TextField(_("approval note"), blank=True)
    executed_at = models.DateTimeField(_("executed at"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    result_told_at = models.DateTimeField(_("result told at"), null=True, blank=True)
    rating = models.CharField(_("customer's rating"), max_length=16, choices=Rating.choices, default="", blank=True)
    rating_note = models.TextField(_("customer's words"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[departments])

    class Meta:
        ordering = ["exception", "round", "id"]
        verbose_name = _("service exception plan")
        verbose_name_plural = _("service exception plans")

    def __str__(self) -> str:
        return f"{self.exception_id} #{self.round}"

    @property
    def on_time(self) -> bool | None:
        """Executed by its deadline; None while not executed or without a deadline."""
        if self.executed_at is None or self.deadline is None:
            return None
        return self.executed_at <= self.deadline


class ExceptionEvent(models.Model):
    """R6.5 [001] 监督机制 2: the whole history of an exception — who, when, what, state before/after, round,
    text, and the contact in which the customer was told (kefu.contacts)."""

    exception = models.ForeignKey(ServiceException, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    at = models.DateTimeField(_("time"), db_index=True)
    action = models.CharField(_("action"), max_length=32)
    old_state = models.CharField(_("before"), max_length=20, blank=True)
    new_state = models.CharField(_("after"), max_length=20, blank=True)
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    note = models.TextField(_("note"), blank=True)
    contact = models.ForeignKey("contacts.Contact", verbose_name=_("contact"), on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("service exception event")
        verbose_name_plural = _("service exception events")

    def __str__(self) -> str:
        return f"{self.exception_id} {self.action}"
