"""Callbacks and satisfaction surveys (SPEC §7, seeds [000] 四、商户回访工作, [002] 积极回访, [004]).

Configuration as data: the callback forms (服务质量电话回访表, 投诉后续跟踪回访表) with their questions, the rules
that produce the day's callbacks, and the callback script. Then the callbacks themselves with their call
attempts and history, the satisfaction surveys (by phone, SMS link or web) with their answers, and the SMS
outbox."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CallbackForm(models.Model):
    """R7.3 [000]: a configurable form — the 服务质量电话回访表, the 投诉后续跟踪回访表 (R5.4), the web/SMS
    survey — with its questions and a satisfaction score from 1 to `score_max`."""

    class Purpose(models.TextChoices):
        CALLBACK = "callback", _("Service quality callback")
        COMPLAINT_FOLLOW_UP = "complaint_follow_up", _("Complaint follow-up callback")
        SURVEY = "survey", _("Satisfaction survey (SMS or web)")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    purpose = models.CharField(_("used for"), max_length=24, choices=Purpose.choices, default=Purpose.CALLBACK)
    intro = models.TextField(_("introduction"), blank=True, help_text=_("Shown above the questions."))
    thanks = models.TextField(_("thanks"), blank=True, help_text=_("Shown after the answers were sent."))
    score_max = models.PositiveSmallIntegerField(_("highest score"), default=5,
                                                 validators=[MinValueValidator(2), MaxValueValidator(10)])
    satisfied_from = models.PositiveSmallIntegerField(
        _("satisfied from score"), default=4, validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("An average score at least this high counts as satisfied."))
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("source"), max_length=50, blank=True, help_text=_("For example [000]."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("callback form")
        verbose_name_plural = _("callback forms")
        constraints = [models.CheckConstraint(condition=models.Q(satisfied_from__lte=models.F("score_max")),
                                              name="callback_form_satisfied_within_scale")]

    def __str__(self) -> str:
        return self.name


class CallbackQuestion(models.Model):
    """R7.3: one question of a form and how it is answered. Score answers make the satisfaction score."""

    class AnswerType(models.TextChoices):
        SCORE = "score", _("Score")
        YES_NO = "yes_no", _("Yes or no")
        CHOICE = "choice", _("One of the choices")
        TEXT = "text", _("Free text")

    form = models.ForeignKey(CallbackForm, verbose_name=_("form"), on_delete=models.CASCADE,
                             related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("question"), max_length=300)
    answer_type = models.CharField(_("answer type"), max_length=16, choices=AnswerType.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True,
                               help_text=_("For “one of the choices”: a list of texts."))
    required = models.BooleanField(_("answer required"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["form", "order", "id"]
        verbose_name = _("callback question")
        verbose_name_plural = _("callback questions")

    def __str__(self) -> str:
        return self.text


class CallbackRule(models.Model):
    """R7.1 [000]: how the business management department's daily plan is filled — every closed ticket of a
    kind after N (working) days (repairs), a sample of closed tickets of a kind (consultations), every closed
    complaint within one month (R5.4, the complaints app's follow-up callbacks)."""

    class Kind(models.TextChoices):
        AFTER_CLOSURE = "after_closure", _("Every closed ticket of the kind")
        SAMPLE = "sample", _("A sample of the closed tickets of the kind")
        COMPLAINT_FOLLOW_UP = "complaint_follow_up", _("Every closed complaint (follow-up callback)")

    class DelayUnit(models.TextChoices):
        DAYS = "days", _("days")
        WORKING_DAYS = "working_days", _("working days")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    ticket_kind = models.ForeignKey("tickets.TicketKind", verbose_name=_("ticket kind"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    delay_amount = models.PositiveSmallIntegerField(_("call after"), default=1,
                                                    help_text=_("Counted from the day the ticket was closed."))
    delay_unit = models.CharField(_("unit"), max_length=16, choices=DelayUnit.choices, default=DelayUnit.DAYS)
    sample_percent = models.DecimalField(_("sample (percent)"), max_digits=5, decimal_places=2, null=True,
                                         blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)])
    lookback_days = models.PositiveSmallIntegerField(
        _("look back (days)"), default=30,
        help_text=_("Tickets closed longer ago than this are left alone (e.g. when a rule is switched on)."))
    form = models.ForeignKey(CallbackForm, verbose_name=_("form"), on_delete=models.PROTECT, related_name="rules")
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("source"), max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("callback rule")
        verbose_name_plural = _("callback rules")
        constraints = [
            models.CheckConstraint(condition=~models.Q(kind="sample") | models.Q(sample_percent__isnull=False),
                                   name="callback_rule_sample_has_percent"),
            models.CheckConstraint(condition=models.Q(kind="complaint_follow_up") | models.Q(ticket_kind__isnull=False),
                                   name="callback_rule_has_ticket_kind"),
        ]

    def __str__(self) -> str:
        return self.name


class CallbackScriptStep(models.Model):
    """R7.2 [000][002]: what the agent says at each step of a callback. Placeholders: {work_number},
    {agent_name}, {company}, {department}, {customer_name}, {contact_name}, {subject}, {solution}."""

    class Step(models.TextChoices):
        IDENTITY = "identity", _("Verify the identity")
        INTRODUCTION = "introduction", _("Company, department and work number")
        CONVENIENT = "convenient", _("Is it convenient?")
        SOLUTION = "solution", _("Tell the solution")
        QUESTIONS = "questions", _("The questions")
        REJECTED = "rejected", _("Solution not accepted")
        NEW_NEED = "new_need", _("A new need")
        CLOSING = "closing", _("Closing")

    step = models.CharField(_("step"), max_length=16, choices=Step.choices)
    text = models.TextField(_("text"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("source"), max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("callback script step")
        verbose_name_plural = _("callback script steps")

    def __str__(self) -> str:
        return self.text


class Callback(models.Model):
    """R7.1–R7.4: one planned outbound follow-up call — from a rule, by hand, or again after a rejected
    solution (by another agent, `previous`). Every change raises `version` (stale writes are refused)."""

    class Origin(models.TextChoices):
        RULE = "rule", _("Callback rule")
        MANUAL = "manual", _("Planned by hand")
        RETRY = "retry", _("Called again after a rejected solution")

    class Status(models.TextChoices):
        NEW = "new", _("To be planned")
        PLANNED = "planned", _("On an agent's list")
        PENDING = "pending", _("Pending: to solve and answer")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Solution rejected: called again by another agent")
        UNREACHABLE = "unreachable", _("Not reached")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN = (Status.NEW, Status.PLANNED, Status.PENDING)

    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices, default=Origin.MANUAL)
    rule = models.ForeignKey(CallbackRule, verbose_name=_("rule"), on_delete=models.PROTECT, null=True, blank=True,
                             related_name="callbacks")
    form = models.ForeignKey(CallbackForm, verbose_name=_("form"), on_delete=models.PROTECT, related_name="callbacks")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="callbacks")
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("ticket"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="callbacks")
    follow_up = models.ForeignKey("complaints.FollowUpCallback", verbose_name=_("complaint follow-up"),
                                  on_delete=models.PROTECT, null=True, blank=True, related_name="callbacks")
    contact_name = models.CharField(_("person to call"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    planned_for = models.DateField(_("call on"), db_index=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT, null=True,
                              blank=True, related_name="callbacks")
    assigned_at = models.DateTimeField(_("put on the list at"), null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    previous = models.ForeignKey("self", verbose_name=_("earlier callback"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="retries")
    note = models.TextField(_("note for the agent"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("call attempts"), default=0)
    reached_at = models.DateTimeField(_("customer reached at"), null=True, blank=True)
    solution_accepted = models.BooleanField(_("solution accepted"), null=True, blank=True)
    score = models.DecimalField(_("satisfaction score"), max_digits=4, decimal_places=2, null=True, blank=True)
    satisfied = models.BooleanField(_("satisfied"), null=True, blank=True)
    summary = models.TextField(_("summary of the call"), blank=True)
    pending_issue = models.TextField(_("pending issue"), blank=True)
    pending_reply = models.TextField(_("answer given"), blank=True)
    pending_resolved_at = models.DateTimeField(_("pending issue answered at"), null=True, blank=True)
    new_need = models.TextField(_("new need"), blank=True)
    follow_up_ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("follow-up case"),
                                         on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="originating_callbacks")
    done_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["planned_for", "id"]
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        constraints = [
            # A rule produces one callback per ticket and one per complaint follow-up, however often it runs
            # (two workers at once included); a call again after a rejection is a new row with `previous`.
            models.UniqueConstraint(fields=["rule", "ticket"], name="callback_once_per_rule_ticket",
                                    condition=models.Q(previous__isnull=True, rule__isnull=False,
                                                       ticket__isnull=False)),
            models.UniqueConstraint(fields=["follow_up"], name="callback_once_per_follow_up",
                                    condition=models.Q(previous__isnull=True, follow_up__isnull=False)),
        ]
        indexes = [models.Index(fields=["agent", "status", "planned_for"], name="callback_agent_list"),
                   models.Index(fields=["status", "planned_for"], name="callback_status_day")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.planned_for} {self.contact_name or self.phone}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class CallbackAttempt(models.Model):
    """R7.2: one call of a callback — reached or not — recorded as an outbound contact (kefu.contacts)."""

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached, callback made")
        NOT_CONVENIENT = "not_convenient", _("Reached, not convenient now")
        NO_ANSWER = "no_answer", _("No answer")
        BUSY = "busy", _("Busy")
        WRONG_NUMBER = "wrong_number", _("Wrong number")

    NOT_REACHED = (Outcome.NO_ANSWER, Outcome.BUSY, Outcome.WRONG_NUMBER)

    callback = models.ForeignKey(Callback, on_delete=models.CASCADE, related_name="call_attempts")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("time"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    contact = models.ForeignKey("contacts.Contact", verbose_name=_("contact"), on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="callback_attempts")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")

    def __str__(self) -> str:
        return f"{self.callback_id} {self.outcome}"


class CallbackEvent(models.Model):
    """The history of a callback: who, when, what, status before and after."""

    callback = models.ForeignKey(Callback, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    at = models.DateTimeField(_("time"), db_index=True)
    action = models.CharField(_("action"), max_length=32)
    old_status = models.CharField(_("before"), max_length=16, blank=True)
    new_status = models.CharField(_("after"), max_length=16, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("callback event")
        verbose_name_plural = _("callback events")

    def __str__(self) -> str:
        return f"{self.callback_id} {self.action}"


class SatisfactionSurvey(models.Model):
    """R7.3, R7.5 [004]: one satisfaction survey of a customer — by phone (the callback form, one per callback),
    by SMS link or web link (a signed, expiring, single-use link; `nonce` ties the link to this row)."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone callback")
        SMS = "sms", _("SMS link")
        WEB = "web", _("Web link")

    class Status(models.TextChoices):
        SENT = "sent", _("Sent, not answered")
        ANSWERED = "answered", _("Answered by the customer")
        CANCELLED = "cancelled", _("Cancelled")

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    form = models.ForeignKey(CallbackForm, verbose_name=_("form"), on_delete=models.PROTECT, related_name="surveys")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SENT)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="satisfaction_surveys")
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("ticket"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="satisfaction_surveys")
    contact = models.ForeignKey("contacts.Contact", verbose_name=_("contact"), on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="satisfaction_surveys")
    callback = models.ForeignKey(Callback, verbose_name=_("callback"), on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="surveys")
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    nonce = models.CharField(_("link key"), max_length=32, unique=True, null=True, blank=True, editable=False)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+")
    sent_at = models.DateTimeField(_("sent at"), db_index=True)
    expires_at = models.DateTimeField(_("link valid until"), null=True, blank=True)
    answered_at = models.DateTimeField(_("survey answered at"), null=True, blank=True)
    score = models.DecimalField(_("satisfaction score"), max_digits=4, decimal_places=2, null=True, blank=True)
    satisfied = models.BooleanField(_("satisfied"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        constraints = [
            models.UniqueConstraint(fields=["callback"], condition=models.Q(callback__isnull=False),
                                    name="survey_one_per_callback"),
            models.CheckConstraint(condition=models.Q(status="answered") | models.Q(answered_at__isnull=True),
                                   name="survey_answered_consistent"),
        ]
        indexes = [models.Index(fields=["channel", "sent_at"], name="survey_channel_sent")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk}"


class SurveyAnswer(models.Model):
    survey = models.ForeignKey(SatisfactionSurvey, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(CallbackQuestion, verbose_name=_("question"), on_delete=models.PROTECT,
                                 related_name="answers")
    value = models.TextField(_("answer"), blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)

    class Meta:
        ordering = ["survey", "question__order", "id"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [models.UniqueConstraint(fields=["survey", "question"], name="survey_answer_once")]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.question_id}: {self.value}"


class SmsMessage(models.Model):
    """The SMS outbox: every text handed to the SMS gateway (kefu.callbacks.sms), whatever the backend."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    to = models.CharField(_("recipient number"), max_length=32)
    text = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    backend = models.CharField(_("gateway"), max_length=200, blank=True)
    message_id = models.CharField(_("gateway message ID"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    survey = models.ForeignKey(SatisfactionSurvey, verbose_name=_("survey"), on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="sms_messages")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS outbox")

    def __str__(self) -> str:
        return f"{self.to} {self.status}"


class CallbackRuleRun(models.Model):
    """The daily run of the callback rules by the periodic work: one row per day, inserted first, so the rules
    run once a day however many workers tick (a planner can still run them by hand at any time)."""

    day = models.DateField(_("day"), unique=True)
    ran_at = models.DateTimeField(_("ran at"))
    result = models.JSONField(_("result"), default=dict, blank=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("daily callback rule run")
        verbose_name_plural = _("daily callback rule runs")

    def __str__(self) -> str:
        return str(self.day)
