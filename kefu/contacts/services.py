"""Writes of contacts and telephony (SPEC §3). Every change goes through here: the telephony endpoint, the
replay and listen commands, the CDR import, the web pages and the API."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import User
from kefu.core import clock, permissions
from kefu.core.errors import FieldError
from kefu.customers.models import Customer, CustomerPhone

from .models import AgentStatus, Contact, ForbiddenPhrase, Queue, StandardPhrase, TelephonyEvent
from .telephony.events import CallEvent, normalise_number
from .telephony.fold import FoldEvent, fold

# --- seeds -------------------------------------------------------------------------------------------------

# R3.3: standard phrases per step, from the seeds' service-language rules. `{work_number}` is the agent's 工号.
DEFAULT_STANDARD_PHRASES: tuple[tuple[str, str, str], ...] = (
    ("greeting", "您好!工号{work_number}为您服务。请问有什么可以帮您的?", "[000]"),
    ("greeting", "您好,运营中心,请问有什么需要帮助的吗?", "[003]"),
    ("verification", "请问贵公司名称是……", "[000]"),
    ("verification", "谢谢您的等候,您公司的名称是……地址是……", "[000]"),
    ("verification", "您是否可以告诉我您的事件ID号?", "[003]"),
    ("verification", "您能否详细描述一下您的问题?", "[003]"),
    ("hold", "请稍等,我正在查询。", "[000]"),
    ("transfer", "请您将联系电话留下,我们将在第一时间回复您。", "[000]"),
    ("complaint_transfer", "我们有专门的投诉处理人员,我现在帮您转接。", "[003]"),
    ("apology", "很抱歉,由于我们工作中的疏忽,给您添了麻烦,谢谢您的谅解。", "[000]"),
    ("closing", "请问,还有什么可以帮您的?", "[000]"),
    ("closing", "谢谢您的来电,再见。", "[000]"),
    ("closing", "谢谢您给运营中心来电。", "[003]"),
)
# R3.3 [003] 第七条: 严禁出现“不知道”、“我不管”、“没有办法”、“找别人去”等服务忌语。
DEFAULT_FORBIDDEN_PHRASES: tuple[str, ...] = ("不知道", "我不管", "没有办法", "找别人去")


def phrases_seed_defaults() -> None:
    """R3.3: seed the standard and forbidden phrases of the seeds on a fresh installation. Once a table holds
    any phrase it belongs to the supervisors: nothing is added back or overwritten."""
    with translation.override("zh-hans"), transaction.atomic():
        if not StandardPhrase.objects.exists():
            for order, (step, text, source) in enumerate(DEFAULT_STANDARD_PHRASES):
                StandardPhrase.objects.create(step=step, text=text, order=order, source=source)
        if not ForbiddenPhrase.objects.exists():
            for text in DEFAULT_FORBIDDEN_PHRASES:
                ForbiddenPhrase.objects.create(text=text, source="[003]")


def phrase_render(text: str, *, agent: User | None) -> str:
    """A standard phrase as the agent says it: `{work_number}` becomes his work number (R3.2 [000])."""
    number = (agent.work_number if agent is not None else None) or "×××"
    return text.replace("{work_number}", number)


# --- phrases -----------------------------------------------------------------------------------------------

@transaction.atomic
def standard_phrase_save(*, actor: User | None, phrase: StandardPhrase | None = None,
                         data: dict[str, Any]) -> StandardPhrase:
    """R3.3: supervisors edit the standard phrases; every change is in the history."""
    permissions.require(actor, "contacts.phrase:edit", system=True)
    phrase = phrase or StandardPhrase()
    for name in ("step", "text", "order", "is_active", "source"):
        if name in data:
            setattr(phrase, name, data[name].strip() if isinstance(data[name], str) else data[name])
    if not (phrase.text or "").strip():
        raise FieldError(_("The text is required."), field="text", code="required")
    if phrase.step not in StandardPhrase.Step.values:
        raise FieldError(_("Unknown step."), field="step", code="invalid_choice")
    phrase.full_clean()
    phrase.save()
    return phrase


@transaction.atomic
def forbidden_phrase_save(*, actor: User | None, phrase: ForbiddenPhrase | None = None,
                          data: dict[str, Any]) -> ForbiddenPhrase:
    """R3.3, R8.2: supervisors edit the forbidden phrases the quality checks look for."""
    permissions.require(actor, "contacts.phrase:edit", system=True)
    phrase = phrase or ForbiddenPhrase()
    for name in ("text", "is_active", "source"):
        if name in data:
            setattr(phrase, name, data[name].strip() if isinstance(data[name], str) else data[name])
    if not (phrase.text or "").strip():
        raise FieldError(_("The text is required."), field="text", code="required")
    if ForbiddenPhrase.objects.filter(text=phrase.text).exclude(pk=phrase.pk).exists():
        raise FieldError(_("This phrase is already on the list."), field="text", code="unique")
    try:
        with transaction.atomic():
            phrase.save()
    except IntegrityError:
        raise FieldError(_("This phrase is already on the list."), field="text", code="unique") from None
    return phrase


@transaction.atomic
def phrase_delete(*, actor: User | None, phrase: StandardPhrase | ForbiddenPhrase) -> None:
    permissions.require(actor, "contacts.phrase:edit", system=True)
    phrase.delete()


# --- look-ups used by telephony and imports ----------------------------------------------------------------

def customer_id_for_number(number: str) -> int | None:
    """R2.2: the customer whose phone is this (normalised) number — one indexed look-up, as the screen pop's.
    When several customers share the number none is chosen; the agent picks on the workbench."""
    if not number:
        return None
    ids = list(CustomerPhone.objects.filter(number=number).values_list("customer_id", flat=True).distinct()[:2])
    return ids[0] if len(ids) == 1 else None


def customer_ids_for_numbers(numbers: Iterable[str]) -> dict[str, int]:
    """customer_id_for_number for many numbers at once (imports)."""
    wanted = sorted({n for n in numbers if n})
    owners: dict[str, set[int]] = {}
    for start in range(0, len(wanted), 900):
        for number, customer_id in CustomerPhone.objects.filter(number__in=wanted[start:start + 900]).values_list(
                "number", "customer_id"):
            owners.setdefault(number, set()).add(customer_id)
    return {number: next(iter(ids)) for number, ids in owners.items() if len(ids) == 1}


def agent_id_for(reference: str) -> int | None:
    """The active user whose telephone extension, else work number, is this reference."""
    if not reference:
        return None
    for lookup in ("extension", "work_number"):
        found = User.objects.filter(is_active=True, **{lookup: reference}).values_list("id", flat=True).first()
        if found:
            return found
    return None


def agent_ids_for(references: Iterable[str]) -> dict[str, int]:
    """agent_id_for for many references at once, in one query; an extension wins over a work number."""
    wanted = {r for r in references if r}
    if not wanted:
        return {}
    rows = list(User.objects.filter(Q(work_number__in=wanted) | Q(extension__in=wanted), is_active=True)
                .values_list("id", "work_number", "extension"))
    found: dict[str, int] = {}
    for column in (1, 2):  # work numbers first, then extensions over them
        for row in rows:
            if row[column] in wanted:
                found[row[column]] = row[0]
    return found


def queue_id_for(code: str) -> int | None:
    """The queue with this PBX name, created on first sight (get-or-create under the unique constraint)."""
    if not code:
        return None
    code = code[:64]
    found = Queue.objects.filter(code=code).values_list("pk", flat=True).first()
    if found is not None:
        return found
    queue, _created = Queue.objects.get_or_create(code=code)
    return queue.pk


def quarter_hour(moment: datetime) -> datetime:
    """The quarter hour a moment falls in (figures group by it)."""
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


# --- the workbench hook ------------------------------------------------------------------------------------

# Functions (contact, agent) called after the commit of an offered call; the workbench registers its screen pop
# here (kefu.contacts.workbench.push_offered, in apps.ready).
OFFER_LISTENERS: list[Callable[[Contact, User | None], None]] = []


def contact_offered(*, contact: Contact, agent: User | None = None) -> None:
    """R3.2: a call was offered to the center (agent None) or is ringing at an agent's extension, or an agent
    typed a caller's number. Runs after the commit that recorded it, so it must stay cheap: the workbench
    listener writes one outbox row per call with an agent (kefu.core.push) and nothing else."""
    for listener in OFFER_LISTENERS:
        listener(contact, agent)


def _offers_on_commit(offers: list[tuple[int, int | None]]) -> None:
    """After the commit, call the listeners for each (contact id, agent id): two queries for the whole batch and
    the pushes written together."""
    if not OFFER_LISTENERS or not offers:
        return

    def run() -> None:
        from kefu.core import push

        contacts = Contact.objects.select_related("customer", "queue").in_bulk([c for c, _a in offers])
        agent_ids = {a for _c, a in offers if a}
        agents = User.objects.in_bulk(agent_ids) if agent_ids else {}
        with push.batch():
            for contact_id, agent_id in offers:
                if contact_id in contacts:
                    contact_offered(contact=contacts[contact_id], agent=agents.get(agent_id))

    # robust: the calls are committed whatever happens here; a failing pop is logged, not answered with a 500.
    transaction.on_commit(run, robust=True)


def _offered_on_commit(contact_id: int, agent_id: int | None) -> None:
    _offers_on_commit([(contact_id, agent_id)])


# --- telephony events (R3.6) -------------------------------------------------------------------------------

@dataclass
class IngestResult:
    event_id: str
    status: str  # "applied" | "duplicate"
    contact_id: int | None
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "status": self.status, "contact": self.contact_id,
                "warnings": self.warnings}


RETRY_SQLSTATES = frozenset({"40P01", "40001", "55P03"})  # deadlock, serialization failure, lock not available


def _retryable(error: OperationalError) -> bool:
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) in RETRY_SQLSTATES or "database is locked" in str(error)


def telephony_events_ingest(*, events: list[CallEvent], live: bool = False) -> list[IngestResult]:
    """R3.6: record a batch of call events in one transaction (see telephony_event_ingest); the results come
    back in the order of the batch."""
    if not events:
        return []
    for attempt in range(4):
        try:
            with transaction.atomic():
                return _ingest_batch(events, live=live)
        except OperationalError as error:
            # Two batches can meet on an agent's state row in opposite order; the database breaks the cycle
            # by failing one of them, which simply runs again (its events were not recorded).
            if attempt == 3 or not _retryable(error):
                raise
            time.sleep(0.005 * (attempt + 1))
    raise AssertionError("unreachable")


def telephony_event_ingest(*, event: CallEvent, live: bool = False) -> IngestResult:
    """R3.6: record one call event and rebuild its contact.

    Idempotent by (source, event id): event rows are inserted under their unique constraint (INSERT … ON
    CONFLICT DO NOTHING), so a repeat — also two deliveries racing — changes nothing. The contacts are found
    (locked, in call-id order) or created under the unique call id; then each is rebuilt from all events of
    its call (`fold`), so events that arrive out of order, or before the call's offer, still build the right
    contact. `live` events (the endpoint, the AMI listener) also move the agent's state and fire
    `contact_offered`; a replay does not.
    """
    return telephony_events_ingest(events=[event], live=live)[0]


def _insert_rows(objs: list[Any], conflict: tuple[str, ...], returning: tuple[str, ...]) -> set[tuple]:
    """Multi-row INSERT … ON CONFLICT (…) DO NOTHING RETURNING …: the unique constraint decides, whatever runs
    at the same time (PostgreSQL waits for a concurrent insert of the same key to commit; SQLite's write lock
    serialises writers). Returns the `returning` values of the rows actually inserted. PostgreSQL and SQLite
    ≥ 3.35; no check-then-insert, no savepoint."""
    if not objs:
        return set()
    meta = objs[0]._meta
    quote = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    head = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES ")
    tail = (f" ON CONFLICT ({', '.join(quote(meta.get_field(n).column) for n in conflict)}) DO NOTHING "
            f"RETURNING {', '.join(quote(meta.get_field(n).column) for n in returning)}")
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    chunk = max(1, 15000 // len(fields))  # under SQLite's and PostgreSQL's parameter limits
    inserted: set[tuple] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(objs), chunk):
            part = objs[start:start + chunk]
            params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in part for f in fields]
            cursor.execute(head + ", ".join([row_sql] * len(part)) + tail, params)
            inserted.update(tuple(row) for row in cursor.fetchall())
    return inserted


def _ingest_batch(events: list[CallEvent], *, live: bool) -> list[IngestResult]:
    # 1. The event rows; the first of a repeated id in the batch is the one that may be new.
    first: dict[tuple[str, str], int] = {}
    rows = []
    for index, event in enumerate(events):
        key = (event.source, event.event_id)
        if key not in first:
            first[key] = index
            rows.append(TelephonyEvent(source=event.source, event_id=event.event_id, call_id=event.call_id,
                                       kind=event.kind, occurred_at=event.occurred_at, data=event.data()))
    inserted = _insert_rows(rows, ("source", "event_id"), ("source", "event_id"))
    applied = [index for index, event in enumerate(events)
               if (event.source, event.event_id) in inserted and first[(event.source, event.event_id)] == index]
    by_call: dict[str, list[CallEvent]] = {}
    for index in applied:
        by_call.setdefault(events[index].call_id, []).append(events[index])
    call_ids = sorted(by_call)
    # 2. Their contacts, locked in call-id order (so two batches never wait on each other in a circle), or
    # created under the unique call id. A contact made by telephony has no history row: its events are.
    contacts: dict[str, Contact] = {}
    created: set[str] = set()
    folded: dict[str, Any] = {}
    if call_ids:
        contacts = {c.call_id: c for c in Contact.objects.select_for_update().filter(call_id__in=call_ids)
                    .order_by("call_id")}
        new = []
        for call_id in call_ids:
            if call_id not in contacts:
                earliest = min(by_call[call_id], key=lambda e: e.occurred_at)
                new.append(Contact(
                    call_id=call_id, source=Contact.Source.TELEPHONY, offered_at=earliest.occurred_at,
                    offered_slot=quarter_hour(earliest.occurred_at), state=Contact.State.OFFERED,
                    channel=Contact.Channel.OUTBOUND_CALL if earliest.direction == "outbound"
                    else Contact.Channel.INBOUND_CALL))
        if new:
            by_id = {obj.call_id: obj for obj in new}
            for pk, call_id in _insert_rows(new, ("call_id",), ("id", "call_id")):
                obj = by_id[call_id]
                obj.pk, obj._state.adding, obj._state.db = pk, False, connection.alias
                contacts[call_id] = obj
                created.add(call_id)
            late = [call_id for call_id in by_id if call_id not in contacts]
            if late:  # another delivery created them first; its transaction has committed by now
                contacts.update({c.call_id: c for c in Contact.objects.select_for_update()
                                 .filter(call_id__in=late).order_by("call_id")})
        # 3. Rebuild each contact from all events of its call.
        history: dict[str, list[FoldEvent]] = {call_id: [] for call_id in call_ids}
        for call_id, kind, at, data, event_id in TelephonyEvent.objects.filter(call_id__in=call_ids).order_by(
                ).values_list("call_id", "kind", "occurred_at", "data", "event_id"):
            history[call_id].append(FoldEvent(kind, at, data or {}, event_id))
        folded = {call_id: fold(history[call_id]) for call_id in call_ids}
        _apply_folds(contacts, folded, created=created, by_call=by_call)
    # 4. Results, and what live events do beyond the contact.
    results: list[IngestResult] = []
    missing = {e.call_id for e in events if e.call_id not in contacts}
    known = dict(Contact.objects.filter(call_id__in=sorted(missing)).values_list("call_id", "id")) if missing else {}
    applied_set = set(applied)
    for index, event in enumerate(events):
        contact = contacts.get(event.call_id)
        contact_id = contact.pk if contact is not None else known.get(event.call_id)
        if index in applied_set:
            warnings = ["call_not_offered_yet"] if folded[event.call_id].missing_offer else []
            results.append(IngestResult(event.event_id, "applied", contact_id, warnings))
        else:
            results.append(IngestResult(event.event_id, "duplicate", contact_id))
    if live:
        in_order = sorted(applied, key=lambda i: events[i].occurred_at)
        _agents_follow_calls([(events[i], contacts[events[i].call_id]) for i in in_order])
        if OFFER_LISTENERS:
            offered = [events[i] for i in in_order if events[i].kind == "offered"]
            refs = agent_ids_for({e.agent for e in offered if e.agent}) if any(e.agent for e in offered) else {}
            _offers_on_commit([(contacts[e.call_id].pk, refs.get(e.agent)) for e in offered])
    return results


def queue_ids_for(codes: Iterable[str]) -> dict[str, int]:
    """queue_id_for for many names at once."""
    wanted = sorted({code[:64] for code in codes if code})
    found = dict(Queue.objects.filter(code__in=wanted).values_list("code", "pk")) if wanted else {}
    for code in wanted:
        if code not in found:
            found[code] = queue_id_for(code)
    return found


def _apply_folds(contacts: dict[str, Contact], folded: dict[str, Any], *, created: set[str],
                 by_call: dict[str, list[CallEvent]]) -> None:
    """Write what the events determine, only the fields that changed (no history row per event: the event log
    is the machine's history; people's edits go through contact_update). Queue, agent and customer are
    looked up for the whole batch at once."""
    plans: dict[str, dict[str, Any]] = {}
    queue_codes, agent_refs, numbers = set(), set(), set()
    for call_id, call in folded.items():
        contact = contacts[call_id]
        channel = contact.channel
        if channel in (Contact.Channel.INBOUND_CALL, Contact.Channel.OUTBOUND_CALL):
            channel = Contact.Channel.OUTBOUND_CALL if call.direction == "outbound" else Contact.Channel.INBOUND_CALL
        wrap_up = call.wrap_up_seconds if call.wrap_up_seconds is not None else contact.wrap_up_seconds
        values: dict[str, Any] = {
            "channel": channel, "source": Contact.Source.TELEPHONY,
            "caller_number": call.caller or contact.caller_number,
            "called_number": call.called or contact.called_number,
            "offered_at": call.offered_at, "offered_slot": quarter_hour(call.offered_at),
            "queued_at": call.queued_at, "answered_at": call.answered_at, "ended_at": call.ended_at,
            "wait_seconds": call.wait_seconds, "talk_seconds": call.talk_seconds,
            "hold_seconds": call.hold_seconds, "wrap_up_seconds": wrap_up,
            "handle_seconds": None if call.talk_seconds is None else call.talk_seconds + (wrap_up or 0),
            "state": call.state, "missing_offer": call.missing_offer, "transferred_to": call.transferred_to,
            "transfer_count": call.transfer_count, "recording_url": call.recording_url or contact.recording_url,
        }
        # The folded queue can only change with an event that names one (or on a contact without one).
        if call.queue and (contact.queue_id is None or any(e.queue for e in by_call[call_id])):
            values["@queue"] = call.queue
            queue_codes.add(call.queue)
        if call.agent and call.agent != contact.agent_extension:
            values["agent_extension"] = call.agent[:32]
            values["@agent"] = call.agent
            agent_refs.add(call.agent)
        if contact.customer_id is None:
            number = values["called_number"] if channel == Contact.Channel.OUTBOUND_CALL else values["caller_number"]
            if number and (call_id in created or number != contact.customer_number_side):
                values["@number"] = number
                numbers.add(number)
        plans[call_id] = values
    queues = queue_ids_for(queue_codes) if queue_codes else {}
    agents = agent_ids_for(agent_refs) if agent_refs else {}
    customers = customer_ids_for_numbers(numbers) if numbers else {}
    now = clock.now()
    groups: dict[tuple[str, ...], list[Contact]] = {}
    for call_id, values in plans.items():
        contact = contacts[call_id]
        if "@queue" in values:
            values["queue_id"] = queues.get(values.pop("@queue")[:64])
        if "@agent" in values:
            agent_id = agents.get(values.pop("@agent"))
            if agent_id is not None:
                values["agent_id"] = agent_id
        if "@number" in values:
            values["customer_id"] = customers.get(values.pop("@number"))
        fields = tuple(name for name, value in values.items() if getattr(contact, name) != value)
        if fields:
            for name in fields:
                setattr(contact, name, values[name])
            contact.updated_at = now
            groups.setdefault((*fields, "updated_at"), []).append(contact)
    _update_rows(groups)


def _update_rows(groups: dict[tuple[str, ...], list[Contact]]) -> None:
    """UPDATE … SET <the changed fields> WHERE id = …, one prepared statement per set of changed fields run
    with executemany: Django's bulk_update builds a CASE expression per field and object, which costs more
    than the database work here."""
    quote = connection.ops.quote_name
    meta = Contact._meta
    with connection.cursor() as cursor:
        for names, rows in groups.items():
            fields = [meta.get_field(name) for name in names]
            sql = (f"UPDATE {quote(meta.db_table)} SET {', '.join(f'{quote(f.column)} = %s' for f in fields)} "
                   f"WHERE {quote(meta.pk.column)} = %s")
            cursor.executemany(sql, [[f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields]
                                     + [row.pk] for row in rows])


# --- agent states ------------------------------------------------------------------------------------------

S = AgentStatus.State
AGENT_TRANSITIONS: dict[str, frozenset[str]] = {
    S.LOGGED_OUT: frozenset({S.LOGGED_IN, S.READY}),
    S.LOGGED_IN: frozenset({S.READY, S.BREAK, S.ON_CALL, S.LOGGED_OUT}),
    S.READY: frozenset({S.LOGGED_IN, S.BREAK, S.ON_CALL, S.LOGGED_OUT}),
    S.ON_CALL: frozenset({S.AFTER_CALL_WORK, S.READY}),
    S.AFTER_CALL_WORK: frozenset({S.READY, S.BREAK, S.LOGGED_IN, S.LOGGED_OUT}),
    S.BREAK: frozenset({S.READY, S.LOGGED_IN, S.LOGGED_OUT}),
}


def agent_status_of(user: User, *, now: datetime | None = None) -> AgentStatus:
    status, _created = AgentStatus.objects.get_or_create(user=user, defaults={"since": now or clock.now()})
    return status


@transaction.atomic
def agent_state_set(*, actor: User, state: str, reason: str = "", now: datetime | None = None) -> AgentStatus:
    """R3.2/R9: an agent sets his own state (logged in, ready, on a call, after-call work, break, logged out).

    Leaving after-call work adds its duration to the contact's wrap-up time, so the contact's handle time is
    talk plus after-call work.
    """
    permissions.require(actor, "contacts.agent_state:change", system=True)
    if state not in S.values:
        raise FieldError(_("Unknown agent state."), field="state", code="invalid_choice")
    now = now or clock.now()
    agent_status_of(actor, now=now)
    status = AgentStatus.objects.select_for_update().get(user=actor)
    if state == status.state:
        return status
    if state not in AGENT_TRANSITIONS[status.state]:
        raise FieldError(_("An agent cannot go from “%(from)s” to “%(to)s”."), field="state", code="invalid_transition",
                         **{"from": status.get_state_display(), "to": S(state).label})
    _leave_state(status, now)
    status.state, status.since, status.reason = state, now, reason.strip()[:100]
    if state not in (S.ON_CALL, S.AFTER_CALL_WORK):
        status.contact = None
    status.save(update_fields=["state", "since", "reason", "contact"])
    return status


def _leave_state(status: AgentStatus, now: datetime) -> None:
    if status.state == S.AFTER_CALL_WORK and status.contact_id:
        seconds = max(0, round((now - status.since).total_seconds()))
        Contact.objects.filter(pk=status.contact_id).update(
            wrap_up_seconds=Coalesce(F("wrap_up_seconds"), Value(0)) + seconds,
            handle_seconds=Coalesce(F("talk_seconds"), Value(0)) + Coalesce(F("wrap_up_seconds"), Value(0)) + seconds,
            updated_at=now)


def _agents_follow_calls(items: list[tuple[CallEvent, Contact]]) -> None:
    """Live telephony moves the agents (items in time order): answered → on a call; the call ends → after-call
    work. An event older than the agent's current state (a late delivery) does not move him back in time.
    The agents' rows are locked in id order, after the contacts; each transition is kept in the history with
    the time it happened."""
    relevant = [(event, contact) for event, contact in items
                if contact.agent_id and event.kind in ("answered", "ended", "abandoned")]
    if not relevant:
        return
    agent_ids = sorted({contact.agent_id for _event, contact in relevant})
    statuses = {status.pk: status for status in AgentStatus.objects.select_for_update().filter(
        pk__in=agent_ids).order_by("pk")}
    snapshots: list[AgentStatus] = []
    for event, contact in relevant:
        status = statuses.get(contact.agent_id)
        if event.kind == "answered":
            if status is None:
                status = statuses[contact.agent_id] = agent_status_of(User(pk=contact.agent_id),
                                                                      now=event.occurred_at)
            if status.state == S.ON_CALL and status.contact_id == contact.pk or event.occurred_at < status.since:
                continue
            _leave_state(status, event.occurred_at)
            status.state, status.since, status.contact_id, status.reason = S.ON_CALL, event.occurred_at, contact.pk, ""
        elif (status is not None and status.state == S.ON_CALL and status.contact_id == contact.pk
              and event.occurred_at >= status.since):
            status.state, status.since = S.AFTER_CALL_WORK, event.occurred_at
        else:
            continue
        snapshot = copy.copy(status)
        snapshot._history_date = event.occurred_at
        snapshots.append(snapshot)
    if not snapshots:
        return
    final = {snapshot.pk: snapshot for snapshot in snapshots}
    quote = connection.ops.quote_name
    meta = AgentStatus._meta
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(meta.db_table)} SET {quote('state')} = %s, {quote('since')} = %s, "
            f"{quote(meta.get_field('contact').column)} = %s, {quote('reason')} = %s "
            f"WHERE {quote(meta.pk.column)} = %s",
            [[s.state, meta.get_field("since").get_db_prep_save(s.since, connection), s.contact_id, s.reason, s.pk]
             for s in final.values()])
    AgentStatus.history.bulk_history_create(snapshots, update=True)


# --- contacts entered or edited by people ------------------------------------------------------------------

EDITABLE = (*Contact.SUMMARY_FIELDS, "outcome", "customer")


def _derive_times(contact: Contact) -> None:
    if contact.answered_at and contact.answered_at < contact.offered_at:
        raise FieldError(_("A contact cannot be answered before it was offered."), field="answered_at",
                         code="invalid")
    if contact.ended_at and contact.ended_at < (contact.answered_at or contact.offered_at):
        raise FieldError(_("A contact cannot end before it began."), field="ended_at", code="invalid")
    start = contact.offered_at
    if contact.answered_at:
        contact.wait_seconds = round((contact.answered_at - start).total_seconds())
    if contact.answered_at and contact.ended_at:
        contact.talk_seconds = round((contact.ended_at - contact.answered_at).total_seconds())
        contact.handle_seconds = contact.talk_seconds + (contact.wrap_up_seconds or 0)
    if contact.ended_at is None:
        contact.state = Contact.State.IN_PROGRESS if contact.answered_at else Contact.State.OFFERED
    elif contact.answered_at or contact.channel not in (Contact.Channel.INBOUND_CALL, Contact.Channel.OUTBOUND_CALL):
        contact.state = Contact.State.COMPLETED
    else:
        contact.state = (Contact.State.ABANDONED if contact.channel == Contact.Channel.INBOUND_CALL
                         else Contact.State.NOT_ANSWERED)
        if contact.state == Contact.State.ABANDONED:
            contact.wait_seconds = round((contact.ended_at - start).total_seconds())


@transaction.atomic
def contact_create(*, actor: User, channel: str, offered_at: datetime | None = None, caller_number: str = "",
                   called_number: str = "", customer: Customer | None = None, answered_at: datetime | None = None,
                   ended_at: datetime | None = None, outcome: str = "", recording_url: str = "",
                   **summary: str) -> Contact:
    """R3.1: record a contact by hand — a fax (R3.5: with the time received), an e-mail, a walk-in, or a call
    the agent types in. The agent is the one who records it; the customer is matched by number if not given.
    An inbound call typed in is offered to the agent's workbench (contact_offered)."""
    permissions.require(actor, "contacts.contact:edit", system=True)
    if channel not in Contact.Channel.values:
        raise FieldError(_("Unknown channel."), field="channel", code="invalid_choice")
    unknown = set(summary) - set(Contact.SUMMARY_FIELDS)
    if unknown:
        raise FieldError(_("Unknown field."), field=sorted(unknown)[0], code="invalid")
    if outcome not in Contact.Outcome.values:
        raise FieldError(_("Unknown outcome."), field="outcome", code="invalid_choice")
    if recording_url.strip() and not recording_url.strip().lower().startswith(("http://", "https://")):
        raise FieldError(_("The recording link is an http(s) URL."), field="recording_url", code="invalid")
    offered_at = offered_at or clock.now()
    if offered_at > clock.now() + timedelta(minutes=5):
        raise FieldError(_("A contact cannot lie in the future."), field="offered_at", code="invalid")
    contact = Contact(channel=channel, source=Contact.Source.MANUAL, offered_at=offered_at,
                      offered_slot=quarter_hour(offered_at), caller_number=normalise_number(caller_number),
                      called_number=normalise_number(called_number), agent=actor,
                      agent_extension=(actor.extension or "")[:32], answered_at=answered_at, ended_at=ended_at,
                      outcome=outcome, recording_url=recording_url.strip(), created_by=actor,
                      **{k: (v or "").strip() for k, v in summary.items()})
    _derive_times(contact)
    if customer is None:
        number = contact.customer_number_side
        customer_id = customer_id_for_number(number)
        contact.customer_id = customer_id
    else:
        contact.customer = customer
    contact.full_clean(exclude=["offered_slot", "tickets"])
    contact.save()
    if channel == Contact.Channel.INBOUND_CALL and contact.ended_at is None:
        _offered_on_commit(contact.pk, actor.pk)
    return contact


