"""Writes of tickets (SPEC §4). Every change goes through here: role check, optimistic lock on `version`,
one TicketEvent per change, side effects queued on commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Role, Team, User
from kefu.core import clock, permissions
from kefu.core.errors import ConflictError, FieldError, KefuError
from kefu.customers.models import Customer

from . import config
from . import workflow as defaults
from .models import (
    Dispatch,
    Notification,
    Priority,
    ServiceCategory,
    StatusSentence,
    Ticket,
    TicketCounter,
    TicketEntry,
    TicketEvent,
    TicketKind,
    Workflow,
    WorkflowState,
    WorkflowTransition,
)


def tickets_seed_defaults() -> None:
    """R4.1/R4.2: seed workflows, kinds, priorities, categories and status sentences; never overwrite edits."""
    with translation.override("zh-hans"), transaction.atomic():
        for code, name, transitions in (("default", _("Standard workflow"), defaults.TRANSITIONS),
                                        ("quick", _("Closable at once"), defaults.QUICK_TRANSITIONS)):
            flow, created = Workflow.objects.get_or_create(code=code, defaults={"name": str(name)})
            if not created:
                continue
            states = {}
            for order, (s_code, s_name, initial, resolved, closed, pauses) in enumerate(defaults.STATES):
                states[s_code] = WorkflowState.objects.create(
                    workflow=flow, code=s_code, name=str(s_name), is_initial=initial, is_resolved=resolved,
                    is_closed=closed, pauses_clock=pauses, order=order)
            for t_code, t_name, source, target, roles, reason, effects in transitions:
                transition = WorkflowTransition.objects.create(
                    workflow=flow, code=t_code, name=str(t_name), from_state=states[source],
                    to_state=states[target], requires_reason=reason, effects=list(effects))
                if roles:
                    transition.roles.set(Role.objects.filter(code__in=roles))
        flows = {w.code: w for w in Workflow.objects.all()}
        teams = {t.code: t for t in Team.objects.all()}
        for code, name, flow, quick, work_order, team in defaults.KINDS:
            TicketKind.objects.get_or_create(code=code, defaults={
                "name": str(name), "workflow": flows[flow], "closable_at_once": quick, "work_order_kind": work_order,
                "default_team": teams.get(team) if team else None})
        for code, name, rank, is_default in defaults.PRIORITIES:
            Priority.objects.get_or_create(code=code, defaults={"name": str(name), "rank": rank,
                                                                "is_default": is_default})
        for code, name in defaults.CATEGORIES:
            ServiceCategory.objects.get_or_create(code=code, defaults={"name": str(name)})
        for code, text in defaults.SENTENCES:
            StatusSentence.objects.get_or_create(code=code, defaults={"text": text})


def next_ticket_number() -> str:
    """R4.6: KF + local date + a per-day counter, e.g. KF20260213-000123.

    The counter row is incremented (UPDATE … RETURNING, one statement) inside the caller's transaction, so
    concurrent creators queue on the row lock and never read the same value, and a rolled-back creation gives
    its number back; the unique constraint on Ticket.number backs it.
    """
    day = clock.today()
    table = connection.ops.quote_name(TicketCounter._meta.db_table)
    sql = f'UPDATE {table} SET "value" = "value" + 1 WHERE "day" = %s RETURNING "value"'
    for _attempt in range(3):
        with connection.cursor() as cursor:
            cursor.execute(sql, [connection.ops.adapt_datefield_value(day)])
            row = cursor.fetchone()
        if row is not None:
            return f"KF{day:%Y%m%d}-{row[0]:06d}"
        try:
            with transaction.atomic():
                TicketCounter.objects.create(day=day, value=1)
            return f"KF{day:%Y%m%d}-{1:06d}"
        except IntegrityError:
            continue  # another creator made today's row first: increment it
    raise KefuError(_("No ticket number could be drawn; try again."), code="numbering", status=503)


def _event(ticket: Ticket, actor: User | None, action: str, field: str = "", old: Any = "", new: Any = "",
           reason: str = "") -> TicketEvent:
    return TicketEvent.objects.create(ticket=ticket, actor=actor, action=action, field=field,
                                      old="" if old is None else str(old), new="" if new is None else str(new),
                                      reason=reason)


def _notify(user: User | None, ticket: Ticket, message: str) -> None:
    if user is None:
        return
    Notification.objects.create(user=user, ticket=ticket, message=message[:255])
    if user.email:
        from .tasks import send_notification_email

        transaction.on_commit(lambda: send_notification_email.enqueue(user_id=user.pk, subject=message[:120],
                                                                      body=message))


@transaction.atomic
def ticket_create(
    *,
    actor: User,
    kind: TicketKind,
    title: str,
    customer: Customer | None = None,
    description: str = "",
    category: ServiceCategory | None = None,
    priority: Priority | None = None,
    team: Team | None = None,
    assignee: User | None = None,
    channel: str = Ticket.Channel.PHONE,
    occurred_at=None,
    location: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    close_at_once: bool = False,
    resolution: str = "",
    received_at=None,
) -> Ticket:
    """Create a ticket in its workflow's initial state (R4.1, R4.6) and start its clocks (R11.2).

    R4.5 [002]: a case not closed at once carries the answer deadline (the case-answer SLA policy, 3 days by
    default); a fax starts its 2-hour reply clock at the time it was received (R3.5). A consultation may be
    closed at once with how it was solved.

    The returned ticket carries `started_clocks`, the SLA clocks it started (an empty list when closed at once).
    """
    permissions.require(actor, "tickets.ticket:create")
    title = (title or "").strip()
    if not title:
        raise FieldError(_("The title is required."), field="title", code="required")
    if not kind.is_active:
        raise FieldError(_("This ticket kind is no longer in use."), field="kind", code="invalid_choice")
    configured = config.tickets()  # workflows and priorities from this process's copy (kefu.tickets.config)
    initial = configured.initial_states.get(kind.workflow_id)
    if initial is None:
        raise FieldError(_("The workflow of this kind has no initial state."), field="kind", code="invalid")
    closed = None
    if close_at_once:
        if not kind.closable_at_once:
            raise FieldError(_("Tickets of this kind cannot be closed at once."), field="close_at_once",
                             code="invalid")
        resolution = resolution.strip()
        if not resolution:
            raise FieldError(_("Say how it was solved."), field="resolution", code="required")
        closed = configured.closed_states.get(kind.workflow_id)
        if closed is None:
            raise FieldError(_("The workflow of this kind has no closed state."), field="close_at_once",
                             code="invalid")
    if reporter_phone:
        from kefu.core.phones import parse_phone

        reporter_phone = parse_phone(reporter_phone, field="reporter_phone").number
    now = clock.now()
    ticket = Ticket(
        kind=kind, title=title[:200], customer=customer, description=description, category=category,
        priority=priority or configured.default_priority, state=closed or initial, channel=channel,
        assignee=assignee, created_by=actor, occurred_at=occurred_at, location=location,
        reporter_name=reporter_name, reporter_phone=reporter_phone, received_at=received_at or now)
    if team is not None:
        ticket.team = team
    else:
        ticket.team_id = kind.default_team_id
    clocks = []
    if closed is not None:
        # Closed at once: created, then moved to the closed state, in one write (version 2, two events).
        ticket.resolved_at = ticket.closed_at = now
        ticket.resolution = resolution
        ticket.version = 2
    else:
        from kefu.sla.services import clocks_for_new_ticket

        # The deadlines depend only on the kind, the channel and the time received, so the ticket is written
        # once, with its answer deadline, instead of being updated after its clocks.
        clocks = clocks_for_new_ticket(kind_id=kind.pk, channel=channel, start=ticket.received_at)
        if clocks:
            ticket.answer_due_at = min(c.deadline for c in clocks)
    # Everything is checked and computed before the number is drawn: the day's counter row stays locked only
    # for the inserts below and the commit (one INSERT of the ticket with its number, rather than a placeholder
    # number rewritten afterwards, which would rewrite the row and every index of the ticket table).
    ticket.number = next_ticket_number()
    ticket.save(force_insert=True)
    events = [TicketEvent(ticket=ticket, actor=actor, action="created", field="state", new=initial.name)]
    if closed is not None:
        events.append(TicketEvent(ticket=ticket, actor=actor, action="transition", field="state", old=initial.name,
                                  new=closed.name, reason=resolution))
    TicketEvent.objects.bulk_create(events)
    if clocks:
        from kefu.sla.models import SlaClock

        for sla_clock in clocks:
            sla_clock.ticket = ticket
        SlaClock.objects.bulk_create(clocks)
    ticket.started_clocks = clocks
    if assignee is not None:
        _notify(assignee, ticket, str(_("Ticket %(number)s is assigned to you: %(title)s")
                                      % {"number": ticket.number, "title": ticket.title}))
    return ticket


def _save_versioned(ticket: Ticket, version: int, **fields: Any) -> Ticket:
    """Optimistic lock: the change applies only to the version the user saw; otherwise 409."""
    updated = Ticket.objects.filter(pk=ticket.pk, version=version).update(
        version=F("version") + 1, updated_at=clock.now(), **fields)
    if not updated:
        raise ConflictError(_("This ticket was changed by someone else; reload it and try again."),
                            code="version_conflict", field="version")
    ticket.refresh_from_db()
    return ticket


UPDATABLE = ("title", "description", "category", "priority", "team", "assignee", "customer", "occurred_at",
             "location", "reporter_name", "reporter_phone")


@transaction.atomic
def ticket_update(*, actor: User, ticket: Ticket, version: int, changes: dict[str, Any], reason: str = "") -> Ticket:
    """Change fields of a ticket; one event per changed field with before and after (R4.2)."""
    permissions.require(actor, "tickets.ticket:change")
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise FieldError(_("This field cannot be changed here."), field=sorted(unknown)[0], code="invalid")
    if "title" in changes and not (changes["title"] or "").strip():
        raise FieldError(_("The title is required."), field="title", code="required")
    if changes.get("reporter_phone"):
        from kefu.core.phones import parse_phone

        changes["reporter_phone"] = parse_phone(changes["reporter_phone"], field="reporter_phone").number
    diff = {name: value for name, value in changes.items() if getattr(ticket, name) != value}
    if not diff:
        if ticket.version != version:
            raise ConflictError(_("This ticket was changed by someone else; reload it and try again."),
                                code="version_conflict", field="version")
        return ticket
    before = {name: getattr(ticket, name) for name in diff}
    ticket = _save_versioned(ticket, version, **diff)
    for name, old in before.items():
        _event(ticket, actor, "changed", name, old, getattr(ticket, name), reason)
    if "assignee" in diff and ticket.assignee is not None:
        _notify(ticket.assignee, ticket, str(_("Ticket %(number)s is assigned to you: %(title)s")
                                             % {"number": ticket.number, "title": ticket.title}))
    return ticket


def available_transitions(actor: User, ticket: Ticket) -> list[WorkflowTransition]:
    """The transitions this user may fire from the ticket's current state (shown as buttons)."""
    if not permissions.has_permission(actor, "tickets.ticket:transition") or permissions.user_is_read_only(actor):
        return []
    role_ids = set(actor.roles.values_list("id", flat=True))
    result = []
    for transition in ticket.state.outgoing.prefetch_related("roles").select_related("to_state"):
        allowed = {role.id for role in transition.roles.all()}
        if not allowed or allowed & role_ids:
            result.append(transition)
    return result


