import re
from datetime import timedelta

import pytest
import time_machine

from kefu.core.errors import ConflictError, FieldError, KefuError
from kefu.tickets.models import Notification, Ticket
from kefu.tickets.services import (
    available_transitions,
    ticket_add_entry,
    ticket_create,
    ticket_dispatch,
    ticket_status_sentence,
    ticket_transition,
    ticket_update,
)


@pytest.mark.django_db
def test_all_kinds_of_the_seeds_exist_with_their_workflows(kinds):
    assert set(kinds) == {"consultation", "phone_fix", "repair", "installation", "technical_fault", "complaint",
                          "service_request", "billing_inquiry", "other"}
    assert kinds["consultation"].closable_at_once and not kinds["repair"].closable_at_once
    assert kinds["repair"].work_order_kind == "repair" and kinds["installation"].work_order_kind == "installation"
    states = list(kinds["repair"].workflow.states.values_list("code", flat=True))
    assert states == ["new", "assigned", "in_progress", "waiting_customer", "resolved", "closed"]


@pytest.mark.django_db
@time_machine.travel("2026-02-13 16:00 +0800", tick=False)
def test_numbers_are_readable_sortable_and_per_day(make_ticket):
    first, second = make_ticket(), make_ticket()
    assert first.number == "KF20260213-000001" and second.number == "KF20260213-000002"
    with time_machine.travel("2026-02-14 00:00:01 +0800", tick=False):
        assert make_ticket().number == "KF20260214-000001"


@pytest.mark.django_db
@time_machine.travel("2026-02-13 10:00 +0800", tick=False)
def test_a_case_carries_the_answer_deadline_and_5w1h(make_ticket, customer):
    ticket = make_ticket(customer=customer, location="上海市浦东新区张江路88号", reporter_name="张伟",
                         reporter_phone="138 1234 5678", description="刷卡后不出小票")
    assert ticket.answer_due_at - ticket.created_at == timedelta(days=3)
    assert (ticket.reporter_phone, ticket.state.code, ticket.priority.code) == ("13812345678", "new", "normal")
    assert ticket.events.get().action == "created"


@pytest.mark.django_db
def test_consultation_is_closed_at_once_with_how_it_was_solved(make_ticket):
    with pytest.raises(FieldError) as info:
        make_ticket("consultation", close_at_once=True)
    assert info.value.field == "resolution"
    ticket = make_ticket("consultation", close_at_once=True, resolution="告知结算周期为 T+1")
    assert ticket.state.code == "closed" and ticket.answer_due_at is None and ticket.resolved_at
    # Written in one go, but its history and version read as "created, then closed with how it was solved".
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.version, stored.state.code, stored.resolution) == (2, "closed", "告知结算周期为 T+1")
    assert stored.closed_at == stored.resolved_at and not stored.clocks.exists()
    assert [(e.action, e.old, e.new, e.reason) for e in stored.events.all()] == [
        ("created", "", "新建", ""), ("transition", "新建", stored.state.name, "告知结算周期为 T+1")]
    with pytest.raises(FieldError):
        make_ticket("repair", close_at_once=True, resolution="x")


@pytest.mark.django_db
def test_workflow_moves_and_keeps_every_change(make_ticket, agent):
    ticket = make_ticket()
    ticket = ticket_transition(actor=agent, ticket=ticket, transition="start", version=ticket.version)
    with pytest.raises(FieldError) as info:
        ticket_transition(actor=agent, ticket=ticket, transition="wait", version=ticket.version)
    assert info.value.field == "reason"
    ticket = ticket_transition(actor=agent, ticket=ticket, transition="wait", version=ticket.version,
                               reason="等待商户确认营业时间")
    assert ticket.state.pauses_clock
    ticket = ticket_transition(actor=agent, ticket=ticket, transition="resume", version=ticket.version)
    ticket = ticket_transition(actor=agent, ticket=ticket, transition="resolve", version=ticket.version,
                               reason="远程指导重启终端后恢复")
    assert ticket.resolution == "远程指导重启终端后恢复" and ticket.resolved_at
    ticket = ticket_transition(actor=agent, ticket=ticket, transition="close", version=ticket.version)
    moves = list(ticket.events.filter(action="transition").values_list("old", "new", "reason"))
    assert [m[1] for m in moves] == ["处理中", "等待客户", "处理中", "已解决", "已关闭"]
    assert moves[1][2] == "等待商户确认营业时间"


@pytest.mark.django_db
def test_a_transition_that_skips_the_workflow_or_the_role_is_refused(make_ticket, agent, make_user):
    ticket = make_ticket()
    with pytest.raises(FieldError) as info:
        ticket_transition(actor=agent, ticket=ticket, transition="close", version=ticket.version)
    assert info.value.code == "invalid_transition"
    ticket = ticket_transition(actor=agent, ticket=ticket, transition="start", version=ticket.version)
    ticket = ticket_transition(actor=agent, ticket=ticket, transition="resolve", version=ticket.version, reason="好了")
    ticket = ticket_transition(actor=agent, ticket=ticket, transition="close", version=ticket.version)
    # Reopening a closed ticket is for shift leads, supervisors and complaint handlers only.
    assert [t.code for t in available_transitions(agent, ticket)] == []
    with pytest.raises(KefuError) as info:
        ticket_transition(actor=agent, ticket=ticket, transition="reopen", version=ticket.version, reason="又坏了")
    assert info.value.status == 403
    lead = make_user("shift_lead")
    ticket = ticket_transition(actor=lead, ticket=ticket, transition="reopen", version=ticket.version, reason="又坏了")
    assert ticket.state.code == "in_progress" and ticket.resolved_at is None and ticket.closed_at is None
    auditor = make_user("internal_auditor")
    with pytest.raises(KefuError):
        ticket_transition(actor=auditor, ticket=ticket, transition="wait", version=ticket.version, reason="x")


