"""Callbacks through the services (R7.1–R7.4, seeds [000] 四、商户回访工作 and [002] 积极回访)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.callbacks import services
from kefu.callbacks.models import (
    Callback,
    CallbackAttempt,
    CallbackForm,
    CallbackRule,
    CallbackRuleRun,
    SatisfactionSurvey,
)
from kefu.callbacks.tests.factories import plain_callback
from kefu.contacts.models import Contact
from kefu.core import clock
from kefu.core.errors import ConflictError, FieldError, KefuError
from kefu.sla.models import SlaClock
from kefu.tickets.models import TicketEvent

SH = ZoneInfo("Asia/Shanghai")
Status = Callback.Status


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def quality_answers(yes="yes", scores=(5, 4, 5), text="工程师很专业") -> dict:
    form = CallbackForm.objects.get(code="service_quality")
    questions = list(form.questions.order_by("order"))
    answers = {questions[0].pk: yes}
    for question, score in zip(questions[1:4], scores, strict=True):
        answers[question.pk] = str(score)
    answers[questions[4].pk] = text
    return answers


@pytest.mark.django_db
def test_the_seeds_forms_rules_and_script_are_data():
    names = set(CallbackForm.objects.values_list("name", flat=True))
    assert {"服务质量电话回访表", "投诉后续跟踪回访表"} <= names
    repair = CallbackRule.objects.get(code="repair_closed")
    assert (repair.ticket_kind.code, repair.delay_amount, repair.delay_unit) == ("repair", 2, "working_days")
    assert CallbackRule.objects.get(code="consultation_sample").sample_percent == Decimal("10")
    from kefu.callbacks.models import CallbackScriptStep

    steps = list(CallbackScriptStep.objects.values_list("step", flat=True))
    assert steps[:3] == ["identity", "introduction", "convenient"] and steps[-1] == "closing"
    services.callbacks_seed_defaults()  # idempotent
    assert CallbackScriptStep.objects.count() == len(steps)


@pytest.mark.django_db
def test_a_closed_repair_is_called_back_two_working_days_later_across_may_day(closed_ticket, customer):
    """Hand-checked on the official 2026 calendar: closed Wed 29 April; 30 April is the first working day, 1–5
    May are the Labour Day holiday, so the second working day is Wed 6 May. Closed Thu 7 May: Fri 8 May and the
    adjusted working Saturday 9 May."""
    with time_machine.travel(at(2026, 4, 29, 15, 0), tick=False):
        before_holiday = closed_ticket(customer=customer, reporter_name="张伟", reporter_phone="13812345678")
    for day in (date(2026, 4, 30), date(2026, 5, 5)):
        with time_machine.travel(at(day.year, day.month, day.day, 8, 0), tick=False):
            assert services.callbacks_generate(day=day).created == 0
    with time_machine.travel(at(2026, 5, 6, 8, 0), tick=False):
        result = services.callbacks_generate()
        assert result.by_rule["repair_closed"] == 1
        callback = Callback.objects.get(ticket=before_holiday)
        assert callback.planned_for == date(2026, 5, 6)
        assert callback.due_at == at(2026, 5, 7, 0, 0)
        assert (callback.phone, callback.contact_name, callback.customer) == ("13812345678", "张伟", customer)
        assert (callback.status, callback.origin, callback.rule.code) == (Status.NEW, "rule", "repair_closed")
        assert services.callbacks_generate().created == 0  # one callback per ticket and rule, ever
    with time_machine.travel(at(2026, 5, 7, 17, 0), tick=False):
        before_saturday = closed_ticket(customer=customer)
    with time_machine.travel(at(2026, 5, 8, 8, 0), tick=False):
        assert services.callbacks_generate().created == 0
    with time_machine.travel(at(2026, 5, 9, 8, 0), tick=False):
        services.callbacks_generate()
        assert Callback.objects.get(ticket=before_saturday).planned_for == date(2026, 5, 9)
        # The customer's mobile is the number to call when the ticket names none.
        assert Callback.objects.get(ticket=before_saturday).phone == "13812345678"


@pytest.mark.django_db
def test_a_sample_of_consultations_is_stable(closed_ticket, kinds, make_user):
    from kefu.tickets.services import ticket_create

    agent = make_user("agent")
    rule = CallbackRule.objects.get(code="consultation_sample")
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        tickets = [ticket_create(actor=agent, kind=kinds["consultation"], title=f"咨询 {n}", close_at_once=True,
                                 resolution="已解答", reporter_phone="13900000000") for n in range(200)]
    expected = {t.pk for t in tickets if services.in_sample(rule, t.pk)}
    assert 5 <= len(expected) <= 40  # about 10 percent of 200
    with time_machine.travel(at(2026, 3, 3, 8, 0), tick=False):  # the next working day
        assert services.callbacks_generate().by_rule["consultation_sample"] == len(expected)
        assert set(Callback.objects.filter(rule=rule).values_list("ticket_id", flat=True)) == expected
        rule.sample_percent = Decimal("100")
        rule.save()
        services.callbacks_generate()
        assert Callback.objects.filter(rule=rule).count() == 200  # the rest now, the first ones not twice


@pytest.mark.django_db
def test_spreading_is_balanced_by_open_load_and_deterministic(planner, make_agent, customer, desk):
    agents = [make_agent(f"坐席{n}") for n in range(3)]
    day = date(2026, 3, 2)
    with time_machine.travel(at(2026, 3, 2, 8, 0), tick=False):
        for _ in range(2):
            plain_callback(agent=agents[0], customer=customer)  # already two open on the first agent's list
        todo = [plain_callback(customer=customer) for _ in range(7)]
        result = services.callbacks_distribute(actor=planner, day=day, teams=[desk])
    lists = {a.username: sorted(Callback.objects.filter(agent=a, pk__in=[c.pk for c in todo])
                                .values_list("pk", flat=True)) for a in agents}
    assert result.assigned == {agents[0].username: 1, agents[1].username: 3, agents[2].username: 3}
    assert {a: len(ids) for a, ids in lists.items()} == result.assigned
    # Each next callback went to the least loaded agent, ties by id: the same data gives the same lists.
    order = [Callback.objects.get(pk=c.pk).agent_id for c in todo]
    assert order == [agents[1].pk, agents[2].pk, agents[1].pk, agents[2].pk, agents[0].pk, agents[1].pk,
                     agents[2].pk]
    assert all(c.status == Status.PLANNED for c in Callback.objects.filter(pk__in=[c.pk for c in todo]))
    assert services.callbacks_distribute(actor=planner, day=day, teams=[desk]).assigned == {}  # nothing left


@pytest.mark.django_db
def test_spreading_prefers_the_agents_on_the_published_roster(planner, make_agent, customer):
    from kefu.workforce.models import Roster, RosterAssignment, ShiftTemplate
    from kefu.workforce.tests.factories import plan

    on_duty, off_duty = make_agent("值班坐席"), make_agent("休息坐席")
    sample = plan()
    roster = Roster.objects.create(plan=sample, status=Roster.Status.PUBLISHED)
    RosterAssignment.objects.create(roster=roster, agent=on_duty, date=sample.start_date,
                                    template=ShiftTemplate.objects.get(code="D"))
    with time_machine.travel(datetime.combine(sample.start_date, datetime.min.time(), SH), tick=False):
        for _ in range(3):
            plain_callback(customer=customer)
        result = services.callbacks_distribute(actor=planner, day=sample.start_date)
    assert result.from_roster and result.assigned == {on_duty.username: 3}
    assert not Callback.objects.filter(agent=off_duty).exists()


@pytest.mark.django_db
def test_a_rejected_solution_is_called_again_by_another_agent(planner, make_agent, customer, closed_ticket,
                                                              desk):
    first, second = make_agent("坐席甲"), make_agent("坐席乙")
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        ticket = closed_ticket(customer=customer)
        callback = services.callback_create(actor=planner, planned_for=date(2026, 3, 2), ticket=ticket,
                                            agent=first)
        rejected = services.callback_record_call(
            actor=first, callback=callback, version=callback.version, outcome="reached",
            answers=quality_answers(yes="no", scores=(2, 1, 2)), solution_accepted=False,
            note="客户认为更换适配器没有解决根本问题")
        assert rejected.status == Status.REJECTED and rejected.satisfied is False
        assert rejected.score == Decimal("1.67")
        retry = Callback.objects.get(previous=callback)
        assert (retry.status, retry.origin, retry.agent) == (Status.NEW, "retry", None)
        assert retry.planned_for == date(2026, 3, 3)  # another time: tomorrow by default
    with time_machine.travel(at(2026, 3, 3, 8, 0), tick=False):
        # Only the first agent may make callbacks in this team: the retry stays unplanned rather than go back.
        second.teams.clear()
        result = services.callbacks_distribute(actor=planner, day=date(2026, 3, 3), teams=[desk])
        assert result.left_unassigned == [retry.pk]
        with pytest.raises(FieldError) as refused:
            services.callback_assign(actor=planner, callback=retry, agent=first, version=retry.version)
        assert refused.value.field == "agent" and refused.value.code == "same_agent"
        assert "another agent must call him again" in refused.value.message_en
        assert "坐席甲" in refused.value.message_zh and "坐席甲" in refused.value.message_en
        retry.refresh_from_db()
        assert (retry.status, retry.agent, retry.version) == (Status.NEW, None, 1)  # nothing lost or changed
        assigned = services.callback_assign(actor=planner, callback=retry, agent=second, version=retry.version)
        assert assigned.agent == second and assigned.status == Status.PLANNED
    assert "坐席甲" in assigned.note  # the second agent is told why he calls again


@pytest.mark.django_db
def test_a_pending_callback_starts_the_two_day_clock_and_the_answer_stops_it(planner, make_agent, customer):
    agent = make_agent("坐席丙")
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        callback = services.callback_create(actor=planner, planned_for=date(2026, 3, 2), customer=customer,
                                            agent=agent)
        pending = services.callback_record_call(actor=agent, callback=callback, version=callback.version,
                                                outcome="reached", answers=quality_answers(yes="no"),
                                                pending_issue="打印机偶尔卡纸,需工程师确认")
        assert pending.status == Status.PENDING
        clock = SlaClock.objects.get(target_type="callback", target_id=callback.pk)
        assert clock.policy.code == "pending_callback" and clock.deadline == at(2026, 3, 4, 10, 0)
        assert clock.state == SlaClock.State.RUNNING
    with time_machine.travel(at(2026, 3, 3, 16, 0), tick=False):
        with pytest.raises(FieldError) as empty:
            services.callback_resolve_pending(actor=agent, callback=pending, version=pending.version, reply=" ")
        assert empty.value.field == "reply"
        done = services.callback_resolve_pending(actor=agent, callback=pending, version=pending.version,
                                                 reply="工程师已上门清理进纸器")
    clock.refresh_from_db()
    assert done.status == Status.DONE and done.pending_reply == "工程师已上门清理进纸器"
    assert clock.state == SlaClock.State.STOPPED and clock.breached_at is None
    assert done.call_attempts.count() == 2  # the callback and the answer


@pytest.mark.django_db
def test_a_pending_callback_answered_late_counts_as_missed(planner, make_agent, customer):
    from kefu.callbacks import selectors

    agent = make_agent()
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        callback = services.callback_create(actor=planner, planned_for=date(2026, 3, 2), customer=customer,
                                            agent=agent)
        pending = services.callback_record_call(actor=agent, callback=callback, version=callback.version,
                                                outcome="reached", answers=quality_answers(),
                                                pending_issue="发票未寄到")
    with time_machine.travel(at(2026, 3, 3, 10, 0), tick=False):
        assert selectors.callback_figures(start=date(2026, 3, 1)).overdue == 0
    with time_machine.travel(at(2026, 3, 5, 9, 0), tick=False):
        assert selectors.callback_figures(start=date(2026, 3, 1)).overdue == 1
        services.callback_resolve_pending(actor=agent, callback=pending, version=pending.version, reply="已补寄")
        figures = selectors.callback_figures(start=date(2026, 3, 1))
    assert (figures.pending_answered_in_time, figures.pending_answered_late) == (0, 1)
    assert SlaClock.objects.get(target_type="callback").breached_at == at(2026, 3, 4, 10, 0)


@pytest.mark.django_db
def test_a_new_need_becomes_a_follow_up_case_linked_to_the_original(planner, make_agent, customer,
                                                                     closed_ticket):
    agent = make_agent("坐席丁")
    ticket = closed_ticket(customer=customer)
    callback = services.callback_create(actor=planner, planned_for=clock.today(), ticket=ticket, agent=agent)
    done = services.callback_record_call(actor=agent, callback=callback, version=callback.version,
                                         outcome="reached", answers=quality_answers(), solution_accepted=True,
                                         new_need="希望再加装一台无线 POS 终端")
    case = done.follow_up_ticket
    assert done.status == Status.DONE and case is not None
    assert case.customer == customer and case.kind == ticket.kind and case.title == "希望再加装一台无线 POS 终端"
    assert ticket.number in case.description
    assert TicketEvent.objects.filter(ticket=ticket, action="follow_up_case", new=case.number).exists()
    assert TicketEvent.objects.filter(ticket=case, action="follow_up_of", old=ticket.number).exists()
    assert TicketEvent.objects.filter(ticket=ticket, action="satisfaction", new="4.67").exists()
    # The call itself is an outbound contact linked to the ticket and the callback.
    attempt = CallbackAttempt.objects.get(callback=callback)
    contact = attempt.contact
    assert contact.channel == Contact.Channel.OUTBOUND_CALL and contact.called_number == "13812345678"
    assert contact.outcome == Contact.Outcome.TICKET and ticket in contact.tickets.all()
    survey = SatisfactionSurvey.objects.get(callback=callback)
    assert (survey.channel, survey.status, survey.score, survey.contact) == ("phone", "answered", done.score,
                                                                             contact)


@pytest.mark.django_db
def test_a_closed_complaint_flows_to_its_one_month_follow_up_callback(make_user, planner, make_agent, customer,
                                                                      desk):
    """The issue's "done when": complaint closed → follow-up scheduled → planned into an agent's list → called →
    answers recorded → follow-up marked done."""
    from kefu.accounts.models import Team
    from kefu.complaints import services as complaints
    from kefu.complaints.models import FollowUpCallback

    complaint_desk = Team.objects.create(code="complaints", name="投诉处理组", kind=Team.Kind.COMPLAINT_DESK)
    handler = make_user("complaint_handler")
    handler.teams.add(complaint_desk)
    agent = make_agent("回访坐席")
    with time_machine.travel(at(2026, 3, 2, 9, 30), tick=False):
        complaint = complaints.complaint_create(actor=make_user("agent"), subject="工程师未按约上门",
                                                customer=customer, complainant_name="张伟",
                                                complainant_phone="13812345678")
        complaints.complaint_inform(actor=handler, complaint=complaint, message="已核实,向您致歉")
        follow_up = complaints.complaint_close(actor=handler, complaint=complaint, resolution="已重新安排上门")
    assert follow_up.status == FollowUpCallback.Status.SCHEDULED and follow_up.due_at.date() == date(2026, 4, 2)
    with time_machine.travel(at(2026, 3, 8, 9, 0), tick=False):
        services.callbacks_plan_day(actor=planner, teams=[desk])
        assert not Callback.objects.exists()  # seven days after the closing by default
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        generated, spread = services.callbacks_plan_day(actor=planner, teams=[desk])
        assert generated.by_rule["complaint_follow_up"] == 1 and spread.assigned == {agent.username: 1}
        callback = Callback.objects.get(follow_up=follow_up)
        assert (callback.agent, callback.status, callback.form.code) == (agent, Status.PLANNED,
                                                                          "complaint_follow_up")
        assert callback.due_at == follow_up.due_at and callback.phone == "13812345678"
        from kefu.callbacks import selectors

        assert list(selectors.my_list(agent)) == [callback]
        form = callback.form
        questions = list(form.questions.order_by("order"))
        done = services.callback_record_call(
            actor=agent, callback=callback, version=callback.version, outcome="reached", solution_accepted=True,
            note="客户表示问题已解决,对处理满意",
            answers={questions[0].pk: "yes", questions[1].pk: "5", questions[2].pk: "4"})
    follow_up.refresh_from_db()
    assert done.status == Status.DONE and done.score == Decimal("4.50") and done.satisfied
    assert follow_up.status == FollowUpCallback.Status.DONE and follow_up.done_by == agent
    assert follow_up.done_at == at(2026, 3, 9, 9, 0) and "客户表示问题已解决" in follow_up.result
    clock = SlaClock.objects.get(target_type="complaint_follow_up", target_id=follow_up.pk)
    assert clock.state == SlaClock.State.STOPPED and clock.breached_at is None
    assert TicketEvent.objects.filter(ticket=complaint.ticket, action="follow_up_done").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("ending", ["unreachable", "cancelled"])
def test_a_follow_up_callback_that_cannot_be_made_does_not_stay_scheduled(make_user, planner, make_agent, customer,
                                                                         desk, ending):
    """R5.4: a complaint follow-up whose callback reaches nobody after the allowed calls is recorded as attempted
    (done, saying so); one the planner cancels is cancelled on the complaint too, with the reason."""
    from kefu.complaints import services as complaints
    from kefu.complaints.models import FollowUpCallback

    handler = make_user("complaint_handler")
    agent = make_agent("回访坐席")
    with time_machine.travel(at(2026, 3, 2, 9, 30), tick=False):
        complaint = complaints.complaint_create(actor=make_user("agent"), subject="工程师未按约上门",
                                                customer=customer, complainant_name="张伟",
                                                complainant_phone="13812345678")
        complaints.complaint_inform(actor=handler, complaint=complaint, message="已核实,向您致歉")
        follow_up = complaints.complaint_close(actor=handler, complaint=complaint, resolution="已重新安排上门")
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        services.callbacks_plan_day(actor=planner, teams=[desk])
        callback = Callback.objects.get(follow_up=follow_up)
        if ending == "unreachable":
            for _attempt in range(3):
                callback = services.callback_record_call(actor=agent, callback=callback, version=callback.version,
                                                         outcome="no_answer")
            assert callback.status == Status.UNREACHABLE
        else:
            services.callback_cancel(actor=planner, callback=callback, version=callback.version,
                                     reason="客户已销户")
        services.callbacks_plan_day(actor=planner, teams=[desk])
    follow_up.refresh_from_db()
    assert Callback.objects.filter(follow_up=follow_up).count() == 1
    clock = SlaClock.objects.get(target_type="complaint_follow_up", target_id=follow_up.pk)
    assert clock.state == SlaClock.State.STOPPED
    if ending == "unreachable":
        assert follow_up.status == FollowUpCallback.Status.DONE and "3" in follow_up.result
    else:
        assert follow_up.status == FollowUpCallback.Status.CANCELLED and follow_up.result == "客户已销户"
        assert TicketEvent.objects.filter(ticket=complaint.ticket, action="follow_up_cancelled").exists()


@pytest.mark.django_db
def test_unreached_calls_and_calls_at_a_bad_moment(planner, make_agent, customer):
    agent = make_agent()
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        callback = services.callback_create(actor=planner, planned_for=date(2026, 3, 2), customer=customer,
                                            agent=agent)
        later = services.callback_record_call(actor=agent, callback=callback, version=callback.version,
                                              outcome="not_convenient", note="客户在开车")
        assert later.status == Status.PLANNED and later.planned_for == date(2026, 3, 3)
        for number, outcome in enumerate(("no_answer", "busy", "no_answer"), start=1):
            later = services.callback_record_call(actor=agent, callback=later, version=later.version,
                                                  outcome=outcome)
            assert later.attempts == number + 1
        assert later.status == Status.UNREACHABLE  # three unanswered calls by default
    contacts = Contact.objects.filter(channel=Contact.Channel.OUTBOUND_CALL).order_by("id")
    assert [c.state for c in contacts] == ["completed", "not_answered", "not_answered", "not_answered"]
    survey = SatisfactionSurvey.objects.get(callback=callback)
    assert survey.status == "sent"  # asked by phone, never answered


@pytest.mark.django_db
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(planner, make_agent, make_user, customer):
    agent, colleague = make_agent(), make_agent()
    callback = services.callback_create(actor=planner, planned_for=clock.today(), customer=customer, agent=agent)
    form = callback.form
    first, second = form.questions.order_by("order")[:2]
    cases = [
        ({"answers": {first.pk: "yes"}}, f"answers.{second.pk}", "required"),
        ({"answers": {**quality_answers(), second.pk: "9"}}, f"answers.{second.pk}", "invalid"),
        ({"answers": {**quality_answers(), first.pk: "maybe"}}, f"answers.{first.pk}", "invalid"),
        ({"answers": {**quality_answers(), 999999: "x"}}, "answers", "invalid"),
        ({"answers": quality_answers(), "solution_accepted": False, "pending_issue": "x"}, "pending_issue",
         "invalid"),
    ]
    for extra, field, code in cases:
        with pytest.raises(FieldError) as error:
            services.callback_record_call(actor=agent, callback=callback, version=callback.version,
                                          outcome="reached", **extra)
        assert (error.value.field, error.value.code) == (field, code)
        assert error.value.message_zh and error.value.message_en
    with pytest.raises(FieldError) as outcome:
        services.callback_record_call(actor=agent, callback=callback, version=callback.version, outcome="maybe")
    assert outcome.value.field == "outcome"
    with pytest.raises(KefuError) as not_his:
        services.callback_record_call(actor=colleague, callback=callback, version=callback.version,
                                      outcome="no_answer")
    assert not_his.value.status == 403 and not_his.value.code == "not_your_callback"
    with pytest.raises(KefuError) as auditor:
        services.callback_assign(actor=make_user("internal_auditor"), callback=callback, agent=colleague,
                                 version=callback.version)
    assert auditor.value.status == 403
    with pytest.raises(ConflictError):
        services.callback_record_call(actor=agent, callback=callback, version=callback.version + 5,
                                      outcome="no_answer")
    with pytest.raises(FieldError) as no_number:
        services.callback_create(actor=planner, planned_for=clock.today())
    assert no_number.value.field == "phone"
    with pytest.raises(FieldError) as past:
        services.callback_create(actor=planner, planned_for=clock.today() - timedelta(days=1), customer=customer)
    assert past.value.field == "planned_for"
    callback.refresh_from_db()
    assert (callback.status, callback.attempts, callback.version) == (Status.PLANNED, 0, 2)
    assert not CallbackAttempt.objects.exists() and not Contact.objects.exists()
    assert not SatisfactionSurvey.objects.exists()


@pytest.mark.django_db
def test_cancelling_a_pending_callback_stops_its_clock(planner, make_agent, customer):
    agent = make_agent()
    callback = services.callback_create(actor=planner, planned_for=clock.today(), customer=customer, agent=agent)
    pending = services.callback_record_call(actor=agent, callback=callback, version=callback.version,
                                            outcome="reached", answers=quality_answers(), pending_issue="待核实")
    with pytest.raises(FieldError):
        services.callback_cancel(actor=planner, callback=pending, version=pending.version, reason="")
    cancelled = services.callback_cancel(actor=planner, callback=pending, version=pending.version,
                                         reason="客户已来电确认解决")
    assert cancelled.status == Status.CANCELLED
    assert SlaClock.objects.get(target_type="callback").state == SlaClock.State.STOPPED
    with pytest.raises(KefuError) as again:
        services.callback_cancel(actor=planner, callback=cancelled, version=cancelled.version, reason="x")
    assert again.value.code == "invalid_state"


@pytest.mark.django_db
def test_the_daily_periodic_run_happens_once_a_day(closed_ticket, customer):
    from kefu.core import periodic

    assert periodic.REGISTRY["callbacks.daily_rules"] is services.callbacks_daily
    with time_machine.travel(at(2026, 3, 2, 15, 0), tick=False):
        closed_ticket(customer=customer)
    with time_machine.travel(at(2026, 3, 4, 0, 0, 5), tick=False):
        first = services.callbacks_daily()
        assert first["created"] == 1 and first["by_rule"]["repair_closed"] == 1
        assert services.callbacks_daily() is None
    assert CallbackRuleRun.objects.get().day == date(2026, 3, 4)
    assert Callback.objects.count() == 1
