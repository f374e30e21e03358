"""Complaints (SPEC §5): a complaint is a ticket of kind complaint plus this record; investigations of
complaints against staff, the appraisal deductions they produce (R8.4), and the follow-up callback every
closed complaint gets within a month (R5.4 [000])."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kefu.customers.models import Customer
from kefu.tickets.models import Ticket


class Complaint(models.Model):
    """R5.1 [003] 第八条: transferred to the complaint desk with the standard sentence (or arrived by e-mail or
    web [001]) and recorded precisely by the complaint handler; the ticket carries state, clocks and history."""

    ticket = models.OneToOneField(Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT,
                                  related_name="complaint")
    channel = models.CharField(_("channel"), max_length=16, choices=Ticket.Channel.choices,
                               default=Ticket.Channel.PHONE)
    complainant_name = models.CharField(_("complainant"), max_length=100, blank=True)
    complainant_phone = models.CharField(_("complainant's phone"), max_length=32, blank=True)
    subject = models.CharField(_("what the complaint is about"), max_length=200)
    details = models.TextField(_("precise record"), blank=True)
    against_staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("against staff member"),
                                      on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="complaints_against")
    transferred_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("transferred by"),
                                       on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    transfer_phrase = models.TextField(_("sentence said at the transfer"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    informed_at = models.DateTimeField(_("customer told the result at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.subject}"


class Investigation(models.Model):
    """R5.3 [003] 第八条 4): a complaint against a staff member is investigated; the finding, the evidence and
    the decision are recorded."""

    class Finding(models.TextChoices):
        PENDING = "pending", _("Under investigation")
        VERIFIED = "verified", _("Verified")
        NOT_VERIFIED = "not_verified", _("Not verified")

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="investigation")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT,
                               related_name="+")
    finding = models.CharField(_("finding"), max_length=16, choices=Finding.choices, default=Finding.PENDING)
    evidence = models.TextField(_("evidence"), blank=True)
    decision = models.TextField(_("decision"), blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    concluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("investigation")
        verbose_name_plural = _("investigations")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.finding}"


class AppraisalDeduction(models.Model):
    """R5.3, R8.4 [003] 第十七条: a verified complaint costs the staff member points on the monthly and annual
    appraisal. Kept here until the quality app takes deductions over."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT,
                               related_name="appraisal_deductions")
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    reason = models.TextField(_("reason"))
    month = models.DateField(_("appraisal month"), help_text=_("The first day of the month."))
    source_complaint = models.ForeignKey(Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT,
                                         null=True, blank=True, related_name="deductions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "-id"]
        verbose_name = _("appraisal deduction")
        verbose_name_plural = _("appraisal deductions")
        constraints = [
            models.UniqueConstraint(fields=["source_complaint", "person"], name="deduction_once_per_complaint",
                                    condition=models.Q(source_complaint__isnull=False)),
            models.CheckConstraint(condition=models.Q(points__gt=0), name="deduction_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.person} −{self.points} {self.month:%Y-%m}"


class FollowUpCallback(models.Model):
    """R5.4 [000]: every complained customer whose complaint is closed is called back within one month, on the
    complaint follow-up form (投诉后续跟踪回访表). Scheduled here; the callbacks work carries it out."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    complaint = models.OneToOneField(Complaint, on_delete=models.PROTECT, related_name="follow_up")
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="complaint_follow_ups")
    due_at = models.DateTimeField(_("due"), db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    result = models.TextField(_("result"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("complaint follow-up callback")
        verbose_name_plural = _("complaint follow-up callbacks")

    def __str__(self) -> str:
        return f"{self.complaint_id} → {self.due_at:%Y-%m-%d}"
