"""Reads of callbacks and surveys (SPEC §7): row scope, an agent's list, the service history and script shown
before a call, the callback and satisfaction figures and the Excel export of callback results."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kefu.core import clock, masking, permissions, tunables

from .models import (
    Callback,
    CallbackAttempt,
    CallbackEvent,
    CallbackScriptStep,
    SatisfactionSurvey,
    SmsMessage,
    SurveyAnswer,
)

Status = Callback.Status


# --- scope ---------------------------------------------------------------------------------------------------

def sees_all(user) -> bool:
    return permissions.has_permission(user, "callbacks.any_callback:view")


def callback_queryset_for(user) -> QuerySet[Callback]:
    """QA, management, the planners and audit see every callback; an agent sees those on his list and those he
    called."""
    if sees_all(user):
        return Callback.objects.all()
    if permissions.has_permission(user, "callbacks.callback:view"):
        return Callback.objects.filter(Q(agent=user) | Q(call_attempts__agent=user)).distinct()
    return Callback.objects.none()


FILTERS = ("status", "agent", "day", "date_from", "date_to", "overdue", "open", "q")


def _overdue_q(now: datetime) -> Q:
    """To call and past its due time, or pending past its 2-day clock (R7.4 [000])."""
    from kefu.sla.models import SlaClock

    breached = SlaClock.objects.filter(target_type="callback", policy__code="pending_callback").filter(
        Q(breached_at__isnull=False) | Q(state=SlaClock.State.RUNNING, deadline__lt=now)).values("target_id")
    return (Q(status__in=(Status.NEW, Status.PLANNED), due_at__lt=now)
            | Q(status=Status.PENDING, pk__in=breached))


def callback_list_for(user, filters: dict[str, Any] | None = None) -> QuerySet[Callback]:
    filters = filters or {}
    queryset = callback_queryset_for(user).select_related("customer", "ticket", "agent", "form", "rule")
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("open"):
        queryset = queryset.filter(status__in=Callback.OPEN)
    if filters.get("agent"):
        queryset = queryset.filter(agent__username=filters["agent"])
    if filters.get("day"):
        queryset = queryset.filter(planned_for=filters["day"])
    if filters.get("date_from"):
        queryset = queryset.filter(planned_for__gte=filters["date_from"])
    if filters.get("date_to"):
        queryset = queryset.filter(planned_for__lte=filters["date_to"])
    if filters.get("overdue"):
        queryset = queryset.filter(_overdue_q(clock.now()))
    q = str(filters.get("q") or "").strip()
    if q:
        queryset = queryset.filter(Q(ticket__number=q.upper()) | Q(customer__name__icontains=q)
                                   | Q(contact_name__icontains=q) | Q(phone=q))
    return queryset.order_by("planned_for", "id")


def my_list(user, *, day: date | None = None) -> QuerySet[Callback]:
    """R7.1: the agent's callback list — what is on it up to `day` (today), pending ones first, then by due
    time."""
    day = day or clock.today()
    return (Callback.objects.filter(agent=user, status__in=(Status.PLANNED, Status.PENDING), planned_for__lte=day)
            .select_related("customer", "ticket", "form")
            .order_by("status", "due_at", "planned_for", "id"))  # "pending" sorts before "planned"


def upcoming_for(user, *, day: date | None = None) -> QuerySet[Callback]:
    day = day or clock.today()
    return (Callback.objects.filter(agent=user, status=Status.PLANNED, planned_for__gt=day)
            .select_related("customer", "ticket").order_by("planned_for", "id"))


def callback_get_for(user, pk: int) -> Callback:
    callback = (callback_queryset_for(user)
                .select_related("customer", "ticket__state", "ticket__kind", "agent", "form", "rule",
                                "follow_up__complaint", "previous__agent", "follow_up_ticket", "assigned_by")
                .prefetch_related(Prefetch("events", queryset=CallbackEvent.objects.select_related("actor")),
                                  Prefetch("call_attempts", queryset=CallbackAttempt.objects.select_related(
                                      "agent", "contact")))
                .filter(pk=pk).first())
    if callback is None:
        raise Http404
    return callback


def unplanned(*, day: date | None = None) -> QuerySet[Callback]:
    """The callbacks still to be put on a list, up to `day`."""
    day = day or clock.today()
    return (Callback.objects.filter(status=Status.NEW, planned_for__lte=day)
            .select_related("customer", "ticket", "previous__agent", "rule").order_by("due_at", "planned_for", "id"))


def agent_loads(*, day: date | None = None) -> list[dict[str, Any]]:
    """Per agent: open callbacks on his list and those planned for `day` (the planning page)."""
    day = day or clock.today()
    rows = (Callback.objects.filter(agent__isnull=False, status__in=(Status.PLANNED, Status.PENDING))
            .values("agent", "agent__username", "agent__full_name", "agent__work_number")
            .annotate(open=Count("id"), today=Count("id", filter=Q(planned_for=day)),
                      pending=Count("id", filter=Q(status=Status.PENDING)))
            .order_by("agent__username"))
    return list(rows)


# --- what the agent sees before and during the call (R7.2) ----------------------------------------------------

def phone_shown(user, callback: Callback) -> str:
    """R2.3: lists and exports show the number masked unless the user may see personal data. (The agent who
    must dial it sees it in full on his own callback: `services.callback_phone_for`, logged.)"""
    if permissions.has_permission(user, "customers.pii:view"):
        return callback.phone
    return masking.mask_phone(callback.phone)


@dataclass
class ServiceHistory:
    tickets: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    complaints: list = field(default_factory=list)
    callbacks: list = field(default_factory=list)
    surveys: list = field(default_factory=list)
    since: date | None = None


def service_history(user, callback: Callback, *, limit: int = 10) -> ServiceHistory:
    """R7.2 [000] 四3: before calling, the agent learns the customer's recent service — tickets, contacts,
    complaints, earlier callbacks and survey answers of the configured number of days, as far as he may see
    them."""
    from kefu.complaints.selectors import complaint_queryset_for
    from kefu.contacts.selectors import contact_queryset_for
    from kefu.tickets.selectors import ticket_queryset_for

    since_day = clock.today() - timedelta(days=tunables.get("callbacks.history_days"))
    since = datetime.combine(since_day, time.min, timezone.get_current_timezone())
    history = ServiceHistory(since=since_day)
    customer_id = callback.customer_id
    if customer_id:
        history.tickets = list(ticket_queryset_for(user).filter(customer_id=customer_id, created_at__gte=since)
                               .select_related("state", "kind").order_by("-created_at", "-id")[:limit])
        history.complaints = list(complaint_queryset_for(user).filter(ticket__customer_id=customer_id,
                                                                      created_at__gte=since)
                                  .select_related("ticket__state").order_by("-created_at", "-id")[:limit])
        contacts = contact_queryset_for(user).filter(customer_id=customer_id)
        others = Callback.objects.filter(customer_id=customer_id)
        surveys = SatisfactionSurvey.objects.filter(customer_id=customer_id)
    elif callback.phone:
        contacts = contact_queryset_for(user).filter(Q(caller_number=callback.phone) | Q(called_number=callback.phone))
        others = Callback.objects.filter(phone=callback.phone)
        surveys = SatisfactionSurvey.objects.filter(phone=callback.phone)
    else:
        return history
    history.contacts = list(contacts.filter(offered_at__gte=since).select_related("agent")
                            .order_by("-offered_at", "-id")[:limit])
    history.callbacks = list(others.exclude(pk=callback.pk).filter(created_at__gte=since)
                             .select_related("agent").order_by("-planned_for", "-id")[:limit])
    if permissions.has_permission(user, "callbacks.survey:view") or callback.agent_id == getattr(user, "pk", None):
        history.surveys = list(surveys.filter(status=SatisfactionSurvey.Status.ANSWERED, answered_at__gte=since)
                               .order_by("-answered_at", "-id")[:limit])
    return history


@dataclass
class ScriptLine:
    step: str
    label: str
    text: str


def callback_script(callback: Callback, agent) -> list[ScriptLine]:
    """R7.2 [002] 积极回访 ①–⑨: the script steps (data) as this agent says them on this callback — identity,
    company/department/work number, is it convenient, the solution, the questions, closing."""
    from kefu.contacts.services import phrase_render

    ticket = callback.ticket
    customer_name = callback.customer.name if callback.customer else ""
    solution = (ticket.resolution if ticket is not None else "") or "—"
    values = {
        "{agent_name}": agent.display_name if agent is not None else "",
        "{company}": tunables.get("callbacks.company_name"),
        "{department}": tunables.get("callbacks.department_name"),
        "{customer_name}": customer_name or "—",
        "{contact_name}": callback.contact_name or customer_name or "—",
        "{subject}": (ticket.title if ticket is not None else callback.reason) or "—",
        "{solution}": solution,
    }
    lines = []
    for step in CallbackScriptStep.objects.filter(is_active=True).order_by("order", "id"):
        text = phrase_render(step.text, agent=agent)
        for key, value in values.items():
            text = text.replace(key, value)
        lines.append(ScriptLine(step.step, str(step.get_step_display()), text))
    return lines


def pending_clock(callback: Callback):
    from .services import pending_clock as clock_of

    return clock_of(callback)


def answers_of(callback: Callback) -> list[SurveyAnswer]:
    return list(SurveyAnswer.objects.filter(survey__callback=callback).select_related("question")
                .order_by("question__order", "id"))


def retries_of(callback: Callback) -> list[Callback]:
    return list(callback.retries.select_related("agent").order_by("id"))


# --- surveys ---------------------------------------------------------------------------------------------------

def survey_list_for(user, *, channel: str = "", status: str = "") -> QuerySet[SatisfactionSurvey]:
    if not permissions.has_permission(user, "callbacks.survey:view"):
        return SatisfactionSurvey.objects.none()
    queryset = SatisfactionSurvey.objects.select_related("form", "customer", "ticket", "callback", "sent_by")
    if channel:
        queryset = queryset.filter(channel=channel)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-sent_at", "-id")


def survey_get_for(user, pk: int) -> SatisfactionSurvey:
    survey = (survey_list_for(user).prefetch_related(Prefetch("answers", queryset=SurveyAnswer.objects
                                                              .select_related("question")))
              .filter(pk=pk).first())
    if survey is None:
        raise Http404
    return survey


def sms_outbox_for(user) -> QuerySet[SmsMessage]:
    if not permissions.has_permission(user, "callbacks.survey:view"):
        return SmsMessage.objects.none()
    return SmsMessage.objects.select_related("survey", "created_by").order_by("-created_at", "-id")


# --- figures ---------------------------------------------------------------------------------------------------

def period(start: date | None, end: date | None) -> tuple[datetime, datetime, date, date]:
    """A period of local days [start, end], by default the current month so far."""
    today = clock.today()
    start = start or today.replace(day=1)
    end = end or today
    zone = timezone.get_current_timezone()
    return (datetime.combine(start, time.min, zone), datetime.combine(end + timedelta(days=1), time.min, zone),
            start, end)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class ChannelFigures:
    channel: str
    label: str
    sent: int
    answered: int
    response_rate: float | None
    average_score: Decimal | None
    satisfied: int
    satisfied_share: float | None


def satisfaction_figures(*, start: date | None = None, end: date | None = None) -> dict[str, Any]:
    """R7.5, R10.2: per channel (phone callback, SMS, web) for surveys sent in the period — invitations sent,
    answered, response rate, average score, share satisfied (of the answered surveys with a score)."""
    begin, finish, start, end = period(start, end)
    rows = {row["channel"]: row for row in (
        SatisfactionSurvey.objects.filter(sent_at__gte=begin, sent_at__lt=finish)
        .exclude(status=SatisfactionSurvey.Status.CANCELLED)
        .values("channel")
        .annotate(sent=Count("id"), answered=Count("id", filter=Q(status=SatisfactionSurvey.Status.ANSWERED)),
                  scored=Count("id", filter=Q(score__isnull=False)), satisfied=Count("id", filter=Q(satisfied=True)),
                  average=Avg("score")))}
    channels = []
    totals = {"sent": 0, "answered": 0, "scored": 0, "satisfied": 0, "score_sum": Decimal(0)}
    for code, label in SatisfactionSurvey.Channel.choices:
        row = rows.get(code, {})
        sent, answered = row.get("sent", 0), row.get("answered", 0)
        scored, satisfied = row.get("scored", 0), row.get("satisfied", 0)
        average = row.get("average")
        average = Decimal(str(average)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if average is not None \
            else None
        channels.append(ChannelFigures(code, str(label), sent, answered, _rate(answered, sent), average, satisfied,
                                       _rate(satisfied, scored)))
        totals["sent"] += sent
        totals["answered"] += answered
        totals["scored"] += scored
        totals["satisfied"] += satisfied
        if average is not None:
            totals["score_sum"] += Decimal(str(row["average"])) * scored
    overall = (totals["score_sum"] / totals["scored"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) \
        if totals["scored"] else None
    return {"start": start, "end": end, "channels": channels,
            "total": ChannelFigures("all", "", totals["sent"], totals["answered"],
                                    _rate(totals["answered"], totals["sent"]), overall, totals["satisfied"],
                                    _rate(totals["satisfied"], totals["scored"]))}


@dataclass
class CallbackFigures:
    start: date
    end: date
    planned: int
    done: int
    reached: int
    pending: int
    overdue: int
    rejected: int
    unreachable: int
    cancelled: int
    solution_asked: int
    rejected_rate: float | None
    reach_rate: float | None
    pending_answered_in_time: int
    pending_answered_late: int
    average_score: Decimal | None


def callback_figures(*, start: date | None = None, end: date | None = None) -> CallbackFigures:
    """R7.1–R7.4, R10.2: for the callbacks planned in the period — planned (not cancelled), done (finished with
    the customer, rejected solutions included), reached, pending now, overdue now, rejected-solution rate (of
    the calls where the solution was told), not reached; pending callbacks answered within or after their
    2-day clock."""
    from kefu.sla.models import SlaClock

    _b, _f, start, end = period(start, end)
    callbacks = Callback.objects.filter(planned_for__gte=start, planned_for__lte=end)
    now = clock.now()
    counts = callbacks.aggregate(
        planned=Count("id", filter=~Q(status=Status.CANCELLED)),
        done=Count("id", filter=Q(status__in=(Status.DONE, Status.REJECTED))),
        reached=Count("id", filter=Q(reached_at__isnull=False)),
        pending=Count("id", filter=Q(status=Status.PENDING)),
        rejected=Count("id", filter=Q(status=Status.REJECTED)),
        unreachable=Count("id", filter=Q(status=Status.UNREACHABLE)),
        cancelled=Count("id", filter=Q(status=Status.CANCELLED)),
        asked=Count("id", filter=Q(solution_accepted__isnull=False)),
        average=Avg("score"))
    overdue = callbacks.filter(_overdue_q(now)).count()
    clocks = SlaClock.objects.filter(target_type="callback", policy__code="pending_callback",
                                     target_id__in=callbacks.values("pk"), state=SlaClock.State.STOPPED)
    late = clocks.filter(breached_at__isnull=False).count()
    in_time = clocks.filter(breached_at__isnull=True).count()
    average = counts["average"]
    return CallbackFigures(
        start=start, end=end, planned=counts["planned"], done=counts["done"], reached=counts["reached"],
        pending=counts["pending"], overdue=overdue, rejected=counts["rejected"], unreachable=counts["unreachable"],
        cancelled=counts["cancelled"], solution_asked=counts["asked"],
        rejected_rate=_rate(counts["rejected"], counts["asked"]),
        reach_rate=_rate(counts["reached"], counts["planned"]),
        pending_answered_in_time=in_time, pending_answered_late=late,
        average_score=Decimal(str(average)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if average is not None else None)


# --- the Excel export of callback results (R10.2) --------------------------------------------------------------

def results_for(user, *, start: date | None = None, end: date | None = None) -> QuerySet[Callback]:
    """The callbacks planned in the period with what the export needs, in a fixed number of queries."""
    _b, _f, start, end = period(start, end)
    return (callback_queryset_for(user).filter(planned_for__gte=start, planned_for__lte=end)
            .select_related("customer", "ticket", "agent", "form", "rule", "follow_up_ticket", "previous")
            .prefetch_related(Prefetch("surveys", queryset=SatisfactionSurvey.objects.prefetch_related(
                Prefetch("answers", queryset=SurveyAnswer.objects.select_related("question"))))))


def results_xlsx(user, *, start: date | None = None, end: date | None = None) -> bytes:
    """Callback results as an Excel workbook: one row per callback, one row per answer, and the figures.
    Phone numbers are masked unless the user may see personal data."""
    from django.utils.translation import gettext as _
    from openpyxl import Workbook

    def local(value):
        return timezone.localtime(value).replace(tzinfo=None) if value else None

    def yes_no(value):
        return "" if value is None else str(_("yes") if value else _("no"))

    show_pii = permissions.has_permission(user, "customers.pii:view")
    book = Workbook()
    sheet = book.active
    sheet.title = str(_("Callbacks"))[:31]
    sheet.append([str(h) for h in (
        _("Callback"), _("Call on"), _("Due"), _("Reason"), _("Form"), _("Customer"), _("Person to call"),
        _("Phone"), _("Ticket"), _("Agent"), _("Status"), _("Call attempts"), _("Reached at"),
        _("Solution accepted"), _("Satisfaction score"), _("Satisfied"), _("Summary"), _("Pending issue"),
        _("Answer given"), _("Answered at"), _("New need"), _("Follow-up case"), _("Earlier callback"),
        _("Finished at"))])
    answers = book.create_sheet(str(_("Answers"))[:31])
    answers.append([str(h) for h in (_("Callback"), _("Question"), _("Answer"), _("Score"))])
    for cb in results_for(user, start=start, end=end).order_by("planned_for", "id"):
        sheet.append([
            cb.pk, cb.planned_for, local(cb.due_at), cb.reason, cb.form.name, cb.customer.name if cb.customer else "",
            cb.contact_name, cb.phone if show_pii else masking.mask_phone(cb.phone),
            cb.ticket.number if cb.ticket else "", str(cb.agent) if cb.agent else "", cb.get_status_display(),
            cb.attempts, local(cb.reached_at), yes_no(cb.solution_accepted),
            float(cb.score) if cb.score is not None else None, yes_no(cb.satisfied), cb.summary, cb.pending_issue,
            cb.pending_reply, local(cb.pending_resolved_at), cb.new_need,
            cb.follow_up_ticket.number if cb.follow_up_ticket else "", cb.previous_id, local(cb.done_at)])
        for survey in cb.surveys.all():
            for answer in survey.answers.all():
                answers.append([cb.pk, answer.question.text, answer.value, answer.score])
    figures = callback_figures(start=start, end=end)
    summary = book.create_sheet(str(_("Figures"))[:31])
    for label, value in ((_("From"), figures.start), (_("To"), figures.end), (_("Planned"), figures.planned),
                         (_("Done"), figures.done), (_("Reached"), figures.reached),
                         (_("Pending"), figures.pending), (_("Overdue"), figures.overdue),
                         (_("Solution rejected"), figures.rejected),
                         (_("Rejected-solution rate"), figures.rejected_rate),
                         (_("Not reached"), figures.unreachable),
                         (_("Average satisfaction score"),
                          float(figures.average_score) if figures.average_score is not None else None)):
        summary.append([str(label), value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
