"""Helpers that build callbacks in the states the tests and the permission walk need."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from kefu.accounts.models import Team
from kefu.core import clock

from ..models import Callback, CallbackForm, SatisfactionSurvey


def plain_callback(*, agent=None, customer=None, ticket=None, day=None, **fields: Any) -> Callback:
    """A callback on an agent's list (or to be planned), made directly: for tests of reads and permissions."""
    day = day or clock.today()
    return Callback.objects.create(
        origin=Callback.Origin.MANUAL, form=CallbackForm.objects.get(code="service_quality"), reason="回访",
        customer=customer, ticket=ticket, phone=fields.pop("phone", "13812345678"),
        contact_name=fields.pop("contact_name", "张伟"), planned_for=day,
        status=Callback.Status.PLANNED if agent else Callback.Status.NEW, agent=agent,
        due_at=fields.pop("due_at", clock.now() + timedelta(days=1)), **fields)


def walk_samples(make_user: Callable[..., Any]) -> dict[str, int]:
    """One object per callbacks route segment before <pk>."""
    desk, _ = Team.objects.get_or_create(code="walk-desk", defaults={"name": "巡检坐席组",
                                                                      "kind": Team.Kind.FIRST_LINE})
    agent = make_user("agent")
    agent.teams.add(desk)
    callback = plain_callback(agent=agent)
    survey = SatisfactionSurvey.objects.create(channel=SatisfactionSurvey.Channel.WEB,
                                               form=CallbackForm.objects.get(code="satisfaction_survey"),
                                               sent_at=clock.now(), nonce="walk" * 8)
    return {"callbacks": callback.pk, "surveys": survey.pk}
