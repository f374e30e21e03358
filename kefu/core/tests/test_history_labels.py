"""Timelines show what happened in words, not action codes; a new code without words fails here."""

import re
from pathlib import Path

import pytest
from django.utils import translation

from kefu.core.history_labels import ACTIONS, action_label, choice_label, field_label

KEFU = Path(__file__).resolve().parents[2]
# _event(ticket, actor, "dispatched", …), TicketEvent(…, action="warning" …), f"call_{outcome}"
WRITTEN = re.compile(r'_event\([\w.]+, [\w.]+, f?"(\w+)"|TicketEvent\([^)]*?action="(\w+)"', re.S)
CALL_OUTCOMES = ("reached", "not_convenient", "no_answer", "busy", "wrong_number")


def test_every_history_action_written_has_words():
    codes = set()
    for path in KEFU.glob("*/services.py"):
        for match in WRITTEN.finditer(path.read_text(encoding="utf-8")):
            codes.add(match.group(1) or match.group(2))
    codes.discard("call_")
    assert {"dispatched", "transition", "desk_notified", "pending_answered"} <= codes  # the scan works
    assert sorted(codes - set(ACTIONS)) == []
    from kefu.callbacks.models import CallbackAttempt

    assert {f"call_{o}" for o in CallbackAttempt.Outcome.values} <= set(ACTIONS)
    assert set(CALL_OUTCOMES) == set(CallbackAttempt.Outcome.values)


def test_labels_fall_back_to_the_code():
    with translation.override("en"):
        assert action_label("dispatched") == "Dispatched"
        assert action_label("something_new") == "something_new"
        assert choice_label("planning", "service_exceptions.ServiceException.state") == "Planning"
        assert choice_label("??", "service_exceptions.ServiceException.state") == "??"
    with translation.override("zh-hans"):
        assert field_label("assignee", "tickets.Ticket") not in ("", "assignee")
        assert field_label("follow_up", "tickets.Ticket") == "follow_up"


@pytest.mark.django_db
def test_the_ticket_timeline_reads_in_words(make_user, client):
    from kefu.tickets.models import Ticket, TicketKind
    from kefu.tickets.services import available_transitions, ticket_create, ticket_transition

    agent = make_user("agent")
    ticket = ticket_create(actor=agent, kind=TicketKind.objects.get(code="repair"), title="POS 机无法开机")
    ticket = Ticket.objects.get(pk=ticket.pk)
    transition = available_transitions(agent, ticket)[0]
    ticket_transition(actor=agent, ticket=ticket, transition=transition.code, version=ticket.version,
                      reason="已受理")
    client.force_login(agent)
    with translation.override("en"):
        page = client.get(f"/tickets/{ticket.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Status changed" in page and ">transition" not in page