@pytest.mark.django_db
def test_a_stale_version_is_refused_and_nothing_is_lost(make_ticket, agent, make_user):
    ticket = make_ticket()
    seen = ticket.version
    ticket_update(actor=agent, ticket=ticket, version=seen, changes={"title": "POS 终端开机黑屏"})
    other = Ticket.objects.get(pk=ticket.pk)
    with pytest.raises(ConflictError):
        ticket_update(actor=make_user("shift_lead"), ticket=other, version=seen, changes={"location": "收银台"})
    other.refresh_from_db()
    assert (other.title, other.location) == ("POS 终端开机黑屏", "")
    change = other.events.get(action="changed")
    assert (change.field, change.old, change.new) == ("title", "POS 终端无法开机", "POS 终端开机黑屏")


@pytest.mark.django_db
def test_dispatch_notifies_records_the_call_and_scopes_the_partner(make_ticket, agent, make_user, partner_team):
    from kefu.tickets.selectors import ticket_queryset_for

    partner = make_user("third_party_partner")
    partner.teams.add(partner_team)
    mine, other = make_ticket(), make_ticket()
    assert not ticket_queryset_for(partner).exists()
    with pytest.raises(FieldError) as info:
        ticket_dispatch(actor=agent, ticket=mine, version=mine.version, team=partner_team, phoned=True)
    assert info.value.field == "phoned_person"
    dispatch = ticket_dispatch(actor=agent, ticket=mine, version=mine.version, team=partner_team, assignee=partner,
                               phoned=True, phoned_person="华信 王工", note="请今天上门")
    assert dispatch.phoned_at is not None
    assert list(ticket_queryset_for(partner)) == [mine]
    assert Notification.objects.get(user=partner).ticket == mine
    mine.refresh_from_db()
    partner_view = ticket_queryset_for(partner).get(pk=mine.pk)
    ticket_add_entry(actor=partner, ticket=partner_view, kind="note", body="已约商户下午两点")
    assert other.pk not in set(ticket_queryset_for(partner).values_list("pk", flat=True))


@pytest.mark.django_db
def test_dispatch_to_a_person_outside_the_team_is_refused(make_ticket, agent, make_user, field_team):
    engineer = make_user("field_engineer")
    ticket = make_ticket()
    with pytest.raises(FieldError) as info:
        ticket_dispatch(actor=agent, ticket=ticket, version=ticket.version, team=field_team, assignee=engineer)
    assert info.value.field == "assignee"


@pytest.mark.django_db
@time_machine.travel("2026-02-13 10:00 +0800", tick=False)
def test_status_sentences_for_open_and_solved(make_ticket, agent):
    ticket = make_ticket()
    assert ticket_status_sentence(ticket) == (f"您的工单{ticket.number}正在处理中（新建），"
                                              "预计在2026年2月16日 10:00前给您答复。")
    ticket = ticket_transition(actor=agent, ticket=ticket, transition="start", version=ticket.version)
    ticket = ticket_transition(actor=agent, ticket=ticket, transition="resolve", version=ticket.version,
                               reason="更换打印模块")
    assert re.fullmatch(rf"您的工单{ticket.number}已于2026年2月13日 10:00处理完毕，处理结果：更换打印模块。",
                        ticket_status_sentence(ticket))


@pytest.mark.django_db
def test_notes_and_replies_are_kept_apart(make_ticket, agent):
    ticket = make_ticket()
    ticket_add_entry(actor=agent, ticket=ticket, kind="note", body="商户态度较差，注意沟通")
    ticket_add_entry(actor=agent, ticket=ticket, kind="reply", body="您好，工程师将于今天下午上门")
    assert list(ticket.entries.filter(kind="reply").values_list("body", flat=True)) == ["您好，工程师将于今天下午上门"]
    with pytest.raises(FieldError):
        ticket_add_entry(actor=agent, ticket=ticket, kind="gossip", body="x")


@pytest.mark.django_db
def test_the_search_box_finds_a_customer_by_ticket_number(make_ticket, customer, agent):
    from kefu.customers.selectors import customer_lookup

    ticket = make_ticket(customer=customer)
    result = customer_lookup(agent, ticket.number.lower())
    assert (result.matched_by, result.customers) == ("ticket_number", [customer])


def test_ticket_create_is_refused_without_the_right(db, make_user, kinds):
    with pytest.raises(KefuError):
        ticket_create(actor=make_user("qa_inspector"), kind=kinds["repair"], title="x")
