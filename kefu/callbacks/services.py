"""Writes of callbacks and satisfaction surveys (SPEC §7; seeds [000] 四、商户回访工作, [002] 积极回访, [004]).

Every change goes through here — the pages, the API, the periodic work: role check, optimistic lock on
`version`, one CallbackEvent per change, the pending-callback SLA clock, the complaint follow-up it carries out
(R5.4), each call attempt recorded as an outbound contact, the follow-up case of a new need."""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Role, Team, User
from kefu.core import clock, permissions, tunables
from kefu.core.errors import ConflictError, FieldError, KefuError
from kefu.customers.models import Customer

from . import tunables as _registered  # noqa: F401  (the app's tunables)
from .models import (
    Callback,
    CallbackAttempt,
    CallbackEvent,
    CallbackForm,
    CallbackQuestion,
    CallbackRule,
    CallbackRuleRun,
    CallbackScriptStep,
    SatisfactionSurvey,
    SurveyAnswer,
)

Status = Callback.Status
Outcome = CallbackAttempt.Outcome
PLAN = "callbacks.callback:plan"
PERFORM = "callbacks.callback:perform"
PENDING_POLICY = "pending_callback"
SURVEY_SALT = "kefu.callbacks.survey-link"

# --- defaults stored as data on migrate (administrators edit them) --------------------------------------------

# R7.3 [000]: 服务质量电话回访表; R5.4 [000]: 投诉后续跟踪回访表; R7.5 [004]: the survey by SMS or web.
# code, name, purpose, intro, thanks, source, questions (text, answer type, choices, required)
DEFAULT_FORMS: tuple = (
    ("service_quality", "服务质量电话回访表", "callback", "", "", "[000]", (
        ("您反映的问题是否已经解决?", "yes_no", [], True),
        ("您对我们服务人员的服务态度是否满意?(1–5分)", "score", [], True),
        ("您对问题处理的及时性是否满意?(1–5分)", "score", [], True),
        ("您对本次服务的总体评价?(1–5分)", "score", [], True),
        ("您还有什么意见或建议?", "text", [], False),
    )),
    ("complaint_follow_up", "投诉后续跟踪回访表", "complaint_follow_up", "", "", "[000]", (
        ("您投诉的问题处理后是否已经解决、没有再次出现?", "yes_no", [], True),
        ("您对投诉的处理结果是否满意?(1–5分)", "score", [], True),
        ("您对投诉处理人员的服务是否满意?(1–5分)", "score", [], True),
        ("您还有其他意见或建议吗?", "text", [], False),
    )),
    ("satisfaction_survey", "客户满意度调查", "survey", "感谢您使用我们的服务,请花一分钟为本次服务评分。",
     "感谢您的评价!我们会继续努力,为您提供更好的服务。", "[004]", (
         ("您对本次服务的总体满意度", "score", [], True),
         ("您对问题处理的速度是否满意", "score", [], True),
         ("您的问题是否已经解决?", "yes_no", [], False),
         ("您的意见和建议", "text", [], False),
     )),
)
# R7.1 [000]: the business management department's daily plan. The seeds give no N for repairs nor a sample
# size for consultations; these are starting values.
# code, name, kind, ticket kind, delay, unit, sample percent, look back days, form, source
DEFAULT_RULES: tuple = (
    ("repair_closed", "维修完成后回访", "after_closure", "repair", 2, "working_days", None, 30, "service_quality",
     "R7.1 [000]"),
    ("complaint_follow_up", "投诉后续跟踪回访", "complaint_follow_up", None, 7, "days", None, 60,
     "complaint_follow_up", "R5.4 [000]"),
    ("consultation_sample", "咨询抽样回访", "sample", "consultation", 1, "working_days", Decimal("10"), 30,
     "service_quality", "R7.1 [000]"),
)
# R7.2 [002] 积极回访 ①–⑨ and [000] 四 4: the callback script.
DEFAULT_SCRIPT: tuple = (
    ("identity", "您好,请问是{contact_name}吗?(先核对客户身份:{customer_name})", "[002] ①"),
    ("introduction", "您好,我是{company}{department}的客服专员,工号{work_number}。", "[002] ②"),
    ("convenient", "今天给您做个回访,关于“{subject}”。请问您现在方便接听电话吗?", "[000] 四4 [002] ③"),
    ("solution", "您反映的问题已有答复:{solution}", "[002] ④"),
    ("questions", "想耽误您一两分钟,请您对我们的服务做个评价。", "[002] ⑨"),
    ("rejected", "非常理解您的心情,您的意见我们会反映给公司,稍后会有同事另约时间再与您联系。", "[002] ⑥"),
    ("new_need", "您的需求我已经记录下来,一有答复会立即告知您。", "[002] ⑧"),
    ("closing", "感谢您的支持与配合,祝您生活愉快,再见。", "[000]"),
)


def callbacks_seed_defaults() -> None:
    """R7.1–R7.3: the seed forms, rules and script on a fresh installation; an administrator's edits are kept
    (a form's questions are written only when the form is created, the script only into an empty table)."""
    from kefu.tickets.models import TicketKind

    with translation.override("zh-hans"), transaction.atomic():
        forms = {}
        for code, name, purpose, intro, thanks, source, questions in DEFAULT_FORMS:
            form, created = CallbackForm.objects.get_or_create(code=code, defaults={
                "name": name, "purpose": purpose, "intro": intro, "thanks": thanks, "source": source})
            forms[code] = form
            if created:
                CallbackQuestion.objects.bulk_create([
                    CallbackQuestion(form=form, order=order, text=text, answer_type=kind, choices=choices,
                                     required=required)
                    for order, (text, kind, choices, required) in enumerate(questions, start=1)])
        kinds = {k.code: k for k in TicketKind.objects.all()}
        for code, name, kind, ticket_kind, delay, unit, percent, lookback, form, source in DEFAULT_RULES:
            if ticket_kind and ticket_kind not in kinds:
                continue  # the tickets app seeds its kinds first; a later migrate adds the rule
            CallbackRule.objects.get_or_create(code=code, defaults={
                "name": name, "kind": kind, "ticket_kind": kinds.get(ticket_kind), "delay_amount": delay,
                "delay_unit": unit, "sample_percent": percent, "lookback_days": lookback, "form": forms[form],
                "source": source})
        if not CallbackScriptStep.objects.exists():
            CallbackScriptStep.objects.bulk_create([
                CallbackScriptStep(step=step, text=text, order=order, source=source)
                for order, (step, text, source) in enumerate(DEFAULT_SCRIPT, start=1)])