# Rules other apps add to every transition (R4.2), called with (actor, ticket, target state) before the change:
# e.g. a complaint is solved or closed only after its investigation and telling the customer (R5.3), whichever
# page or API fires the transition. A guard refuses by raising a KefuError.
TRANSITION_GUARDS: list[Callable[[User, Ticket, WorkflowState], None]] = []


@transaction.atomic
def ticket_transition(*, actor: User, ticket: Ticket, transition: str, version: int, reason: str = "") -> Ticket:
    """R4.2: fire a transition allowed for the user's role from the ticket's state; reason where required."""
    permissions.require(actor, "tickets.ticket:transition")
    candidates = [t for t in ticket.state.outgoing.select_related("to_state") if t.code == transition]
    if not candidates:
        raise FieldError(_("“%(transition)s” is not possible from the state “%(state)s”."), field="transition",
                         code="invalid_transition", transition=transition, state=ticket.state.name)
    chosen = next((t for t in available_transitions(actor, ticket) if t.code == transition), None)
    if chosen is None:
        raise KefuError(_("Your role may not do “%(transition)s” on this ticket."), code="permission_denied",
                        status=403, transition=candidates[0].name)
    reason = (reason or "").strip()
    if chosen.requires_reason and not reason:
        raise FieldError(_("A reason is required for “%(transition)s”."), field="reason", code="required",
                         transition=chosen.name)
    old_state = ticket.state
    target = chosen.to_state
    for guard in TRANSITION_GUARDS:
        guard(actor, ticket, target)
    now = clock.now()
    fields: dict[str, Any] = {"state": target}
    if target.is_resolved and not old_state.is_resolved:
        fields.update(resolved_at=now, resolution=reason or ticket.resolution)
    if not target.is_resolved:
        fields.update(resolved_at=None, closed_at=None)
    if target.is_closed:
        fields["closed_at"] = now
    ticket = _save_versioned(ticket, version, **fields)
    _event(ticket, actor, "transition", "state", old_state.name, target.name, reason)
    from kefu.sla.services import on_ticket_state

    on_ticket_state(ticket, at=now)
    ticket.refresh_from_db()
    if "notify" in chosen.effects:
        for user in {ticket.assignee, ticket.created_by} - {actor, None}:
            _notify(user, ticket, str(_("Ticket %(number)s: %(from)s → %(to)s")
                                      % {"number": ticket.number, "from": old_state.name, "to": target.name}))
    return ticket


