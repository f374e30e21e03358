"""The whole loop of seed [001] through the services: report → assess → plan (per level) → approve → execute →
inform → rate (not satisfied) → re-plan → rate (satisfied) → archive (R6.1–R6.5)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import signing

from kefu.core.errors import ConflictError, FieldError, KefuError
from kefu.service_exceptions import selectors, services
from kefu.service_exceptions.models import ExceptionPlan, ServiceException
from kefu.sla.models import SlaClock
from kefu.sla.services import sla_sweep
from kefu.tickets.models import Notification

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=SH)
State = ServiceException.State


def test_categories_and_levels_are_the_seeds_data(levels, categories):
    assert set(categories) == {"process", "quality", "commitment", "complaint"}
    assert categories["commitment"].name == "服务承诺异常" and "未能兑现" in categories["commitment"].definition
    assert [levels[n].planner for n in (1, 2, 3)] == ["management", "desk_with_department", "desk"]
    assert levels[1].requires_approval and levels[1].notify_management and not levels[2].requires_approval


@pytest.mark.django_db
def test_level_1_loop_until_the_customer_is_satisfied(make_user, levels, categories, business_department,
                                                      customer):
    engineer = make_user("field_engineer")  # staff of any department may report
    lead, supervisor = make_user("shift_lead"), make_user("supervisor")
    boss = make_user("management")
    with time_machine.travel(T0, tick=False):
        exc = services.exception_report(actor=engineer, title="批量商户结算延迟", customer=customer,
                                        description="3月1日起约200家商户未收到结算款,多人来电投诉",
                                        customer_name="张伟", customer_phone="13812345678")
    assert exc.number.startswith("YC20260302-") and exc.state == State.REPORTED
    clock = selectors.assessment_clock(exc)
    assert clock.deadline == T0 + timedelta(minutes=30)  # R6.2: first assessment within N minutes

    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        with pytest.raises(KefuError) as not_desk:
            services.exception_assess(actor=engineer, exception=exc, version=exc.version,
                                      category=categories["commitment"], level=levels[1], impact="x")
        assert not_desk.value.status == 403
        exc = services.exception_assess(actor=lead, exception=exc, version=exc.version,
                                        category=categories["commitment"], level=levels[1], cause="清算系统故障",
                                        impact="大量商户资金未到账,可能引发集体投诉和法律纠纷")
    assert exc.state == State.PLANNING and exc.round == 1
    clock.refresh_from_db()
    assert clock.state == SlaClock.State.STOPPED and clock.breached_at is None
    # R6.2: level 1 is reported to management at once.
    assert Notification.objects.filter(user=boss, message__contains=exc.number).exists()

    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        with pytest.raises(KefuError) as desk_plans_level_1:
            services.exception_plan(actor=lead, exception=exc, version=exc.version, content="x",
                                    departments=[business_department])
        assert desk_plans_level_1.value.status == 403
        with pytest.raises(FieldError):
            services.exception_plan(actor=boss, exception=exc, version=exc.version, content="x")
        plan = services.exception_plan(actor=boss, exception=exc, version=exc.version,
                                       content="清算部连夜补发结算款;客服部逐户致歉", owner=supervisor,
                                       departments=[business_department], deadline=T0 + timedelta(days=1))
        exc.refresh_from_db()
        assert exc.state == State.AWAITING_APPROVAL and plan.requires_approval
        # Bad input: an approval by someone without the right is refused, nothing changes.
        with pytest.raises(KefuError) as no_right:
            services.plan_decide(actor=supervisor, exception=exc, version=exc.version, approve=True)
        assert no_right.value.status == 403
        exc.refresh_from_db()
        assert exc.state == State.AWAITING_APPROVAL
        with pytest.raises(ConflictError):
            services.plan_decide(actor=boss, exception=exc, version=exc.version - 1, approve=True)
        services.plan_decide(actor=boss, exception=exc, version=exc.version, approve=True, note="同意")
        exc.refresh_from_db()
        assert exc.state == State.EXECUTING
        services.exception_follow_up(actor=supervisor, exception=exc, note="已补发150家")
        services.exception_inform(actor=lead, exception=exc, version=exc.version, kind="progress",
                                  message="已补发大部分商户结算款,预计今晚全部完成")
        with pytest.raises(KefuError) as early_rating:
            services.exception_rate(actor=lead, exception=exc, version=exc.version, satisfied=True)
        assert early_rating.value.code == "invalid_state"
        services.exception_complete(actor=supervisor, exception=exc, version=exc.version, result="全部补发完毕")
        exc.refresh_from_db()
        services.exception_inform(actor=lead, exception=exc, version=exc.version, kind="result",
                                  message="结算款已全部补发,向您致歉")
        exc.refresh_from_db()
        # Bad input: it cannot be closed without the customer's rating.
        with pytest.raises(KefuError) as unrated:
            services.exception_archive(actor=lead, exception=exc, version=exc.version)
        assert unrated.value.code == "not_rated"
        services.exception_rate(actor=lead, exception=exc, version=exc.version, satisfied=False,
                                note="补发晚了,要求赔偿利息")
        exc.refresh_from_db()
        assert exc.state == State.PLANNING and exc.round == 2

    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        services.exception_plan(actor=boss, exception=exc, version=exc.version, content="按日息补偿商户",
                                departments=[business_department])
        exc.refresh_from_db()
        services.plan_decide(actor=boss, exception=exc, version=exc.version, approve=True)
        exc.refresh_from_db()
        services.exception_complete(actor=lead, exception=exc, version=exc.version, result="补偿已到账")
        exc.refresh_from_db()
        services.exception_inform(actor=lead, exception=exc, version=exc.version, kind="result", message="补偿已到账")
        exc.refresh_from_db()
        services.exception_rate(actor=lead, exception=exc, version=exc.version, satisfied=True, note="满意")
        exc.refresh_from_db()
        exc = services.exception_archive(actor=lead, exception=exc, version=exc.version, note="归档")
    assert exc.state == State.ARCHIVED
    plans = list(exc.plans.order_by("id"))
    assert [(p.round, p.rating) for p in plans] == [(1, "not_satisfied"), (2, "satisfied")]  # every round kept
    actions = list(exc.events.values_list("action", flat=True))
    assert actions[:4] == ["reported", "desk_notified", "assessed", "management_notified"]
    assert actions[-2:] == ["rated_satisfied", "archived"] and actions.count("customer_told_result") == 2
    told = exc.events.filter(action="customer_told_progress").get()
    assert told.contact is not None and told.contact.called_number == "13812345678"

    figures = selectors.kpis(start=T0.date(), end=(T0 + timedelta(days=2)).date())
    assert (figures.exceptions, figures.assessed, figures.on_time, figures.ratings, figures.satisfied) == (
        1, 1, 1, 2, 1)
    assert figures.satisfaction_rate == 0.5
    report = selectors.analysis(start=T0.date(), end=T0.date())
    assert report["category"] == [("服务承诺异常", 1)] and report["cause"] == [("清算系统故障", 1)]
    assert report["department"] == [("清算业务部", 1)]


@pytest.mark.django_db
def test_level_2_needs_owner_and_deadline_level_3_the_desk_alone(make_user, levels, categories,
                                                                 business_department):
    lead, member = make_user("shift_lead"), make_user("business_department")
    member.teams.add(business_department)
    exc = services.exception_report(actor=make_user("agent"), title="维修进度不透明", description="客户三次来电询问")
    exc = services.exception_assess(actor=lead, exception=exc, version=exc.version, category=categories["process"],
                                    level=levels[2], impact="客户不满")
    with pytest.raises(FieldError) as no_deadline:
        services.exception_plan(actor=lead, exception=exc, version=exc.version, content="通报维修进度",
                                owner=member, owner_department=business_department)
    assert no_deadline.value.field == "deadline"
    plan = services.exception_plan(actor=lead, exception=exc, version=exc.version, content="通报维修进度",
                                   owner=member, owner_department=business_department,
                                   deadline=exc.reported_at + timedelta(days=2))
    exc.refresh_from_db()
    assert exc.state == State.EXECUTING and plan.state == ExceptionPlan.State.EXECUTING
    # The business department's owner follows up his own plan and sees the exception (row scope).
    services.exception_follow_up(actor=member, exception=exc, note="已联系工程师")
    assert selectors.exception_queryset_for(member).filter(pk=exc.pk).exists()
    outsider = make_user("business_department")
    assert not selectors.exception_queryset_for(outsider).filter(pk=exc.pk).exists()
    with pytest.raises(KefuError):
        services.exception_follow_up(actor=outsider, exception=exc, note="x")

    minor = services.exception_report(actor=lead, title="回电遗漏", description="客户反馈的小问题未及时跟进")
    minor = services.exception_assess(actor=lead, exception=minor, version=minor.version,
                                      category=categories["quality"], level=levels[3], impact="轻微")
    plan = services.exception_plan(actor=lead, exception=minor, version=minor.version, content="当日回电")
    assert plan.owner == lead and not plan.requires_approval


@pytest.mark.django_db
def test_a_late_assessment_escalates_and_counts_as_late(make_user, levels, categories):
    make_user("shift_lead")
    with time_machine.travel(T0, tick=False):
        exc = services.exception_report(actor=make_user("agent"), title="承诺未兑现", description="说好的上门没来")
    with time_machine.travel(T0 + timedelta(minutes=31), tick=False):
        sla_sweep()
    assert Notification.objects.filter(message__contains=exc.number).exists()
    lead = make_user("shift_lead")
    with time_machine.travel(T0 + timedelta(minutes=40), tick=False):
        services.exception_assess(actor=lead, exception=exc, version=exc.version,
                                  category=categories["commitment"], level=levels[3], impact="一般")
    assert selectors.assessment_clock(exc).breached_at is not None
    assert selectors.kpis(start=T0.date(), end=T0.date()).on_time == 0


@pytest.mark.django_db
def test_signed_links_tampered_and_expired(make_user):
    supervisor = make_user("supervisor")
    with pytest.raises(KefuError):
        services.report_link_make(actor=make_user("agent"), source="supervision_hotline")
    with time_machine.travel(T0, tick=False):
        token = services.report_link_make(actor=supervisor, source="supervision_hotline")
        assert services.report_link_read(token) == "supervision_hotline"
    with pytest.raises(KefuError) as tampered:
        services.report_link_read(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])
    assert tampered.value.code == "link_invalid"
    forged = signing.dumps({"source": "staff"}, salt=services.LINK_SALT)
    with pytest.raises(KefuError):
        services.report_link_read(forged)
    with time_machine.travel(T0 + timedelta(days=91), tick=False):
        with pytest.raises(KefuError) as expired:
            services.report_link_read(token)
    assert expired.value.code == "link_expired"


@pytest.mark.django_db
def test_the_service_desk_hears_of_a_report_at_once_and_is_warned_before_the_assessment_is_late(make_user):
    """R6.2 [001]: the service desk (first-line desk holders of the handling right) is told of a report at once,
    with the assessment deadline, and warned by the clock before it; nobody else is."""
    from kefu.accounts.models import Team

    desk = Team.objects.create(code="desk", name="客服一线", kind=Team.Kind.FIRST_LINE)
    desk_lead = make_user("shift_lead")
    desk_lead.teams.add(desk)
    other_lead = make_user("shift_lead")  # in no first-line team
    reporter = make_user("agent")
    reporter.teams.add(desk)  # a desk member without the right to assess
    with time_machine.travel(T0, tick=False):
        exc = services.exception_report(actor=reporter, title="承诺未兑现", description="说好的上门没来")
    told = Notification.objects.filter(message__contains=exc.number)
    assert [n.user for n in told] == [desk_lead] and "10:30" in told.get().message
    with time_machine.travel(T0 + timedelta(minutes=25), tick=False):
        sla_sweep()  # 80 percent of the 30 minutes used: the warning
    assert told.filter(user=desk_lead).count() == 2
    assert not told.filter(user__in=[other_lead, reporter]).exists()


@pytest.mark.django_db
def test_the_plan_owner_is_warned_about_the_exception_s_clocks(make_user, levels, categories, business_department):
    lead = make_user("shift_lead")
    owner = make_user("business_department")
    with time_machine.travel(T0, tick=False):
        exc = services.exception_report(actor=make_user("agent"), title="结算延迟", description="商户未收到结算款")
        exc = services.exception_assess(actor=lead, exception=exc, version=exc.version,
                                        category=categories["commitment"], level=levels[2], impact="一家商户")
        services.exception_plan(actor=lead, exception=exc, version=exc.version, content="清算部核查并补发",
                                owner=owner, owner_department=business_department,
                                deadline=T0 + timedelta(days=1))
    assert services.exception_holders(exc.pk) == [owner]
    assert services.exception_holders(0) == []
