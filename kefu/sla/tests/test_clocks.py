"""R11.2/R11.3/R3.5/R5.2: clocks start, pause, stop, warn, escalate once per step, and extend with consent."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.core.errors import FieldError, KefuError
from kefu.sla.models import ClockEscalation, SlaClock, SlaPolicy
from kefu.sla.services import clock_extend, sla_sweep
from kefu.tickets.models import Notification
from kefu.tickets.services import ticket_add_entry, ticket_transition

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.mark.django_db
def test_the_seeds_default_clocks_are_data():
    policies = {p.code: p for p in SlaPolicy.objects.prefetch_related("rules", "kinds")}
    assert set(policies) == {"call_handling", "fax_reply", "case_answer", "complaint_resolution", "pending_callback",
                             "complaint_follow_up", "service_exception_assessment"}
    expected = {"call_handling": (8, "minutes"), "fax_reply": (2, "hours"), "case_answer": (3, "days"),
                "complaint_resolution": (3, "working_days"), "pending_callback": (2, "days"),
                "complaint_follow_up": (1, "months"), "service_exception_assessment": (30, "minutes")}
    assert {code: (int(p.amount), p.unit) for code, p in policies.items()} == expected
    assert [r.role for r in policies["complaint_resolution"].rules.all()] == ["shift_lead", "supervisor", "management"]
    assert policies["complaint_resolution"].extendable and not policies["case_answer"].extendable
    assert "complaint" not in {k.code for k in policies["case_answer"].kinds.all()}


@pytest.mark.django_db
@time_machine.travel(at("2026-02-12 10:00"), tick=False)
def test_a_complaint_is_due_in_three_working_days_across_spring_festival(make_ticket):
    ticket = make_ticket("complaint", title="投诉工程师迟到")
    clock = ticket.clocks.get()
    # Receipt day not counted; Fri 13, Sat 14 (adjusted working day), then the holiday to Mon 23: Tue 24 closes.
    assert clock.deadline == at("2026-02-24 18:00")
    assert ticket.answer_due_at == clock.deadline


@pytest.mark.django_db
@time_machine.travel(at("2026-02-13 17:30"), tick=False)
def test_a_fax_gets_its_reply_clock_from_the_time_received_and_a_reply_stops_it(make_ticket, agent):
    ticket = make_ticket("service_request", title="传真：申请加装终端", channel="fax",
                         received_at=at("2026-02-13 17:00"))
    fax = ticket.clocks.get(policy__code="fax_reply")
    assert fax.deadline == at("2026-02-13 19:00")
    ticket_add_entry(actor=agent, ticket=ticket, kind="note", body="内部备注不算回复")
    fax.refresh_from_db()
    assert fax.state == "running"
    ticket_add_entry(actor=agent, ticket=ticket, kind="reply", body="已收到传真，明日安排")
    fax.refresh_from_db()
    assert fax.state == "stopped" and not fax.breached
    assert ticket.clocks.get(policy__code="case_answer").state == "running"


@pytest.mark.django_db
def test_waiting_for_the_customer_pauses_and_keeps_the_time_left(make_ticket, agent):
    with time_machine.travel(at("2026-03-02 09:00"), tick=False):
        ticket = make_ticket()
        ticket = ticket_transition(actor=agent, ticket=ticket, transition="start", version=ticket.version)
    clock = ticket.clocks.get()
    assert clock.deadline == at("2026-03-05 09:00")
    with time_machine.travel(at("2026-03-03 09:00"), tick=False):
        ticket = ticket_transition(actor=agent, ticket=ticket, transition="wait", version=ticket.version,
                                   reason="等待商户提供终端序列号")
    clock.refresh_from_db()
    assert clock.state == "paused" and clock.remaining_seconds == 2 * 86400
    with time_machine.travel(at("2026-03-04 15:00"), tick=False):
        assert sla_sweep().clocks == 0  # a paused clock is never due
        ticket = ticket_transition(actor=agent, ticket=ticket, transition="resume", version=ticket.version)
    clock.refresh_from_db()
    assert clock.state == "running" and clock.deadline == at("2026-03-06 15:00")
    with time_machine.travel(at("2026-03-05 10:00"), tick=False):
        ticket = ticket_transition(actor=agent, ticket=ticket, transition="resolve", version=ticket.version,
                                   reason="商户补充信息后远程解决")
    clock.refresh_from_db()
    assert clock.state == "stopped" and not clock.breached


@pytest.mark.django_db
def test_warning_then_escalation_step_by_step_each_exactly_once(make_ticket, make_user, agent, desk):
    lead = make_user("shift_lead")
    lead.teams.add(desk)
    supervisor, boss = make_user("supervisor"), make_user("management")
    with time_machine.travel(at("2026-03-02 09:00"), tick=False):
        ticket = make_ticket(team=desk, assignee=agent)
    clock = ticket.clocks.get()
    Notification.objects.all().delete()

    def sweep(when: str):
        with time_machine.travel(at(when), tick=False):
            return sla_sweep()

    assert sweep("2026-03-03 09:00").clocks == 0
    assert sweep("2026-03-04 20:00").warnings == 1  # 80 % of three days: 57.6 h after the start
    assert list(Notification.objects.values_list("user__username", flat=True)) == [agent.username]
    assert sweep("2026-03-04 20:30").clocks == 0  # nothing new to do until the deadline
    result = sweep("2026-03-05 09:01")
    assert (result.warnings, result.escalations) == (0, 1)
    assert Notification.objects.filter(user=lead).count() == 1  # the shift lead of the ticket's team
    assert sweep("2026-03-05 09:30").escalations == 0
    assert sweep("2026-03-05 10:05").escalations == 1  # supervisor, 60 min after the breach
    for _ in range(3):
        sweep("2026-03-05 13:05")  # management, 240 min after; repeated sweeps change nothing
    steps = list(ClockEscalation.objects.filter(clock=clock).values_list("step", "role"))
    assert steps == [(0, ""), (1, "shift_lead"), (2, "supervisor"), (3, "management")]
    assert Notification.objects.filter(user=supervisor).count() == 1
    assert Notification.objects.filter(user=boss).count() == 1
    clock.refresh_from_db()
    assert clock.breached_at == at("2026-03-05 09:00") and clock.next_check_at is None
    assert ticket.events.filter(action="escalated").count() == 3


@pytest.mark.django_db
def test_a_complaint_may_be_extended_only_with_the_customers_consent(make_ticket, agent, make_user):
    with time_machine.travel(at("2026-03-02 10:00"), tick=False):
        ticket = make_ticket("complaint", title="投诉结算延迟")
        clock = ticket.clocks.get()
        assert clock.deadline == at("2026-03-05 18:00")
        with pytest.raises(FieldError) as info:
            clock_extend(actor=agent, sla_clock=clock, new_deadline=at("2026-03-10 18:00"), consent_by=" ",
                         consent_at=at("2026-03-02 10:00"), reason="需银行配合核查")
        assert info.value.field == "consent_by"
        with pytest.raises(FieldError):
            clock_extend(actor=agent, sla_clock=clock, new_deadline=at("2026-03-04 18:00"), consent_by="张伟",
                         consent_at=at("2026-03-02 10:00"), reason="x")
        extension = clock_extend(actor=agent, sla_clock=clock, new_deadline=at("2026-03-10 18:00"),
                                 consent_by="商户负责人 张伟", consent_at=at("2026-03-02 09:55"),
                                 reason="需银行配合核查")
    clock.refresh_from_db()
    assert clock.deadline == at("2026-03-10 18:00") and extension.old_deadline == at("2026-03-05 18:00")
    assert ticket.events.filter(action="extended").get().reason == "需银行配合核查（商户负责人 张伟 同意）"
    other = make_ticket()
    with pytest.raises(KefuError):
        clock_extend(actor=agent, sla_clock=other.clocks.get(), new_deadline=at("2027-01-01 10:00"),
                     consent_by="x", consent_at=at("2026-03-02 10:00"), reason="x")
    with pytest.raises(KefuError):
        clock_extend(actor=make_user("internal_auditor"), sla_clock=clock, new_deadline=at("2026-03-12 18:00"),
                     consent_by="x", consent_at=at("2026-03-02 10:00"), reason="x")


@pytest.mark.django_db
def test_consultation_closed_at_once_has_no_clock(make_ticket):
    ticket = make_ticket("consultation", close_at_once=True, resolution="已解答")
    assert not SlaClock.objects.filter(ticket=ticket).exists()