@transaction.atomic
def ticket_dispatch(*, actor: User, ticket: Ticket, version: int, team: Team, assignee: User | None = None,
                    phoned: bool = False, phoned_person: str = "", note: str = "") -> Dispatch:
    """R4.4 [003]: hand the ticket to a second-line, branch field or third-party team; the assignee is notified
    in the system (and by e-mail when he has an address) and the dispatch records that he was also phoned."""
    permissions.require(actor, "tickets.ticket:dispatch")
    if not team.is_active:
        raise FieldError(_("This team is not active."), field="team", code="invalid")
    if assignee is not None and not assignee.teams.filter(pk=team.pk).exists():
        raise FieldError(_("%(person)s is not a member of %(team)s."), field="assignee", code="invalid",
                         person=str(assignee), team=team.name)
    if phoned and not phoned_person.strip():
        raise FieldError(_("Say whom you phoned."), field="phoned_person", code="required")
    before_team, before_assignee = ticket.team, ticket.assignee
    ticket = _save_versioned(ticket, version, team=team, assignee=assignee)
    dispatch = Dispatch.objects.create(ticket=ticket, team=team, assignee=assignee, dispatched_by=actor,
                                       phoned=phoned, phoned_at=clock.now() if phoned else None,
                                       phoned_person=phoned_person.strip(), note=note.strip())
    _event(ticket, actor, "dispatched", "team", before_team, team, note.strip())
    if before_assignee != assignee:
        _event(ticket, actor, "dispatched", "assignee", before_assignee, assignee)
    message = str(_("Ticket %(number)s was dispatched to %(team)s: %(title)s")
                  % {"number": ticket.number, "team": team.name, "title": ticket.title})
    recipients = [assignee] if assignee else list(team.members.filter(is_active=True))
    for user in recipients:
        _notify(user, ticket, message)
    return dispatch


