"""The fold of a call's events (R3.6) is pure: table tests and a property — any arrival order, any
duplication, gives the same contact."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.contacts.telephony.fold import FoldEvent, fold

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def ev(kind: str, seconds: int, **data) -> FoldEvent:
    return FoldEvent(kind, at(seconds), data, f"{kind}-{seconds}")


ANSWERED_CALL = [
    ev("offered", 0, caller="13812345678", called="4008208820"),
    ev("queued", 8, queue="support"),
    ev("offered", 8, agent="8001"),
    ev("answered", 20, agent="8001"),
    ev("held", 60), ev("retrieved", 90),
    ev("transferred", 150, transfer_to="8002"),
    ev("ended", 200),
    ev("recording_ready", 260, recording_url="https://rec.example.cn/1.wav"),
]


def test_an_answered_call():
    call = fold(ANSWERED_CALL)
    assert (call.offered_at, call.queued_at, call.answered_at, call.ended_at) == (at(0), at(8), at(20), at(200))
    assert call.wait_seconds == 12  # from queue entry, not from the IVR
    assert call.talk_seconds == 180 and call.hold_seconds == 30
    assert call.agent == "8001" and call.queue == "support" and call.caller == "13812345678"
    assert call.state == "completed" and not call.abandoned and not call.missing_offer
    assert (call.transfer_count, call.transferred_to) == (1, "8002")
    assert call.recording_url == "https://rec.example.cn/1.wav"


def test_an_abandoned_call_waits_until_the_caller_hangs_up():
    call = fold([ev("offered", 0), ev("queued", 3, queue="support"), ev("abandoned", 48, queue="support"),
                 ev("ended", 48)])
    assert call.state == "abandoned" and call.abandoned and call.wait_seconds == 45 and call.talk_seconds is None


def test_an_inbound_call_that_ends_unanswered_is_abandoned_even_without_the_abandon_event():
    call = fold([ev("offered", 0), ev("ended", 30)])
    assert call.state == "abandoned" and call.wait_seconds == 30


def test_an_outbound_call_belongs_to_the_agent_who_placed_it():
    call = fold([ev("offered", 0, direction="outbound", agent="8001", called="13812345678"),
                 ev("answered", 10, agent=""), ev("ended", 130)])
    assert call.direction == "outbound" and call.agent == "8001" and call.state == "completed"
    unanswered = fold([ev("offered", 0, direction="outbound", agent="8001"), ev("ended", 30)])
    assert unanswered.state == "not_answered" and not unanswered.abandoned


def test_events_before_the_offer_build_a_provisional_contact():
    call = fold([ev("answered", 20, agent="8001"), ev("ended", 200)])
    assert call.missing_offer and call.offered_at == at(20) and call.state == "completed"
    complete = fold([ev("answered", 20, agent="8001"), ev("ended", 200), ev("offered", 0)])
    assert not complete.missing_offer and complete.offered_at == at(0) and complete.wait_seconds == 20


def test_a_hold_still_open_at_the_end_lasts_until_the_end():
    call = fold([ev("offered", 0), ev("answered", 5), ev("held", 100), ev("ended", 130)])
    assert call.hold_seconds == 30


def test_a_call_in_progress():
    assert fold([ev("offered", 0)]).state == "offered"
    call = fold([ev("offered", 0), ev("answered", 7)])
    assert call.state == "in_progress" and call.wait_seconds == 7 and call.talk_seconds is None


@settings(max_examples=200, deadline=None)
@given(st.permutations(ANSWERED_CALL), st.lists(st.sampled_from(ANSWERED_CALL), max_size=5))
def test_arrival_order_and_repeats_do_not_matter(order, repeats):
    assert fold(list(order) + repeats) == fold(ANSWERED_CALL)