# --- helpers ------------------------------------------------------------------------------------------------


def _may_perform(actor: User, callback: Callback) -> None:
    """R7.1: an agent calls from his own list."""
    permissions.require(actor, PERFORM)
    if callback.agent_id != actor.pk:
        raise KefuError(_("This callback is on another agent's list."), code="not_your_callback", status=403)


def _event(callback: Callback, actor: User | None, action: str, old: str = "", new: str = "",
           note: str = "") -> CallbackEvent:
    return CallbackEvent.objects.create(callback=callback, actor=actor, at=clock.now(), action=action,
                                        old_status=old, new_status=new, note=(note or "")[:4000])


def _save(callback: Callback, version: int, **fields: Any) -> Callback:
    """Optimistic lock: the change applies only to the version the user saw; otherwise 409."""
    updated = Callback.objects.filter(pk=callback.pk, version=version).update(version=F("version") + 1, **fields)
    if not updated:
        raise ConflictError(_("This callback was changed by someone else; reload it and try again."),
                            code="version_conflict", field="version")
    callback.refresh_from_db()
    return callback


def _expect(callback: Callback, *statuses: str) -> None:
    if callback.status not in statuses:
        raise KefuError(_("Not possible while the callback is “%(state)s”."), code="invalid_state", status=409,
                        state=callback.get_status_display())


def _end_of(day: date) -> datetime:
    """24:00 of a local day (the next midnight)."""
    return datetime.combine(day + timedelta(days=1), time.min, timezone.get_current_timezone())


