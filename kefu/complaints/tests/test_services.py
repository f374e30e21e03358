"""Complaints end to end through the services (R5.1–R5.4, seed [003] 第八条, [000])."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.complaints import services
from kefu.complaints.models import AppraisalDeduction, FollowUpCallback, Investigation
from kefu.core.errors import FieldError, KefuError
from kefu.sla.models import ClockEscalation, SlaClock
from kefu.sla.services import sla_sweep
from kefu.tickets.models import Notification, TicketEntry

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 3, 2, 9, 30, tzinfo=SH)


@pytest.mark.django_db
def test_a_complaint_flows_to_its_follow_up_callback(make_user, handler, customer, complaint_desk):
    agent = make_user("agent", full_name="坐席李明")
    make_user("shift_lead")
    with time_machine.travel(MONDAY, tick=False):
        complaint = services.complaint_create(actor=agent, subject="坐席服务态度差", customer=customer,
                                              complainant_name="张伟", complainant_phone="13812345678",
                                              against_staff=agent)
    ticket = complaint.ticket
    # R5.1: a ticket of kind complaint for the complaint desk, transferred with the standard sentence.
    assert ticket.kind.code == "complaint" and ticket.team == complaint_desk
    assert complaint.transfer_phrase == "我们有专门的投诉处理人员,我现在帮您转接。"
    assert complaint.transferred_by == agent and complaint.recorded_by is None
    assert Notification.objects.filter(user=handler, ticket=ticket).exists()
    # R5.2: the 3-working-day clock runs.
    resolution = services.resolution_clock(complaint)
    assert resolution.policy.code == "complaint_resolution"
    assert resolution.deadline.astimezone(SH).date() == date(2026, 3, 5)
    # R5.3: against a staff member → investigation.
    assert complaint.investigation.finding == Investigation.Finding.PENDING

    with time_machine.travel(MONDAY + timedelta(hours=1), tick=False):
        services.complaint_record(actor=handler, complaint=complaint, version=ticket.version,
                                  details="客户称坐席李明在3月2日9:10来电中语气生硬、打断客户。")
        with pytest.raises(FieldError) as missing_consent:
            services.complaint_extend(actor=handler, complaint=complaint, new_deadline=resolution.deadline
                                      + timedelta(days=2), consent_by="", consent_at=MONDAY, reason="需调取录音")
        assert missing_consent.value.field == "consent_by"
        extension = services.complaint_extend(
            actor=handler, complaint=complaint, new_deadline=resolution.deadline + timedelta(days=2),
            consent_by="张伟", consent_at=MONDAY + timedelta(minutes=50), reason="需调取录音核实")
        assert extension.consent_by == "张伟"
        with pytest.raises(KefuError) as early:
            services.complaint_inform(actor=handler, complaint=complaint, message="结果")
        assert early.value.code == "investigation_pending"
        with pytest.raises(KefuError) as not_concluded:
            services.complaint_close(actor=handler, complaint=complaint, resolution="已处理")
        assert not_concluded.value.code == "investigation_pending"
        with pytest.raises(KefuError) as self_judging:
            services.investigation_conclude(actor=agent, complaint=complaint, finding="verified", evidence="录音",
                                            decision="扣分")
        assert self_judging.value.status == 403

    with time_machine.travel(MONDAY + timedelta(days=1), tick=False):
        services.investigation_conclude(actor=handler, complaint=complaint, finding="verified",
                                        evidence="录音 REC-0302-0910 证实语气生硬", decision="批评教育并扣分")
        deduction = AppraisalDeduction.objects.get(source_complaint=complaint)
        assert (deduction.person, deduction.points, deduction.month) == (agent, Decimal("1.00"),
                                                                         date(2026, 3, 1))
        with pytest.raises(KefuError) as again:
            services.investigation_conclude(actor=handler, complaint=complaint, finding="not_verified",
                                            evidence="x", decision="y")
        assert again.value.code == "already_concluded"
        with pytest.raises(KefuError) as untold:
            services.complaint_close(actor=handler, complaint=complaint, resolution="已处理")
        assert untold.value.code == "not_informed"
        services.complaint_inform(actor=handler, complaint=complaint,
                                  message="经核实,坐席确有服务不当,已批评教育并纳入考核,向您致歉。")
        services.complaint_close(actor=handler, complaint=complaint, resolution="核实属实,已处理并回复客户")

    complaint.refresh_from_db()
    ticket.refresh_from_db()
    assert ticket.state.is_closed
    assert ticket.entries.filter(kind=TicketEntry.Kind.REPLY).count() == 1
    contact = ticket.contacts.get()  # the result told, as an outbound contact linked to the ticket
    assert contact.channel == "outbound_call" and contact.called_number == "13812345678"
    # R5.4: the follow-up callback within one month of the closing.
    follow_up = FollowUpCallback.objects.get(complaint=complaint)
    assert follow_up.status == "scheduled" and follow_up.customer == customer
    assert follow_up.due_at == ticket.closed_at.astimezone(SH).replace(month=4)
    clock = SlaClock.objects.get(target_type="complaint_follow_up", target_id=follow_up.pk)
    assert clock.deadline == follow_up.due_at
    assert services.follow_up_schedule(complaint=complaint) == follow_up  # idempotent

    with time_machine.travel(follow_up.due_at + timedelta(minutes=1), tick=False):
        sla_sweep()
    step = ClockEscalation.objects.get(clock=clock, step=1)
    assert step.role == "shift_lead" and step.notified
    # The sweep names the follow-up callback (not a ticket) in its notice.
    assert Notification.objects.filter(ticket=None, message__contains=ticket.number).exists()


@pytest.mark.django_db
def test_a_complaint_closed_on_the_ticket_page_still_gets_its_follow_up(make_user, handler, customer):
    agent = make_user("agent")
    complaint = services.complaint_create(actor=agent, subject="装机延误", customer=customer, channel="email")
    assert complaint.transfer_phrase == ""  # came by e-mail: nobody was transferred
    from kefu.tickets.services import ticket_transition

    ticket = ticket_transition(actor=handler, ticket=complaint.ticket, transition="start",
                               version=complaint.ticket.version)
    # R5.3 on the plain ticket page too: not solved before the customer was told the result.
    with pytest.raises(KefuError) as refused:
        ticket_transition(actor=handler, ticket=ticket, transition="resolve", version=ticket.version, reason="已解决")
    assert refused.value.code == "not_informed"
    ticket.refresh_from_db()
    assert not ticket.state.is_resolved
    services.complaint_inform(actor=handler, complaint=complaint, message="已向客户说明处理结果")
    ticket.refresh_from_db()
    for code in ("resolve", "close"):
        ticket = ticket_transition(actor=handler, ticket=ticket, transition=code, version=ticket.version,
                                   reason="已解决")
    assert not FollowUpCallback.objects.filter(complaint=complaint).exists()
    assert services.complaints_schedule_follow_ups() == 1
    assert services.complaints_schedule_follow_ups() == 0
    assert FollowUpCallback.objects.get(complaint=complaint).due_at > ticket.closed_at


@pytest.mark.django_db
def test_not_verified_costs_nothing_and_auditor_changes_nothing(make_user, handler, auditor, customer):
    agent = make_user("agent")
    complaint = services.complaint_create(actor=handler, subject="收费有误", customer=customer, against_staff=agent,
                                          details="客户来电称多收手续费")
    assert complaint.recorded_by == handler and complaint.transferred_by is None
    services.investigation_conclude(actor=handler, complaint=complaint, finding="not_verified",
                                    evidence="账单核对无误", decision="向客户解释收费标准")
    assert not AppraisalDeduction.objects.exists()
    with pytest.raises(KefuError) as refused:
        services.complaint_inform(actor=auditor, complaint=complaint, message="x")
    assert refused.value.status == 403
    with pytest.raises(KefuError):
        services.complaint_create(actor=make_user("field_engineer"), subject="x")