@transaction.atomic
def ticket_add_entry(*, actor: User, ticket: Ticket, kind: str, body: str) -> TicketEntry:
    """R4.7: an internal note or a reply to the customer — never mixed up."""
    permissions.require(actor, "tickets.ticket:change")
    if kind not in TicketEntry.Kind.values:
        raise FieldError(_("Unknown entry kind."), field="kind", code="invalid_choice")
    body = (body or "").strip()
    if not body:
        raise FieldError(_("The text is required."), field="body", code="required")
    entry = TicketEntry.objects.create(ticket=ticket, kind=kind, author=actor, body=body)
    _event(ticket, actor, "reply" if kind == TicketEntry.Kind.REPLY else "note")
    if kind == TicketEntry.Kind.REPLY:
        from kefu.sla.services import on_ticket_reply

        on_ticket_reply(ticket)
    return entry


def ticket_status_sentence(ticket: Ticket) -> str:
    """R3.4 [003]: the standard answer to a status inquiry — solved (when, how) or open (expected time)."""
    sentences = dict(StatusSentence.objects.values_list("code", "text"))

    def when(value) -> str:
        from django.utils import timezone

        return formats.date_format(timezone.localtime(value), "Y年n月j日 H:i") if value else ""

    values = {"number": ticket.number, "state": ticket.state.name, "resolution": ticket.resolution or "—",
              "resolved_at": when(ticket.resolved_at), "expected_at": when(ticket.answer_due_at)}
    if ticket.state.is_resolved:
        code = "solved"
    else:
        code = "open" if ticket.answer_due_at else "open_no_date"
    return sentences.get(code, "").format(**values)


@transaction.atomic
def ticket_bulk_assign(*, actor: User, tickets: list[Ticket], assignee: User | None, team: Team | None = None,
                       reason: str = "") -> int:
    """Assign many tickets at once (a shift lead spreading the queue); each change is in its ticket's history."""
    permissions.require(actor, "tickets.ticket:change")
    changed = 0
    for ticket in tickets:
        changes: dict[str, Any] = {"assignee": assignee}
        if team is not None:
            changes["team"] = team
        before = ticket.version
        ticket = ticket_update(actor=actor, ticket=ticket, version=ticket.version, changes=changes, reason=reason)
        changed += ticket.version != before
    return changed


def saved_view_save(*, user: User, name: str, query: str):
    """Keep a user's ticket-list filter under a name (replacing one of the same name)."""
    from urllib.parse import parse_qsl, urlencode

    from .models import SavedView
    from .selectors import FILTERS

    name = (name or "").strip()
    if not name:
        raise FieldError(_("Give the view a name."), field="name", code="required")
    clean = urlencode([(k, v) for k, v in parse_qsl(query or "") if k in FILTERS and v])
    view, _created = SavedView.objects.update_or_create(user=user, name=name[:50], defaults={"query": clean[:500]})
    return view