def _text(value: str, field_name: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise FieldError(message, field=field_name, code="required")
    return value


def default_form(purpose: str = CallbackForm.Purpose.CALLBACK) -> CallbackForm:
    form = CallbackForm.objects.filter(purpose=purpose, is_active=True).order_by("code").first()
    if form is None:
        raise KefuError(_("No active callback form is configured for this purpose."), code="configuration")
    return form


def _customer_phone(customer: Customer | None) -> str:
    if customer is None:
        return ""
    phones = list(customer.phones.all())
    mobile = next((p.number for p in phones if p.kind == "mobile"), None)
    return mobile or (phones[0].number if phones else "")


def _customer_person(customer: Customer | None) -> str:
    if customer is None:
        return ""
    people = sorted(customer.contact_persons.all(), key=lambda p: (not p.is_primary, p.pk))
    return people[0].name if people else customer.name


def _chain_agents(callback: Callback) -> dict[int, str]:
    """The agents who called (or were to call) the customer about this before: the callbacks this one follows
    after rejected solutions, with their call attempts."""
    agents: dict[int, str] = {}
    seen: set[int] = set()
    current = callback.previous
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        if current.agent_id:
            agents[current.agent_id] = str(current.agent)
        for attempt in current.call_attempts.select_related("agent"):
            agents[attempt.agent_id] = str(attempt.agent)
        current = current.previous
    return agents


def callback_phone_for(*, actor: User, callback: Callback, ip_address: str | None = None) -> str:
    """R2.3: the number to call, as this user may see it. The agent whose list the callback is on must dial it
    and sees it in full; like every reveal of a customer's number this is logged (once per callback and agent).
    Holders of customers.pii:view see it; everybody else sees it masked."""
    from kefu.core import masking

    if permissions.has_permission(actor, "customers.pii:view"):
        return callback.phone
    if callback.agent_id != actor.pk or not callback.phone:
        return masking.mask_phone(callback.phone)
    if callback.customer_id:
        from kefu.customers.models import CustomerPhone, RevealLog

        reason = f"回访 #{callback.pk}"
        if not RevealLog.objects.filter(user=actor, customer_id=callback.customer_id, field=RevealLog.Field.PHONE,
                                        reason=reason).exists():
            phone = CustomerPhone.objects.filter(customer_id=callback.customer_id, number=callback.phone).first()
            RevealLog.objects.create(user=actor, customer_id=callback.customer_id, field=RevealLog.Field.PHONE,
                                     object_id=phone.pk if phone else None, reason=reason, ip_address=ip_address)
    return callback.phone


# --- rules: the day's callbacks (R7.1) ------------------------------------------------------------------------

@dataclass
class GenerateResult:
    day: date
    created: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["day"] = self.day.isoformat()
        return data


def planned_day(rule: CallbackRule, closed_at: datetime) -> date:
    """The day a ticket closed at `closed_at` is called back under `rule`: N calendar days later, or the Nth
    working day after the day of closing on the default calendar (China's official working days with adjusted
    working weekends, R11.1). ScheduleMissing when that year's official schedule is not loaded."""
    if rule.delay_amount == 0:
        return timezone.localdate(closed_at)
    from kefu.calendars import arithmetic
    from kefu.calendars.selectors import spec_by_name

    working = rule.delay_unit == CallbackRule.DelayUnit.WORKING_DAYS
    spec = spec_by_name("default" if working else "24x7")
    moment = arithmetic.deadline(spec, closed_at, rule.delay_amount, rule.delay_unit)
    if working:
        moment -= timedelta(microseconds=1)  # a deadline at 24:00 belongs to the day it ends
    return timezone.localdate(moment)


def in_sample(rule: CallbackRule, ticket_id: int) -> bool:
    """R7.1: a sample of the closed tickets (consultations). Stable: a ticket is in or out of a rule's sample
    whenever and however often the rule runs."""
    digest = hashlib.sha256(f"{rule.code}:{ticket_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 10000 < int((rule.sample_percent or 0) * 100)


def _create_from_rule(rule: CallbackRule, actor: User | None, **fields: Any) -> Callback | None:
    """One callback of a rule; None when it exists already (the unique constraints decide, also when two
    workers run the rules at once)."""
    try:
        with transaction.atomic():
            callback = Callback.objects.create(origin=Callback.Origin.RULE, rule=rule, form=rule.form,
                                               reason=rule.name, created_by=actor, **fields)
            _event(callback, actor, "created", "", Status.NEW, rule.name)
    except IntegrityError:
        return None
    return callback


def _generate_for_tickets(rule: CallbackRule, day: date, actor: User | None, result: GenerateResult) -> int:
    from kefu.calendars.arithmetic import ScheduleMissing
    from kefu.tickets.models import Ticket

    since = datetime.combine(day - timedelta(days=rule.lookback_days), time.min, timezone.get_current_timezone())
    tickets = (Ticket.objects.filter(kind=rule.ticket_kind, state__is_closed=True, closed_at__gte=since,
                                     closed_at__lt=_end_of(day))
               .exclude(Exists(Callback.objects.filter(rule=rule, ticket=OuterRef("pk"), previous__isnull=True)))
               .select_related("customer").prefetch_related("customer__phones", "customer__contact_persons")
               .order_by("closed_at", "id"))
    made = 0
    for ticket in tickets:
        if rule.kind == CallbackRule.Kind.SAMPLE and not in_sample(rule, ticket.pk):
            continue
        try:
            planned = planned_day(rule, ticket.closed_at)
        except ScheduleMissing as error:
            result.problems.append(f"{rule.code} {ticket.number}: {error.message_en}")
            continue
        if planned > day:
            continue
        # Found late (a rule switched on, a missed day): it goes on today's plan rather than into the past.
        planned = max(planned, clock.today())
        made += _create_from_rule(
            rule, actor, ticket=ticket, customer=ticket.customer, planned_for=planned, due_at=_end_of(planned),
            phone=ticket.reporter_phone or _customer_phone(ticket.customer),
            contact_name=ticket.reporter_name or _customer_person(ticket.customer)) is not None
    return made


def _generate_follow_ups(rule: CallbackRule, day: date, actor: User | None, result: GenerateResult) -> int:
    """R5.4 [000]: every closed complaint's follow-up callback (scheduled by the complaints app, due within a
    month) becomes a callback N days after the closing, and never later than its due day."""
    from kefu.calendars.arithmetic import ScheduleMissing
    from kefu.complaints.models import FollowUpCallback

    follow_ups = (FollowUpCallback.objects.filter(status=FollowUpCallback.Status.SCHEDULED)
                  .exclude(Exists(Callback.objects.filter(follow_up=OuterRef("pk"), previous__isnull=True)))
                  .select_related("complaint__ticket", "customer")
                  .prefetch_related("customer__phones", "customer__contact_persons").order_by("due_at", "id"))
    made = 0
    for follow_up in follow_ups:
        complaint = follow_up.complaint
        ticket = complaint.ticket
        try:
            planned = planned_day(rule, ticket.closed_at or follow_up.created_at)
        except ScheduleMissing as error:
            result.problems.append(f"{rule.code} {ticket.number}: {error.message_en}")
            continue
        planned = min(planned, timezone.localdate(follow_up.due_at))
        if planned > day:
            continue
        planned = max(planned, clock.today())
        customer = follow_up.customer or ticket.customer
        made += _create_from_rule(
            rule, actor, ticket=ticket, follow_up=follow_up, customer=customer, planned_for=planned,
            due_at=max(follow_up.due_at, _end_of(planned)),
            phone=complaint.complainant_phone or ticket.reporter_phone or _customer_phone(customer),
            contact_name=complaint.complainant_name or ticket.reporter_name or _customer_person(customer)) is not None
    return made


def callbacks_generate(*, day: date | None = None, actor: User | None = None) -> GenerateResult:
    """R7.1 [000] 四1: the callback rules fill the day's plan — every closed repair after N working days, every
    closed complaint within one month (taking over the complaints app's follow-up callbacks, R5.4), a sample
    of consultations. Idempotent: a rule makes one callback per ticket (per complaint follow-up) ever."""
    if actor is not None:
        permissions.require(actor, PLAN)
    day = day or clock.today()
    result = GenerateResult(day=day)
    for rule in CallbackRule.objects.filter(is_active=True).select_related("form", "ticket_kind").order_by("code"):
        if rule.kind == CallbackRule.Kind.COMPLAINT_FOLLOW_UP:
            made = _generate_follow_ups(rule, day, actor, result)
        elif rule.ticket_kind_id:
            made = _generate_for_tickets(rule, day, actor, result)
        else:
            continue
        result.by_rule[rule.code] = made
        result.created += made
    return result


def callbacks_daily(*, now: datetime | None = None) -> dict[str, Any] | None:
    """Periodic: run the rules once a day. The day's CallbackRuleRun row is inserted first in the same
    transaction, so two workers never both run them and a failed run is retried at the next tick."""
    now = now or clock.now()
    day = timezone.localdate(now)
    if CallbackRuleRun.objects.filter(day=day).exists():
        return None
    try:
        with transaction.atomic():
            run = CallbackRuleRun.objects.create(day=day, ran_at=now)
            result = callbacks_generate(day=day).as_dict()
            run.result = result
            run.save(update_fields=["result"])
    except IntegrityError:
        return None
    return result


# --- spreading over the agents (R7.1) -------------------------------------------------------------------------

def callback_agents(*, day: date, teams: Iterable[Team] = ()) -> tuple[list[User], bool]:
    """Who makes the day's callbacks: active users holding callbacks.callback:perform (in the chosen teams);
    those on a published roster that day when there are any (kefu.workforce), else all of them. Returns the
    agents (by id) and whether the roster chose them."""
    from kefu.workforce.models import Roster, RosterAssignment

    role_ids = [role.pk for role in Role.objects.filter(read_only=False) if PERFORM in (role.permissions or ())]
    users = User.objects.filter(is_active=True, roles__in=role_ids)
    teams = list(teams)
    if teams:
        users = users.filter(teams__in=teams)
    candidates = [u for u in User.objects.filter(pk__in=users.values("pk")).order_by("pk")
                  if not permissions.user_is_read_only(u)]
    rostered = set(RosterAssignment.objects.filter(
        roster__status=Roster.Status.PUBLISHED, date=day, template__isnull=False,
        agent__in=[u.pk for u in candidates]).values_list("agent_id", flat=True))
    if rostered:
        return [u for u in candidates if u.pk in rostered], True
    return candidates, False


@dataclass
class DistributeResult:
    day: date
    agents: list[str]
    from_roster: bool
    assigned: dict[str, int]
    left_unassigned: list[int]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["day"] = self.day.isoformat()
        return data


def open_load(agent_ids: Iterable[int]) -> dict[int, int]:
    """Each agent's open callbacks (on his list or pending)."""
    return dict(Callback.objects.filter(agent__in=list(agent_ids), status__in=(Status.PLANNED, Status.PENDING))
                .values("agent").annotate(n=Count("id")).values_list("agent", "n"))


@transaction.atomic
def callbacks_distribute(*, actor: User, day: date | None = None, teams: Iterable[Team] = ()) -> DistributeResult:
    """R7.1 [000] 四2: the system spreads the callbacks to be planned (up to `day`) over the agents' lists —
    each to the agent with the fewest open callbacks, ties by id, so the same data gives the same lists. R7.4
    [002] ⑥: a customer who rejected a solution is never given to an agent who already called him about it."""
    permissions.require(actor, PLAN)
    day = day or clock.today()
    agents, from_roster = callback_agents(day=day, teams=teams)
    if not agents:
        raise FieldError(_("Nobody in the chosen teams may make callbacks."), field="teams", code="no_agents")
    todo = list(Callback.objects.select_for_update(of=("self",)).filter(status=Status.NEW, agent__isnull=True,
                                                                        planned_for__lte=day)
                .select_related("previous__agent")
                .order_by(F("due_at").asc(nulls_last=True), "planned_for", "id"))
    load = open_load(a.pk for a in agents)
    by_agent: dict[int, list[int]] = defaultdict(list)
    left: list[int] = []
    for callback in todo:
        excluded = _chain_agents(callback) if callback.previous_id else {}
        choices = [a for a in agents if a.pk not in excluded]
        if not choices:
            left.append(callback.pk)
            continue
        agent = min(choices, key=lambda a: (load.get(a.pk, 0), a.pk))
        load[agent.pk] = load.get(agent.pk, 0) + 1
        by_agent[agent.pk].append(callback.pk)
    now = clock.now()
    names = {a.pk: a for a in agents}
    events = []
    for agent_id, ids in by_agent.items():
        Callback.objects.filter(pk__in=ids, status=Status.NEW).update(
            agent_id=agent_id, status=Status.PLANNED, assigned_at=now, assigned_by=actor, version=F("version") + 1)
        events += [CallbackEvent(callback_id=pk, actor=actor, at=now, action="assigned", old_status=Status.NEW,
                                 new_status=Status.PLANNED, note=str(names[agent_id])) for pk in ids]
    CallbackEvent.objects.bulk_create(events)
    return DistributeResult(day=day, agents=[a.username for a in agents], from_roster=from_roster,
                            assigned={names[pk].username: len(ids) for pk, ids in sorted(by_agent.items())},
                            left_unassigned=left)


@transaction.atomic
def callbacks_plan_day(*, actor: User, day: date | None = None, teams: Iterable[Team] = ()
                       ) -> tuple[GenerateResult, DistributeResult]:
    """R7.1 [000] 四1–2: the business management department plans the day — the rules fill it, the system
    spreads it over the agents' lists."""
    permissions.require(actor, PLAN)
    generated = callbacks_generate(day=day, actor=actor)
    return generated, callbacks_distribute(actor=actor, day=day, teams=teams)


@transaction.atomic
def callback_assign(*, actor: User, callback: Callback, agent: User, version: int) -> Callback:
    """R7.1: the planner puts a callback on an agent's list, or moves it to another agent. R7.4 [002] ⑥: a
    customer who rejected the solution is called again by another agent — one who already called him about
    it is refused, naming the field."""
    permissions.require(actor, PLAN)
    _expect(callback, Status.NEW, Status.PLANNED, Status.PENDING)
    if not agent.is_active or not permissions.may(agent, PERFORM):
        raise FieldError(_("%(agent)s may not make callbacks."), field="agent", code="not_callback_agent",
                         agent=str(agent))
    earlier = _chain_agents(callback)
    if agent.pk in earlier:
        raise FieldError(_("The customer rejected the solution given in an earlier call by %(agent)s; another "
                           "agent must call him again."), field="agent", code="same_agent", agent=earlier[agent.pk])
    if callback.agent_id == agent.pk:
        return callback
    old = callback.status
    new = Status.PLANNED if old == Status.NEW else old
    callback = _save(callback, version, agent=agent, status=new, assigned_at=clock.now(), assigned_by=actor)
    _event(callback, actor, "assigned", old, new, str(agent))
    return callback


@transaction.atomic
def callback_create(*, actor: User, planned_for: date, customer: Customer | None = None, ticket=None,
                    form: CallbackForm | None = None, phone: str = "", contact_name: str = "",
                    due_at: datetime | None = None, reason: str = "", note: str = "",
                    agent: User | None = None) -> Callback:
    """R7.1 [000]: the business management department plans a callback by hand (for a customer, a ticket or
    just a number), optionally straight onto an agent's list."""
    permissions.require(actor, PLAN)
    if ticket is not None and customer is not None and ticket.customer_id and ticket.customer_id != customer.pk:
        raise FieldError(_("The ticket belongs to another customer."), field="ticket", code="invalid")
    customer = customer or (ticket.customer if ticket is not None else None)
    if phone.strip():
        from kefu.core.phones import parse_phone

        phone = parse_phone(phone, field="phone").number
    else:
        phone = (ticket.reporter_phone if ticket is not None else "") or _customer_phone(customer)
    if not phone:
        raise FieldError(_("Give the number to call."), field="phone", code="required")
    if planned_for < clock.today():
        raise FieldError(_("The day cannot lie in the past."), field="planned_for", code="invalid")
    due_at = due_at or _end_of(planned_for)
    if due_at <= datetime.combine(planned_for, time.min, timezone.get_current_timezone()):
        raise FieldError(_("The callback cannot be due before the day it is planned for."), field="due_at",
                         code="invalid")
    form = form or default_form()
    if not form.is_active:
        raise FieldError(_("This form is no longer in use."), field="form", code="invalid_choice")
    callback = Callback.objects.create(
        origin=Callback.Origin.MANUAL, form=form, reason=(reason or "").strip()[:200], customer=customer,
        ticket=ticket, phone=phone, contact_name=((contact_name or "").strip()
                                                  or (ticket.reporter_name if ticket is not None else "")
                                                  or _customer_person(customer))[:100],
        planned_for=planned_for, due_at=due_at, note=(note or "").strip(), created_by=actor)
    _event(callback, actor, "created", "", Status.NEW, callback.reason)
    if agent is not None:
        callback = callback_assign(actor=actor, callback=callback, agent=agent, version=callback.version)
    return callback


@transaction.atomic
def callback_cancel(*, actor: User, callback: Callback, version: int, reason: str) -> Callback:
    """The planner takes an open callback off the plan, with a reason (a pending one's clock stops)."""
    permissions.require(actor, PLAN)
    _expect(callback, *Callback.OPEN)
    reason = _text(reason, "reason", _("Give the reason."))
    old = callback.status
    if old == Status.PENDING:
        from kefu.sla.services import clocks_stop_for_target

        clocks_stop_for_target("callback", callback.pk, policy_code=PENDING_POLICY)
    callback = _save(callback, version, status=Status.CANCELLED, done_at=clock.now(), done_by=actor)
    _event(callback, actor, "cancelled", old, Status.CANCELLED, reason)
    if callback.follow_up_id:
        # R5.4: a complaint follow-up taken off the plan is cancelled there too, with the planner's reason —
        # otherwise it would stay "scheduled" with no callback ever planned for it again.
        from kefu.complaints.services import follow_up_cancel

        follow_up_cancel(follow_up=callback.follow_up, reason=reason, by=actor, at=callback.done_at)
    return callback


# --- answers and the satisfaction score (R7.3) ----------------------------------------------------------------

YES = ("yes", "y", "true", "1", "是")
NO = ("no", "n", "false", "0", "否")


@dataclass
class Answer:
    question: CallbackQuestion
    value: str
    score: int | None = None


def answers_validate(form: CallbackForm, answers: dict[Any, Any] | None) -> list[Answer]:
    """R7.3: the answers to a form's active questions, checked against each question's answer type. Keys are
    question ids; a bad answer is a FieldError naming `answers.<id>`."""
    answers = {str(key): value for key, value in (answers or {}).items()}
    questions = list(form.questions.filter(is_active=True).order_by("order", "id"))
    unknown = set(answers) - {str(q.pk) for q in questions}
    if unknown:
        raise FieldError(_("This form has no question %(question)s."), field="answers", code="invalid",
                         question=sorted(unknown)[0])
    out: list[Answer] = []
    Type = CallbackQuestion.AnswerType
    for question in questions:
        raw = answers.get(str(question.pk))
        value = "" if raw is None else str(raw).strip()
        name = f"answers.{question.pk}"
        if not value:
            if question.required:
                raise FieldError(_("Answer the question “%(question)s”."), field=name, code="required",
                                 question=question.text)
            continue
        if question.answer_type == Type.SCORE:
            if not value.isdigit() or not 1 <= int(value) <= form.score_max:
                raise FieldError(_("The score of “%(question)s” is a whole number from 1 to %(max)s."), field=name,
                                 code="invalid", question=question.text, max=form.score_max)
            out.append(Answer(question, value, int(value)))
        elif question.answer_type == Type.YES_NO:
            if value.lower() not in YES + NO:
                raise FieldError(_("Answer “%(question)s” with yes or no."), field=name, code="invalid",
                                 question=question.text)
            out.append(Answer(question, "yes" if value.lower() in YES else "no"))
        elif question.answer_type == Type.CHOICE:
            if value not in [str(c) for c in question.choices or ()]:
                raise FieldError(_("Choose one of the answers offered for “%(question)s”."), field=name,
                                 code="invalid_choice", question=question.text)
            out.append(Answer(question, value))
        else:
            out.append(Answer(question, value[:4000]))
    return out


def score_of(form: CallbackForm, answers: list[Answer]) -> tuple[Decimal | None, bool | None]:
    """R7.3: the satisfaction score is the mean of the score answers; satisfied from the form's threshold."""
    scores = [a.score for a in answers if a.score is not None]
    if not scores:
        return None, None
    mean = (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return mean, mean >= form.satisfied_from


def _store_answers(survey: SatisfactionSurvey, answers: list[Answer]) -> None:
    SurveyAnswer.objects.bulk_create([SurveyAnswer(survey=survey, question=a.question, value=a.value, score=a.score)
                                      for a in answers])


# --- the call (R7.2–R7.4) -------------------------------------------------------------------------------------

def _record_contact(actor: User, callback: Callback, *, reached: bool, outcome: str, summary: str):
    """Each call is an outbound contact (kefu.contacts) linked to the callback's ticket, when the agent may
    record contacts."""
    if not callback.phone or not permissions.may(actor, "contacts.contact:edit"):
        return None
    from kefu.contacts.models import Contact
    from kefu.contacts.services import contact_create, contact_link_ticket

    now = clock.now()
    contact = contact_create(actor=actor, channel=Contact.Channel.OUTBOUND_CALL, offered_at=now,
                             called_number=callback.phone, customer=callback.customer,
                             answered_at=now if reached else None, ended_at=now, outcome=outcome,
                             summary_who=callback.contact_name[:200], summary_what=summary)
    if callback.ticket_id:
        try:
            contact_link_ticket(actor=actor, contact=contact, ticket=callback.ticket)
        except FieldError:
            pass  # the number belongs to another customer than the ticket's: the contact stays unlinked
    return contact


def _phone_survey(callback: Callback, actor: User, at: datetime) -> SatisfactionSurvey:
    """R7.5: the phone survey of a callback, counted as sent from its first call."""
    survey = SatisfactionSurvey.objects.filter(callback=callback).first()
    if survey is None:
        survey = SatisfactionSurvey.objects.create(
            channel=SatisfactionSurvey.Channel.PHONE, form=callback.form, callback=callback,
            customer=callback.customer, ticket=callback.ticket, phone=callback.phone, sent_by=actor, sent_at=at)
    return survey


def _follow_up_case(actor: User, callback: Callback, need: str):
    """R7.4 [002] ⑧: a new need the desk cannot answer at once becomes a follow-up case built on the original
    one — a ticket linked both ways in the tickets' histories and to the callback — for the supervisor and the
    people responsible to follow up."""
    from kefu.tickets.models import TicketEvent, TicketKind
    from kefu.tickets.services import ticket_create

    original = callback.ticket
    kind = original.kind if original is not None and original.kind.is_active else (
        TicketKind.objects.filter(code=tunables.get("callbacks.follow_up_ticket_kind"), is_active=True).first())
    if kind is None:
        raise KefuError(_("The ticket kind for follow-up cases is missing or inactive."), code="configuration")
    with translation.override("zh-hans"):
        origin = (str(_("Follow-up case of %(number)s") % {"number": original.number}) if original is not None
                  else str(_("Follow-up case of callback %(id)s") % {"id": callback.pk}))
    ticket = ticket_create(actor=actor, kind=kind, title=need.splitlines()[0][:200], customer=callback.customer,
                           description=f"{origin}\n{need}", team=original.team if original is not None else None,
                           reporter_name=callback.contact_name, reporter_phone=callback.phone)
    if original is not None:
        TicketEvent.objects.bulk_create([
            TicketEvent(ticket=original, actor=actor, action="follow_up_case", field="follow_up_case",
                        new=ticket.number, reason=need[:2000]),
            TicketEvent(ticket=ticket, actor=actor, action="follow_up_of", field="follow_up_of", old=original.number,
                        reason=str(callback.pk))])
    return ticket


def _call_again(actor: User, callback: Callback, day: date) -> Callback:
    """R7.4 [002] ⑥: the customer rejected the solution — called again at another time by another agent."""
    due = _end_of(day)
    if callback.due_at and callback.due_at > due:
        due = callback.due_at
    with translation.override("zh-hans"):
        note = str(_("The customer rejected the solution given by %(agent)s: call again, as another agent.")
                   % {"agent": str(actor)})
    retry = Callback.objects.create(
        origin=Callback.Origin.RETRY, rule=callback.rule, form=callback.form, reason=callback.reason,
        customer=callback.customer, ticket=callback.ticket, follow_up=callback.follow_up,
        contact_name=callback.contact_name, phone=callback.phone, planned_for=day, due_at=due, previous=callback,
        note=note, created_by=actor)
    _event(retry, actor, "created", "", Status.NEW, note)
    return retry


def callback_holders(callback_id: int) -> list[User]:
    """Who is warned when a pending callback's 2-day clock runs late (R7.3, R11.3): its agent, else the planners."""
    callback = Callback.objects.filter(pk=callback_id).select_related("agent").first()
    if callback is None:
        return []
    if callback.agent_id and callback.agent.is_active:
        return [callback.agent]
    from kefu.accounts.selectors import users_holding

    return list(users_holding(PLAN))


def _complete_follow_up(callback: Callback, actor: User, at: datetime) -> None:
    """R5.4: the callback carried out a complaint's follow-up: it is recorded there as done."""
    if not callback.follow_up_id:
        return
    from kefu.complaints.services import follow_up_complete

    with translation.override("zh-hans"):
        if callback.status == Callback.Status.UNREACHABLE:
            # The follow-up was attempted as the rule says; the complaint's record shows it did not reach him.
            result = str(_("Callback %(id)s: the customer was not reached after %(attempts)s calls.")
                         % {"id": callback.pk, "attempts": callback.call_attempts.count()})
        else:
            result = str(_("Callback %(id)s: %(summary)s") % {"id": callback.pk,
                                                             "summary": callback.summary or "—"})
        if callback.score is not None:
            result += str(_(" (satisfaction %(score)s)") % {"score": callback.score})
    follow_up_complete(follow_up=callback.follow_up, result=result, done_by=actor, at=at)


def _later_day(call_again_on: date | None) -> date:
    if call_again_on is not None:
        return call_again_on
    return clock.today() + timedelta(days=tunables.get("callbacks.call_again_after_days"))


@transaction.atomic
def callback_record_call(*, actor: User, callback: Callback, version: int, outcome: str, note: str = "",
                         answers: dict[Any, Any] | None = None, solution_accepted: bool | None = None,
                         pending_issue: str = "", new_need: str = "", call_again_on: date | None = None) -> Callback:
    """R7.2–R7.4 [000][002]: the agent records one call of a callback on his list.

    Not reached (no answer, busy, wrong number): the attempt is kept; after the configured number of attempts
    the callback counts as not reached. Reached but not convenient: called again on the day given (by default
    tomorrow). Reached: the answers go on the callback's form with the satisfaction score (R7.3); a rejected
    solution is called again at another time by another agent (R7.4 [002] ⑥); an open issue leaves the
    callback pending, to be solved and answered within 2 days (the pending_callback clock, R7.4 [000]); a new
    need becomes a follow-up case linked to the original one (R7.4 [002] ⑧); otherwise the callback is done and
    a complaint follow-up it carries out is done too (R5.4). Every call is an outbound contact."""
    _may_perform(actor, callback)
    _expect(callback, Status.PLANNED)
    if outcome not in Outcome.values:
        raise FieldError(_("Unknown outcome."), field="outcome", code="invalid_choice")
    if call_again_on is not None and call_again_on < clock.today():
        raise FieldError(_("The day cannot lie in the past."), field="call_again_on", code="invalid")
    note, pending_issue, new_need = (note or "").strip(), (pending_issue or "").strip(), (new_need or "").strip()
    validated: list[Answer] = []
    if outcome == Outcome.REACHED:
        validated = answers_validate(callback.form, answers)
        if solution_accepted is False and pending_issue:
            raise FieldError(_("A customer who rejected the solution is called again by another agent; record the "
                               "open issue as the note."), field="pending_issue", code="invalid")
    now = clock.now()
    old = callback.status
    survey = _phone_survey(callback, actor, now)
    fields: dict[str, Any] = {"attempts": callback.attempts + 1}
    contact_outcome = ""
    if outcome == Outcome.REACHED:
        from kefu.contacts.models import Contact

        score, satisfied = score_of(callback.form, validated)
        fields.update(reached_at=now, solution_accepted=solution_accepted, score=score, satisfied=satisfied,
                      summary=note, pending_issue=pending_issue, new_need=new_need)
        if solution_accepted is False:
            fields.update(status=Status.REJECTED, done_at=now, done_by=actor)
            contact_outcome = Contact.Outcome.CALLBACK
        elif pending_issue:
            fields["status"] = Status.PENDING
            contact_outcome = Contact.Outcome.CALLBACK
        else:
            fields.update(status=Status.DONE, done_at=now, done_by=actor)
            contact_outcome = Contact.Outcome.RESOLVED
        if new_need:
            contact_outcome = Contact.Outcome.TICKET
    elif outcome == Outcome.NOT_CONVENIENT:
        fields["planned_for"] = _later_day(call_again_on)
    else:
        unreached = callback.call_attempts.filter(outcome__in=CallbackAttempt.NOT_REACHED).count() + 1
        if unreached >= tunables.get("callbacks.max_attempts"):
            fields.update(status=Status.UNREACHABLE, done_at=now, done_by=actor)
        elif call_again_on is not None:
            fields["planned_for"] = call_again_on
    contact = _record_contact(actor, callback, reached=outcome in (Outcome.REACHED, Outcome.NOT_CONVENIENT),
                              outcome=contact_outcome, summary=note or Outcome(outcome).label)
    CallbackAttempt.objects.create(callback=callback, agent=actor, at=now, outcome=outcome, note=note,
                                   contact=contact)
    if outcome == Outcome.REACHED and new_need:
        fields["follow_up_ticket"] = _follow_up_case(actor, callback, new_need)
    callback = _save(callback, version, **fields)
    new = callback.status
    _event(callback, actor, f"call_{outcome}", old, new, note)
    if outcome == Outcome.REACHED:
        SatisfactionSurvey.objects.filter(pk=survey.pk).update(
            status=SatisfactionSurvey.Status.ANSWERED, answered_at=now, score=callback.score,
            satisfied=callback.satisfied, contact=contact)
        _store_answers(survey, validated)
        if callback.ticket_id and callback.score is not None:
            _ticket_satisfaction(callback.ticket_id, actor, callback.score, SatisfactionSurvey.Channel.PHONE)
    if new == Status.REJECTED:
        _call_again(actor, callback, _later_day(call_again_on))
    elif new == Status.PENDING:
        from kefu.sla.services import clock_start

        with translation.override("zh-hans"):
            label = str(_("pending callback %(id)s") % {"id": callback.pk})
        clock_start(PENDING_POLICY, callback, now, label=label)
    elif new in (Status.DONE, Status.UNREACHABLE):
        _complete_follow_up(callback, actor, now)
    if callback.follow_up_ticket_id:
        _event(callback, actor, "follow_up_case", new, new, callback.follow_up_ticket.number)
    return callback


@transaction.atomic
def callback_resolve_pending(*, actor: User, callback: Callback, version: int, reply: str) -> Callback:
    """R7.4 [000] 四5: a callback left pending is solved and the customer answered within 2 days — the answer
    is recorded (an outbound contact), the pending_callback clock stops (late counts as missed), the callback
    is done, and a complaint follow-up it carries out is done too (R5.4)."""
    _may_perform(actor, callback)
    _expect(callback, Status.PENDING)
    reply = _text(reply, "reply", _("Say what the customer was told."))
    from kefu.contacts.models import Contact
    from kefu.sla.services import clocks_stop_for_target

    now = clock.now()
    contact = _record_contact(actor, callback, reached=True, outcome=Contact.Outcome.RESOLVED, summary=reply)
    CallbackAttempt.objects.create(callback=callback, agent=actor, at=now, outcome=Outcome.REACHED, note=reply,
                                   contact=contact)
    clocks_stop_for_target("callback", callback.pk, at=now, policy_code=PENDING_POLICY)
    callback = _save(callback, version, status=Status.DONE, pending_reply=reply, pending_resolved_at=now,
                     done_at=now, done_by=actor, attempts=callback.attempts + 1)
    _event(callback, actor, "pending_answered", Status.PENDING, Status.DONE, reply)
    _complete_follow_up(callback, actor, now)
    return callback


def pending_clock(callback: Callback):
    """The pending callback's 2-day clock (R7.4 [000]), if it was started."""
    from kefu.sla.services import clocks_for_target

    return clocks_for_target("callback", callback.pk).filter(policy__code=PENDING_POLICY).last()


def _ticket_satisfaction(ticket_id: int, actor: User | None, score: Decimal, channel: str) -> None:
    """The survey's score lands in the ticket's history."""
    from kefu.tickets.models import TicketEvent

    TicketEvent.objects.create(ticket_id=ticket_id, actor=actor, action="satisfaction", field="satisfaction",
                               new=str(score), reason=channel)


# --- surveys by SMS or web link (R7.5) ------------------------------------------------------------------------

def survey_token(survey: SatisfactionSurvey) -> str:
    """The signed, timestamped token of a survey link: names the survey row and its random key."""
    return signing.dumps({"s": survey.pk, "n": survey.nonce}, salt=SURVEY_SALT)


def survey_link(survey: SatisfactionSurvey, base_url: str = "") -> str:
    base = (tunables.get("callbacks.public_base_url") or base_url or "").rstrip("/")
    return base + reverse("callbacks:survey", args=[survey_token(survey)])


def _is_mobile(number: str) -> bool:
    return len(number) == 11 and number.startswith("1")


@transaction.atomic
def survey_send(*, actor: User, channel: str, phone: str = "", customer: Customer | None = None, ticket=None,
                contact=None, form: CallbackForm | None = None, base_url: str = "") -> tuple[SatisfactionSurvey, str]:
    """R7.5 [004]: a satisfaction survey by SMS link (sent through the SMS gateway) or web link (handed to the
    customer). The link is signed, expires after the configured hours and can be used once; no login."""
    permissions.require(actor, "callbacks.survey:send")
    if channel not in (SatisfactionSurvey.Channel.SMS, SatisfactionSurvey.Channel.WEB):
        raise FieldError(_("A survey link is sent by SMS or handed out on the web; a phone survey is a callback."),
                         field="channel", code="invalid_choice")
    if ticket is not None and customer is not None and ticket.customer_id and ticket.customer_id != customer.pk:
        raise FieldError(_("The ticket belongs to another customer."), field="ticket", code="invalid")
    customer = customer or (ticket.customer if ticket is not None else None) or (
        contact.customer if contact is not None else None)
    if phone.strip():
        from kefu.core.phones import parse_phone

        phone = parse_phone(phone, field="phone").number
    elif channel == SatisfactionSurvey.Channel.SMS:
        candidates = [(ticket.reporter_phone if ticket is not None else ""),
                      (contact.customer_number_side if contact is not None else "")] + (
            [p.number for p in customer.phones.all()] if customer is not None else [])
        phone = next((n for n in candidates if n and _is_mobile(n)), "")
    if channel == SatisfactionSurvey.Channel.SMS and not phone:
        raise FieldError(_("Give the mobile number to send the survey to."), field="phone", code="required")
    if channel == SatisfactionSurvey.Channel.SMS and not _is_mobile(phone):
        raise FieldError(_("An SMS goes to a mobile number."), field="phone", code="not_mobile")
    form = form or default_form(CallbackForm.Purpose.SURVEY)
    if not form.is_active:
        raise FieldError(_("This form is no longer in use."), field="form", code="invalid_choice")
    now = clock.now()
    hours = tunables.get("callbacks.survey_link_hours")
    survey = SatisfactionSurvey.objects.create(
        channel=channel, form=form, customer=customer, ticket=ticket, contact=contact, phone=phone,
        nonce=secrets.token_hex(16), sent_by=actor, sent_at=now, expires_at=now + timedelta(hours=hours))
    link = survey_link(survey, base_url)
    if channel == SatisfactionSurvey.Channel.SMS:
        from .sms import sms_queue

        text = (tunables.get("callbacks.survey_sms_text").replace("{company}", tunables.get("callbacks.company_name"))
                .replace("{link}", link).replace("{hours}", str(hours)))
        sms_queue(to=phone, text=text, survey=survey, actor=actor)
    if ticket is not None:
        from kefu.tickets.models import TicketEvent

        TicketEvent.objects.create(ticket=ticket, actor=actor, action="survey_sent", field="satisfaction",
                                   new=survey.get_channel_display(), reason=str(survey.pk))
    return survey, link


def survey_read(token: str) -> SatisfactionSurvey:
    """The survey a link opens; a tampered, unknown, expired, cancelled or already answered link is refused
    with a clear message in Chinese and English."""
    try:
        data = signing.loads(token, salt=SURVEY_SALT,
                             max_age=timedelta(hours=tunables.get("callbacks.survey_link_hours")))
    except signing.SignatureExpired:
        raise KefuError(_("This survey link has expired."), code="link_expired", status=410) from None
    except signing.BadSignature:
        raise KefuError(_("This survey link is not valid."), code="link_invalid", status=404) from None
    if not isinstance(data, dict) or not data.get("n"):
        raise KefuError(_("This survey link is not valid."), code="link_invalid", status=404)
    survey = (SatisfactionSurvey.objects.select_related("form").filter(pk=data.get("s"), nonce=str(data["n"]))
              .exclude(channel=SatisfactionSurvey.Channel.PHONE).first())
    if survey is None:
        raise KefuError(_("This survey link is not valid."), code="link_invalid", status=404)
    if survey.status == SatisfactionSurvey.Status.ANSWERED:
        raise KefuError(_("This survey was already answered; a survey link can be used only once. Thank you."),
                        code="link_used", status=410)
    if survey.status == SatisfactionSurvey.Status.CANCELLED:
        raise KefuError(_("This survey was withdrawn."), code="link_cancelled", status=410)
    if survey.expires_at is not None and survey.expires_at <= clock.now():
        raise KefuError(_("This survey link has expired."), code="link_expired", status=410)
    return survey


def survey_submit(*, token: str, answers: dict[Any, Any]) -> SatisfactionSurvey:
    """R7.5 [004]: the customer's answers through the link, once. The database decides who wins when the form
    is sent twice at once: only the update that finds the survey still unanswered stores the answers; the
    other is refused as a used link and stores nothing."""
    with transaction.atomic():
        survey = survey_read(token)
        validated = answers_validate(survey.form, answers)
        score, satisfied = score_of(survey.form, validated)
        now = clock.now()
        claimed = SatisfactionSurvey.objects.filter(
            pk=survey.pk, status=SatisfactionSurvey.Status.SENT, answered_at__isnull=True).update(
            status=SatisfactionSurvey.Status.ANSWERED, answered_at=now, score=score, satisfied=satisfied)
        if not claimed:
            raise KefuError(_("This survey was already answered; a survey link can be used only once. Thank you."),
                            code="link_used", status=410)
        _store_answers(survey, validated)
        if survey.ticket_id and score is not None:
            _ticket_satisfaction(survey.ticket_id, None, score, survey.channel)
        survey.refresh_from_db()
        return survey


@transaction.atomic
def survey_cancel(*, actor: User, survey: SatisfactionSurvey) -> SatisfactionSurvey:
    """Withdraw an unanswered survey link (e.g. sent to the wrong number)."""
    permissions.require(actor, "callbacks.survey:send")
    updated = SatisfactionSurvey.objects.filter(pk=survey.pk, status=SatisfactionSurvey.Status.SENT).exclude(
        channel=SatisfactionSurvey.Channel.PHONE).update(status=SatisfactionSurvey.Status.CANCELLED)
    if not updated:
        raise KefuError(_("Only an unanswered survey link can be withdrawn."), code="invalid_state", status=409)
    survey.refresh_from_db()
    return survey
