"""Fold a call's events into the contact they describe (R3.6). Pure: no database.

The result depends only on the *set* of events, never on the order they arrived in: events are sorted by
their own time (ties broken by the natural order of a call), times are minima or maxima, and flags are
"any event says so". So a reordered, partial or duplicated delivery still builds the right contact, and
the contact improves as late events come in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# The natural order of a call, to sort events that share a timestamp.
_ORDER = {kind: index for index, kind in enumerate(
    ("offered", "queued", "answered", "held", "retrieved", "transferred", "abandoned", "ended",
     "recording_ready"))}


@dataclass(frozen=True)
class FoldEvent:
    kind: str
    occurred_at: datetime
    data: dict[str, Any]
    event_id: str = ""


@dataclass
class FoldedCall:
    direction: str = "inbound"
    caller: str = ""
    called: str = ""
    queue: str = ""
    agent: str = ""
    offered_at: datetime | None = None
    queued_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    abandoned: bool = False
    missing_offer: bool = True
    hold_seconds: int = 0
    transferred_to: str = ""
    transfer_count: int = 0
    recording_url: str = ""
    wrap_up_seconds: int | None = None
    state: str = "offered"
    wait_seconds: int | None = None
    talk_seconds: int | None = None


def _seconds(start: datetime, end: datetime) -> int:
    return max(0, round((end - start).total_seconds()))


def fold(events: Iterable[FoldEvent]) -> FoldedCall:
    """The contact fields that a set of events determines.

    - offered: the earliest `offered` event; without one, the earliest event (flagged `missing_offer`);
    - queued/answered: the earliest such event; ended: the latest `ended` or `abandoned` event;
    - agent: inbound, the agent of the earliest answer; outbound, the agent who placed the call;
    - abandoned: inbound and ended unanswered (a caller who hung up in the queue or while it rang);
    - wait: from queue entry (else offer) to answer, or to the end of an abandoned call;
    - talk: from answer to end (holds included); hold: the sum of held → retrieved periods.
    """
    unique: dict = {}
    for event in events:  # the database already refuses repeated ids; a pure caller may not have
        unique.setdefault(event.event_id or (event.kind, event.occurred_at, repr(sorted(event.data.items()))), event)
    ordered = sorted(unique.values(), key=lambda e: (e.occurred_at, _ORDER.get(e.kind, 99), e.event_id))
    call = FoldedCall()
    if not ordered:
        return call
    for name in ("direction", "caller", "called", "queue"):
        value = next((e.data[name] for e in ordered if e.data.get(name)), "")
        if value:
            setattr(call, name, value)
    by_kind: dict[str, list[FoldEvent]] = {}
    for event in ordered:
        by_kind.setdefault(event.kind, []).append(event)
    offers = by_kind.get("offered", [])
    call.missing_offer = not offers
    call.offered_at = offers[0].occurred_at if offers else ordered[0].occurred_at
    if by_kind.get("queued"):
        call.queued_at = by_kind["queued"][0].occurred_at
    answers = by_kind.get("answered", [])
    if answers:
        call.answered_at = answers[0].occurred_at
    endings = by_kind.get("ended", []) + by_kind.get("abandoned", [])
    if endings:
        call.ended_at = max(e.occurred_at for e in endings)
    outbound = call.direction == "outbound"
    if outbound:
        call.agent = next((e.data["agent"] for e in offers if e.data.get("agent")), "") or next(
            (e.data["agent"] for e in answers if e.data.get("agent")), "")
    else:
        call.agent = next((e.data["agent"] for e in answers if e.data.get("agent")), "")
    call.abandoned = not answers and not outbound and (bool(by_kind.get("abandoned")) or call.ended_at is not None)
    # Hold periods: held → retrieved; a hold still open at the end lasts until the end.
    held_since: datetime | None = None
    for event in ordered:
        if event.kind == "held" and held_since is None:
            held_since = event.occurred_at
        elif event.kind == "retrieved" and held_since is not None:
            call.hold_seconds += _seconds(held_since, event.occurred_at)
            held_since = None
    if held_since is not None and call.ended_at is not None:
        call.hold_seconds += _seconds(held_since, call.ended_at)
    transfers = by_kind.get("transferred", [])
    call.transfer_count = len(transfers)
    call.transferred_to = next((e.data["transfer_to"] for e in reversed(transfers) if e.data.get("transfer_to")), "")
    call.recording_url = next((e.data["recording_url"] for e in reversed(ordered) if e.data.get("recording_url")), "")
    wrap_ups = [e.data["wrap_up_seconds"] for e in ordered if e.data.get("wrap_up_seconds") is not None]
    call.wrap_up_seconds = max(wrap_ups) if wrap_ups else None
    if call.ended_at is None:
        call.state = "in_progress" if answers else "offered"
    elif answers:
        call.state = "completed"
    else:
        call.state = "not_answered" if outbound else "abandoned"
    wait_from = call.queued_at or call.offered_at
    wait_to = call.answered_at or (call.ended_at if call.abandoned else None)
    if wait_to is not None:
        call.wait_seconds = _seconds(wait_from, wait_to)
    if call.answered_at is not None and call.ended_at is not None:
        call.talk_seconds = _seconds(call.answered_at, call.ended_at)
    return call