@transaction.atomic
def contact_update(*, actor: User, contact: Contact, changes: dict[str, Any]) -> Contact:
    """R3.1 [002]: the agent records the 5W1H summary, the outcome and the customer; kept in the history."""
    permissions.require(actor, "contacts.contact:edit", system=True)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise FieldError(_("This field cannot be changed."), field=sorted(unknown)[0], code="read_only")
    if "outcome" in changes and changes["outcome"] not in Contact.Outcome.values:
        raise FieldError(_("Unknown outcome."), field="outcome", code="invalid_choice")
    fields = []
    for name, value in changes.items():
        value = value.strip() if isinstance(value, str) else value
        if getattr(contact, name) != value:
            setattr(contact, name, value)
            fields.append(name)
    if fields:
        contact.full_clean(exclude=["offered_slot", "tickets"])
        contact.save(update_fields=[*fields, "updated_at"])
    return contact


@transaction.atomic
def contact_link_ticket(*, actor: User, contact: Contact, ticket) -> Contact:
    """R3.1: link a contact to the ticket it created or concerns (several contacts per ticket)."""
    permissions.require(actor, "contacts.contact:edit", system=True)
    if contact.customer_id and ticket.customer_id and contact.customer_id != ticket.customer_id:
        raise FieldError(_("The ticket belongs to another customer."), field="ticket", code="invalid")
    contact.tickets.add(ticket)
    if contact.customer_id is None and ticket.customer_id:
        Contact.objects.filter(pk=contact.pk).update(customer_id=ticket.customer_id)
        contact.customer_id = ticket.customer_id
    return contact
