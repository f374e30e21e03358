"""Writes of service exceptions (SPEC §6, seed [001]). Every change goes through here — the staff pages, the
public supervision form, the API: role check, optimistic lock on `version`, one ExceptionEvent per change
(the ledger's history), the first-assessment SLA clock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core import signing
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Team, User
from kefu.core import clock, permissions, tunables
from kefu.core.errors import ConflictError, FieldError, KefuError
from kefu.customers.models import Customer
from kefu.tickets.models import Notification

from .models import ExceptionCategory, ExceptionEvent, ExceptionLevel, ExceptionPlan, ServiceException

tunables.register(tunables.Tunable(
    "service_exceptions.report_link_days", 90, int, _("Days a signed link to the public exception form is valid"),
    help_text=_("R6.2 [001] 监督机制 3: the supervision hotline and mailbox hand out this link."), source="R6.2 [001]",
    minimum=1, maximum=3650))
tunables.register(tunables.Tunable(
    "service_exceptions.public_reports_per_hour", 5, int, _("Public exception reports accepted per hour and address"),
    source="R6.2", minimum=1, maximum=1000))

State = ServiceException.State
LINK_SALT = "kefu.service_exceptions.report-link"
ASSESSMENT_POLICY = "service_exception_assessment"

# R6.1 [001] 异常分类 / 异常分级, stored as data on migrate (simplified Chinese of the seed); administrators edit.
DEFAULT_CATEGORIES = (
    ("process", "服务流程异常",
     "包括服务环节缺失、流程执行不规范、信息传递不畅等导致的服务中断或延误。"
     "例如,客户下单后长时间未收到确认信息,或者售后服务流程中维修进度不透明等。"),
    ("quality", "服务质量异常",
     "指提供的服务未能达到公司规定的质量标准,"
     "如产品使用说明不清晰、技术支持解答不准确、服务态度不佳等。"),
    ("commitment", "服务承诺异常",
     "公司对客户做出的服务承诺未能兑现,如未能按时交付产品、未达到约定的服务期限或效果等。"),
    ("complaint", "客户投诉异常",
     "客户对服务不满意而发起的正式投诉,包括电话投诉、邮件投诉、在线平台投诉等。"),
)
DEFAULT_LEVELS = (
    (1, "一级异常",
     "严重影响客户体验和公司声誉,可能导致重大经济损失或法律纠纷的异常情况。"
     "例如,大规模产品质量问题引发的集体投诉、因服务失误导致客户遭受重大财产损失等。",
     "management", True, True),
    (2, "二级异常",
     "对客户体验有较大影响,可能引起客户不满和一定范围内的负面传播,但尚未造成重大经济损失的异常情况。"
     "如服务响应时间严重超时、多次服务失误导致客户投诉等。",
     "desk_with_department", False, False),
    (3, "三级异常",
     "对客户体验有一定影响,但可以通过及时处理快速解决,不会造成明显负面影响的异常情况。"
     "例如,客户反馈的小问题未及时跟进处理等。",
     "desk", False, False),
)


def service_exceptions_seed_defaults() -> None:
    """R6.1: the seed's categories and levels; an administrator's edits are kept."""
    with transaction.atomic():
        for order, (code, name, definition) in enumerate(DEFAULT_CATEGORIES):
            ExceptionCategory.objects.get_or_create(code=code, defaults={"name": name, "definition": definition,
                                                                         "order": order})
        for number, name, definition, planner, approval, notify in DEFAULT_LEVELS:
            ExceptionLevel.objects.get_or_create(number=number, defaults={
                "name": name, "definition": definition, "planner": planner, "requires_approval": approval,
                "notify_management": notify})


# --- helpers ------------------------------------------------------------------------------------------------


def _event(exc: ServiceException, actor: User | None, action: str, old_state: str = "", note: str = "",
           contact: Any = None) -> ExceptionEvent:
    return ExceptionEvent.objects.create(exception=exc, actor=actor, at=clock.now(), action=action,
                                         old_state=old_state, new_state=exc.state, round=exc.round,
                                         note=(note or "")[:4000], contact=contact)


def _save(exc: ServiceException, version: int, **fields: Any) -> ServiceException:
    """Optimistic lock (as tickets): the change applies only to the version the user saw; otherwise 409."""
    updated = ServiceException.objects.filter(pk=exc.pk, version=version).update(version=F("version") + 1,
                                                                                **fields)
    if not updated:
        raise ConflictError(_("This service exception was changed by someone else; reload it and try again."),
                            code="version_conflict", field="version")
    exc.refresh_from_db()
    return exc


def _expect(exc: ServiceException, *states: str) -> None:
    if exc.state not in states:
        raise KefuError(_("Not possible while the service exception is “%(state)s”."), code="invalid_state",
                        status=409, state=exc.get_state_display())


def _current_plan(exc: ServiceException) -> ExceptionPlan | None:
    return exc.plans.exclude(state=ExceptionPlan.State.REFUSED).filter(round=exc.round).order_by("-id").first()


def _notify_role(role: str, exc: ServiceException, message: str) -> int:
    users = list(User.objects.filter(is_active=True, roles__code=role).distinct())
    Notification.objects.bulk_create([Notification(user=u, message=message[:255]) for u in users])
    return len(users)


def _text(value: str, field: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise FieldError(message, field=field, code="required")
    return value


# --- report and assessment ----------------------------------------------------------------------------------

@transaction.atomic
def exception_report(*, actor: User | None, title: str, description: str,
                     source: str = ServiceException.Source.STAFF, customer: Customer | None = None,
                     customer_name: str = "", customer_phone: str = "", reporter_name: str = "",
                     reporter_contact: str = "", occurred_at: datetime | None = None, ticket: Any = None
                     ) -> ServiceException:
    """R6.2 [001] 异常发现与报告: anyone may report — staff of any department in the system, the public through
    the supervision hotline or mailbox (signed link, no actor). The first-assessment clock starts (N minutes)."""
    if source == ServiceException.Source.STAFF:
        permissions.require(actor, "service_exceptions.exception:report")
    elif source not in ServiceException.Source.values:
        raise FieldError(_("Unknown channel."), field="source", code="invalid_choice")
    title = _text(title, "title", _("The title is required."))
    description = _text(description, "description", _("Describe what happened."))
    if customer_phone:
        from kefu.core.phones import parse_phone

        customer_phone = parse_phone(customer_phone, field="customer_phone").number
    now = clock.now()
    if occurred_at is not None and occurred_at > now:
        raise FieldError(_("This cannot lie in the future."), field="occurred_at", code="invalid")
    exc = ServiceException.objects.create(
        source=source, title=title[:200], description=description, customer=customer,
        customer_name=customer_name.strip()[:100], customer_phone=customer_phone, reporter=actor,
        reporter_name=(reporter_name.strip() or (actor.display_name if actor else ""))[:100],
        reporter_contact=reporter_contact.strip()[:100], occurred_at=occurred_at, reported_at=now, ticket=ticket)
    exc.number = f"YC{timezone.localdate(now):%Y%m%d}-{exc.pk:06d}"
    ServiceException.objects.filter(pk=exc.pk).update(number=exc.number)
    _event(exc, actor, "reported", note=exc.get_source_display())
    from kefu.sla.services import clock_start

    with translation.override("zh-hans"):
        label = str(_("service exception %(number)s") % {"number": exc.number})
    sla_clock = clock_start(ASSESSMENT_POLICY, exc, now, label=label)
    desk = service_desk()
    with translation.override("zh-hans"):
        message = str(_("Service exception %(number)s reported: %(title)s") % {"number": exc.number,
                                                                             "title": exc.title})
        if sla_clock is not None:
            message += str(_(" — first assessment due %(deadline)s") % {
                "deadline": timezone.localtime(sla_clock.deadline).strftime("%Y-%m-%d %H:%M")})
    Notification.objects.bulk_create([Notification(user=u, message=message[:255]) for u in desk])
    _event(exc, actor, "desk_notified", note=str(len(desk)))
    return exc


def service_desk() -> list[User]:
    """R6.2 [001]: the service desk (客服部门) that makes the first assessment — holders of the handling right in
    the first-line desk teams (all holders when no first-line team has one)."""
    from kefu.accounts.selectors import users_holding

    return list(users_holding("service_exceptions.exception:handle", team_kind=Team.Kind.FIRST_LINE))


def exception_holders(exception_id: int) -> list[User]:
    """Who is warned when a clock of this exception runs late (R11.3): the owner of the current plan, else the
    service desk."""
    exc = ServiceException.objects.filter(pk=exception_id).first()
    if exc is None:
        return []
    plan = _current_plan(exc)
    if plan is not None and plan.owner_id and plan.owner.is_active:
        return [plan.owner]
    return service_desk()


@transaction.atomic
def exception_assess(*, actor: User, exception: ServiceException, version: int, category: ExceptionCategory,
                     level: ExceptionLevel, impact: str, cause: str = "",
                     departments: Iterable[Team] = ()) -> ServiceException:
    """R6.2 [001] 异常评估与分类: the service desk sets category, level and impact within the configured minutes
    (the assessment clock stops); a level-1 exception is reported to management at once."""
    permissions.require(actor, "service_exceptions.exception:handle")
    _expect(exception, State.REPORTED)
    impact = _text(impact, "impact", _("Assess the impact on the customer and the company."))
    now = clock.now()
    exc = _save(exception, version, category=category, level=level, impact=impact, cause=(cause or "").strip()[:100],
                assessed_at=now, assessed_by=actor, state=State.PLANNING, round=1)
    if departments:
        exc.departments.add(*departments)
    from kefu.sla.services import clocks_stop_for_target

    clocks_stop_for_target("service_exception", exc.pk, at=now, policy_code=ASSESSMENT_POLICY)
    _event(exc, actor, "assessed", State.REPORTED, f"{category.name} / {level.name}: {impact}")
    if level.notify_management:
        with translation.override("zh-hans"):
            message = str(_("Level-1 service exception %(number)s: %(title)s") % {"number": exc.number,
                                                                                 "title": exc.title})
        count = _notify_role("management", exc, message)
        _event(exc, actor, "management_notified", note=str(count))
    return exc


# --- planning and approval ----------------------------------------------------------------------------------

@transaction.atomic
def exception_plan(*, actor: User, exception: ServiceException, version: int, content: str,
                   owner: User | None = None, owner_department: Team | None = None, deadline: datetime | None = None,
                   departments: Iterable[Team] = ()) -> ExceptionPlan:
    """R6.3 [001] 异常处理方案制定: level 1 — management with the departments involved, approved by management;
    level 2 — the service desk with the business department, naming owner and deadline; level 3 — the service
    desk alone."""
    _expect(exception, State.PLANNING)
    level = exception.level
    departments = list(departments)
    content = _text(content, "content", _("Write the plan."))
    if deadline is not None and deadline <= clock.now():
        raise FieldError(_("The deadline must lie in the future."), field="deadline", code="invalid")
    if level.planner == ExceptionLevel.Planner.MANAGEMENT:
        permissions.require(actor, "service_exceptions.exception:plan_major")
        if not departments:
            raise FieldError(_("Name the departments involved."), field="departments", code="required")
    else:
        permissions.require(actor, "service_exceptions.exception:handle")
    if level.planner == ExceptionLevel.Planner.DESK_WITH_DEPARTMENT:
        if owner_department is None:
            raise FieldError(_("Name the business department."), field="owner_department", code="required")
        if owner is None:
            raise FieldError(_("Name the owner."), field="owner", code="required")
        if deadline is None:
            raise FieldError(_("Set the deadline."), field="deadline", code="required")
        departments.append(owner_department)
    if level.planner == ExceptionLevel.Planner.DESK:
        owner = owner or actor
    approval = level.requires_approval
    state = ExceptionPlan.State.AWAITING_APPROVAL if approval else ExceptionPlan.State.EXECUTING
    plan = ExceptionPlan.objects.create(
        exception=exception, round=exception.round, content=content, owner=owner, owner_department=owner_department,
        deadline=deadline, state=state, drafted_by=actor, drafted_at=clock.now(), requires_approval=approval)
    if departments:
        plan.departments.set(departments)
        exception.departments.add(*departments)
    exc = _save(exception, version, state=State.AWAITING_APPROVAL if approval else State.EXECUTING)
    _event(exc, actor, "planned", State.PLANNING, content)
    return plan


@transaction.atomic
def plan_decide(*, actor: User, exception: ServiceException, version: int, approve: bool,
                note: str = "") -> ExceptionPlan:
    """R6.3 [001] 管理层职责 2: management approves (or refuses, with a reason) the plan of a level-1 exception;
    anybody without that right is refused."""
    permissions.require(actor, "service_exceptions.plan:approve")
    _expect(exception, State.AWAITING_APPROVAL)
    plan = exception.plans.filter(state=ExceptionPlan.State.AWAITING_APPROVAL).order_by("-id").first()
    if not approve and not (note or "").strip():
        raise FieldError(_("Give the reason for refusing the plan."), field="note", code="required")
    plan.state = ExceptionPlan.State.EXECUTING if approve else ExceptionPlan.State.REFUSED
    plan.approved_by, plan.approved_at, plan.approval_note = actor, clock.now(), (note or "").strip()
    plan.save(update_fields=["state", "approved_by", "approved_at", "approval_note"])
    exc = _save(exception, version, state=State.EXECUTING if approve else State.PLANNING)
    _event(exc, actor, "plan_approved" if approve else "plan_refused", State.AWAITING_APPROVAL, note)
    return plan


# --- execution, informing, rating ---------------------------------------------------------------------------

def _may_follow(actor: User, exception: ServiceException) -> None:
    plan = _current_plan(exception)
    if permissions.may(actor, "service_exceptions.exception:handle"):
        return
    if plan is not None and plan.owner_id == actor.pk and not permissions.user_is_read_only(actor):
        return
    raise KefuError(_("You may not do this."), code="permission_denied", status=403)


@transaction.atomic
def exception_follow_up(*, actor: User, exception: ServiceException, note: str) -> ExceptionEvent:
    """R6.4 [001] 异常处理执行与跟进 2: the service desk (or the plan's owner) records the progress of the
    execution."""
    _may_follow(actor, exception)
    _expect(exception, State.EXECUTING)
    return _event(exception, actor, "follow_up", exception.state, _text(note, "note", _("Record the progress.")))


@transaction.atomic
def exception_complete(*, actor: User, exception: ServiceException, version: int, result: str) -> ExceptionPlan:
    """R6.4: the plan is carried out; the result is recorded (and must then be told to the customer)."""
    _may_follow(actor, exception)
    _expect(exception, State.EXECUTING)
    plan = _current_plan(exception)
    plan.result, plan.executed_at = _text(result, "result", _("Record the result.")), clock.now()
    plan.state = ExceptionPlan.State.EXECUTED
    plan.save(update_fields=["result", "executed_at", "state"])
    exc = _save(exception, version, state=State.RESULT_PENDING)
    _event(exc, actor, "executed", State.EXECUTING, plan.result)
    return plan


def _record_contact(actor: User, exception: ServiceException, message: str):
    """The customer was told: an outbound contact in kefu.contacts when the user may record contacts."""
    if not exception.customer_phone or not permissions.may(actor, "contacts.contact:edit"):
        return None
    from kefu.contacts.models import Contact
    from kefu.contacts.services import contact_create

    return contact_create(actor=actor, channel=Contact.Channel.OUTBOUND_CALL, called_number=exception.customer_phone,
                          customer=exception.customer, outcome=Contact.Outcome.NO_ACTION,
                          summary_who=exception.customer_name, summary_what=message)


@transaction.atomic
def exception_inform(*, actor: User, exception: ServiceException, version: int, kind: str,
                     message: str) -> ExceptionEvent:
    """R6.4 [001] 处理执行与跟进 1, 结果反馈与确认 1: the customer is told the progress while the plan runs and
    the result when it is done (then asked to rate it); each telling is recorded (with its contact)."""
    permissions.require(actor, "service_exceptions.exception:handle")
    message = _text(message, "message", _("Say what the customer was told."))
    if kind == "progress":
        _expect(exception, State.EXECUTING, State.AWAITING_APPROVAL, State.PLANNING)
        contact = _record_contact(actor, exception, message)
        return _event(exception, actor, "customer_told_progress", exception.state, message, contact)
    if kind != "result":
        raise FieldError(_("Tell the progress or the result."), field="kind", code="invalid_choice")
    _expect(exception, State.RESULT_PENDING)
    plan = _current_plan(exception)
    plan.result_told_at = clock.now()
    plan.save(update_fields=["result_told_at"])
    contact = _record_contact(actor, exception, message)
    exc = _save(exception, version, state=State.AWAITING_RATING)
    return _event(exc, actor, "customer_told_result", State.RESULT_PENDING, message, contact)


@transaction.atomic
def exception_rate(*, actor: User, exception: ServiceException, version: int, satisfied: bool,
                   note: str = "") -> ExceptionPlan:
    """R6.4 [001] 结果反馈与确认 2: the customer rates the result. Satisfied → the desk confirms and archives;
    not satisfied → back to planning for a new round (every round is kept), until the customer is satisfied."""
    permissions.require(actor, "service_exceptions.exception:handle")
    _expect(exception, State.AWAITING_RATING)
    plan = _current_plan(exception)
    plan.rating = ExceptionPlan.Rating.SATISFIED if satisfied else ExceptionPlan.Rating.NOT_SATISFIED
    plan.rating_note, plan.rated_at = (note or "").strip(), clock.now()
    plan.save(update_fields=["rating", "rating_note", "rated_at"])
    if satisfied:
        exc = _save(exception, version, state=State.SATISFIED)
    else:
        exc = _save(exception, version, state=State.PLANNING, round=exception.round + 1)
    _event(exc, actor, "rated_satisfied" if satisfied else "rated_not_satisfied", State.AWAITING_RATING, note)
    return plan


@transaction.atomic
def exception_archive(*, actor: User, exception: ServiceException, version: int, note: str = "") -> ServiceException:
    """R6.4 [001]: after the customer's satisfied rating the service desk confirms and archives. Never before:
    an exception cannot be closed without the customer's rating."""
    permissions.require(actor, "service_exceptions.exception:handle")
    if exception.state == State.ARCHIVED:
        raise KefuError(_("This service exception is already archived."), code="invalid_state", status=409)
    if exception.state != State.SATISFIED:
        raise KefuError(_("A service exception is archived only after the customer rated the result satisfied."),
                        code="not_rated", status=409)
    exc = _save(exception, version, state=State.ARCHIVED, archived_at=clock.now())
    _event(exc, actor, "archived", State.SATISFIED, note)
    return exc


# --- the public form (supervision hotline and mailbox) ------------------------------------------------------

def report_link_make(*, actor: User, source: str) -> str:
    """R6.2 [001] 监督机制 3: a signed, expiring token for the public report form, handed out by the supervision
    hotline or mailbox; it names the channel, so reports through it are counted under that channel."""
    permissions.require(actor, "service_exceptions.link:create")
    if source not in (ServiceException.Source.SUPERVISION_HOTLINE, ServiceException.Source.SUPERVISION_MAILBOX):
        raise FieldError(_("The link is for the supervision hotline or mailbox."), field="source",
                         code="invalid_choice")
    return signing.dumps({"source": source, "by": actor.pk}, salt=LINK_SALT)


def report_link_read(token: str) -> str:
    """The channel of a valid link; a tampered or expired link is refused with a clear message."""
    max_age = tunables.get("service_exceptions.report_link_days") * 86400
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise KefuError(_("This link has expired; ask the supervision hotline for a new one."), code="link_expired",
                        status=410) from None
    except signing.BadSignature:
        raise KefuError(_("This link is not valid."), code="link_invalid", status=404) from None
    source = data.get("source") if isinstance(data, dict) else None
    if source not in ServiceException.Source.values or source == ServiceException.Source.STAFF:
        raise KefuError(_("This link is not valid."), code="link_invalid", status=404)
    return source


def public_report_allowed(address: str) -> bool:
    """Rate limit of the public form: so many reports per hour and address (the shared cache counts)."""
    from django.core.cache import cache

    key = f"kefu:se-public:{address}:{clock.now():%Y%m%d%H}"
    cache.add(key, 0, 3600)
    try:
        count = cache.incr(key)
    except ValueError:
        count = 1
    return count <= tunables.get("service_exceptions.public_reports_per_hour")
