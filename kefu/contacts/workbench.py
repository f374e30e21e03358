"""The agent workbench (R3.2–R3.4) and the recording access log (R3.8): the screen pop pushed when a call rings
at an agent, what the pop shows, the call timer's marks, and the one-step record of a contact with its ticket.
Services and selectors of the workbench, called by its pages, its API and the telephony hook."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import TextChoices
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Team, User
from kefu.complaints.models import Complaint
from kefu.core import clock, permissions, push, tunables
from kefu.core.errors import ConflictError, FieldError, KefuError
from kefu.core.phones import normalise_query
from kefu.customers.models import Customer, CustomerPhone
from kefu.customers.selectors import customer_lookup, customer_queryset_for
from kefu.tickets.models import Dispatch, ServiceCategory, Ticket, TicketKind

from . import selectors, services
from .models import Contact, RecordingAccess, StandardPhrase

PUSH_OFFERED = "contacts.offered"


# --- the screen pop ---------------------------------------------------------------------------------------------

def push_offered(contact: Contact, agent: User | None) -> None:
    """OFFER_LISTENERS (after commit): R3.2 a call rings at an agent's extension, or he typed it in → one outbox
    row for his browser. Only ids travel: the browser fetches the pop with the agent's own rights and masking.
    A call only queued (no agent yet) pops nowhere."""
    if agent is None:
        return
    push.push(user_id=agent.pk, kind=PUSH_OFFERED, payload={
        "contact": contact.pk, "call_id": contact.call_id or "", "offered_at": contact.offered_at.isoformat()})


@dataclass(frozen=True)
class TimerMarks:
    """R3.2: the call timer's marks in seconds — target 3 min, routine maximum 5 min [002], hand over to the
    second line at 8 min [003]."""

    target: int
    routine_max: int
    handover: int

    @property
    def minutes(self) -> tuple[float, float, float]:
        return self.target / 60, self.routine_max / 60, self.handover / 60


def timer_marks() -> TimerMarks:
    return TimerMarks(target=tunables.get("contacts.call_target_minutes") * 60,
                      routine_max=tunables.get("contacts.call_routine_max_minutes") * 60,
                      handover=tunables.get("contacts.call_handover_minutes") * 60)


# The steps shown below the greeting, in the order of a call (R3.3).
PHRASE_STEPS = (StandardPhrase.Step.VERIFICATION, StandardPhrase.Step.HOLD, StandardPhrase.Step.TRANSFER,
                StandardPhrase.Step.COMPLAINT_TRANSFER, StandardPhrase.Step.APOLOGY, StandardPhrase.Step.CLOSING)


@dataclass
class Script:
    """What the agent says (R3.2, R3.3): the greeting with his work number, the phrases of each step, and the
    forbidden phrases as a reminder."""

    greeting: str
    steps: list[tuple[str, list[str]]]
    forbidden: list[str]


def script_for(agent: User) -> Script:
    by_step = selectors.phrases_by_step(agent=agent)
    greeting = by_step[StandardPhrase.Step.GREETING][0] if by_step[StandardPhrase.Step.GREETING] else ""
    steps = [(str(StandardPhrase.Step(step).label), by_step[step]) for step in PHRASE_STEPS if by_step[step]]
    forbidden = list(selectors.forbidden_phrases().values_list("text", flat=True))
    return Script(greeting=greeting, steps=steps, forbidden=forbidden)


@dataclass
class Pop:
    """R3.2: what the workbench shows for a call: the caller's number, the contact (when telephony or a typed-in
    call made one), the matching customers, the chosen customer's card, open tickets (R3.4: with the status
    sentence to read out), recent contacts and complaints."""

    query: str
    number: str
    contact: Contact | None = None
    candidates: list[Customer] = field(default_factory=list)
    customer: Customer | None = None
    open_tickets: list[Ticket] = field(default_factory=list)
    status_sentences: dict[int, str] = field(default_factory=dict)
    recent_contacts: list[Contact] = field(default_factory=list)
    complaints: list[Complaint] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.contact is not None or bool(self.candidates)


def _customers_by_number(user: User, number: str, limit: int) -> list[Customer]:
    ids = list(CustomerPhone.objects.filter(number=number).values_list("customer_id", flat=True).distinct()[:limit])
    return list(customer_queryset_for(user).filter(pk__in=ids).order_by("pk")) if ids else []


def _card(user: User, customer_id: int) -> Customer:
    customer = (customer_queryset_for(user).select_related("kind", "branch")
                .prefetch_related("phones", "contact_persons", "addresses", "devices").filter(pk=customer_id).first())
    if customer is None:
        raise Http404
    return customer


def workbench_pop(user: User, *, contact_id: int | None = None, query: str = "",
                  customer_id: int | None = None) -> Pop:
    """R3.2, R2.2: the screen pop for a contact (telephony offered it at the agent, or he typed it in) or for a
    number the agent typed — a phone number, customer number, merchant number, ticket number or name, as the
    customer search box. Several customers on one number: he picks one (`customer_id`). Everything is limited
    to what the user may see; the card is masked in the template (R2.3)."""
    limit = tunables.get("contacts.workbench_list_limit")
    query = (query or "").strip()
    contact = None
    if contact_id:
        contact = selectors.contact_queryset_for(user).select_related("queue").filter(pk=contact_id).first()
        if contact is None:
            raise Http404
    if contact is not None:
        number = contact.customer_number_side
        pop = Pop(query=query, number=number, contact=contact)  # never echo the unmasked number
        if contact.customer_id and customer_id in (None, contact.customer_id):
            # Telephony matched the caller already: the card is the one candidate (one query fewer).
            pop.customer = _card(user, contact.customer_id)
            pop.candidates = [pop.customer]
        elif contact.customer_id:
            pop.candidates = list(customer_queryset_for(user).filter(pk=contact.customer_id))
        elif number:
            pop.candidates = _customers_by_number(user, number, limit)
    else:
        pop = Pop(query=query, number=(normalise_query(query) or "") if query else "")
        if query:
            pop.candidates = customer_lookup(user, query, limit=limit).customers
    if pop.customer is None:
        chosen = customer_id or (pop.candidates[0].pk if len(pop.candidates) == 1 else None)
        if chosen is not None:
            pop.customer = _card(user, chosen)
    recent = tunables.get("contacts.workbench_recent_contacts")
    contacts = selectors.contact_queryset_for(user).select_related("agent").order_by("-offered_at", "-id")
    if contact is not None:
        contacts = contacts.exclude(pk=contact.pk)
    if pop.customer is not None:
        pop.recent_contacts = list(contacts.filter(customer=pop.customer)[:recent])
        _tickets_and_complaints(user, pop, limit)
    elif pop.number:
        pop.recent_contacts = list(contacts.filter(caller_number=pop.number)[:recent])
    return pop


def _tickets_and_complaints(user: User, pop: Pop, limit: int) -> None:
    from kefu.complaints.selectors import complaint_queryset_for
    from kefu.tickets.selectors import ticket_queryset_for
    from kefu.tickets.services import ticket_status_sentence

    pop.open_tickets = list(ticket_queryset_for(user).filter(customer=pop.customer, state__is_closed=False)
                            .select_related("state", "kind", "team").order_by("-created_at")[:limit])
    # R3.4 [003]: a repeat caller is asked for his ticket number and told where it stands in the standard words.
    pop.status_sentences = {ticket.pk: ticket_status_sentence(ticket) for ticket in pop.open_tickets}
    pop.complaints = list(complaint_queryset_for(user).filter(ticket__customer=pop.customer)
                          .select_related("ticket", "ticket__state").order_by("-created_at")[:limit])


def open_ticket_numbers(user: User, customer: Customer | None) -> list[tuple[str, str]]:
    """(number, title) of the customer's open tickets, offered when the agent adds to one (R3.4)."""
    if customer is None:
        return []
    from kefu.tickets.selectors import ticket_queryset_for

    return list(ticket_queryset_for(user).filter(customer=customer, state__is_closed=False)
                .order_by("-created_at").values_list("number", "title")[:tunables.get("contacts.workbench_list_limit")])


# --- the one-step record ------------------------------------------------------------------------------------------

class Action(TextChoices):
    """What the agent does with the call besides recording it (R3.2 [000][003])."""

    NONE = "none", _("Only record the contact")
    CONSULTATION = "consultation", _("Consultation answered (ticket closed at once)")
    REPAIR = "repair", _("Repair (work order)")
    COMPLAINT = "complaint", _("Complaint (transfer to the complaint desk)")
    TECHNICAL = "technical", _("Technical fault (to tech support)")
    OTHER = "other", _("Other ticket")
    UPDATE = "update", _("Add to an open ticket")


# The ticket kinds (seeded codes, kefu.tickets.workflow.KINDS) of the actions that create a ticket.
ACTION_KINDS = {Action.CONSULTATION: "consultation", Action.REPAIR: "repair", Action.COMPLAINT: "complaint",
                Action.TECHNICAL: "technical_fault"}
OUTCOMES = {Action.CONSULTATION: Contact.Outcome.RESOLVED, Action.REPAIR: Contact.Outcome.TICKET,
            Action.COMPLAINT: Contact.Outcome.TRANSFERRED, Action.TECHNICAL: Contact.Outcome.TRANSFERRED,
            Action.OTHER: Contact.Outcome.TICKET, Action.UPDATE: Contact.Outcome.TICKET}


@dataclass
class RecordResult:
    contact: Contact
    ticket: Ticket | None = None
    complaint: Complaint | None = None
    dispatch: Dispatch | None = None
    needs_work_order: bool = False
    sentence: str = ""  # what the agent says now (the complaint-transfer sentence)


def _summary_text(summary: dict[str, str]) -> str:
    labels = {name: Contact._meta.get_field(name).verbose_name for name in Contact.SUMMARY_FIELDS}
    return "\n".join(f"{labels[name]}: {summary[name]}" for name in Contact.SUMMARY_FIELDS if summary.get(name))


def _kind(code: str) -> TicketKind:
    kind = TicketKind.objects.filter(code=code, is_active=True).select_related("workflow", "default_team").first()
    if kind is None:
        raise FieldError(_("The ticket kind “%(kind)s” is missing or inactive; ask the administrator."),
                         field="action", code="configuration", kind=code)
    return kind


def _tech_support_team(kind: TicketKind, category: ServiceCategory | None) -> Team:
    """R3.2 [000], R4.4: a technical fault goes to tech support — the second-line team of its service category,
    else the kind's team, else the first active second-line team."""
    team = (category.team if category is not None and category.team_id and category.team.is_active else None)
    team = team or (kind.default_team if kind.default_team_id and kind.default_team.is_active else None)
    team = team or Team.objects.filter(kind=Team.Kind.SECOND_LINE, is_active=True).order_by("code").first()
    if team is None:
        raise FieldError(_("No tech-support team is configured; ask the administrator."), field="action",
                         code="configuration")
    return team


@transaction.atomic
def workbench_record(*, actor: User, action: str, summary: dict[str, str], contact: Contact | None = None,
                     number: str = "", customer: Customer | None = None, started_at: datetime | None = None,
                     outcome: str = "", title: str = "", resolution: str = "", kind: TicketKind | None = None,
                     category: ServiceCategory | None = None, ticket: Ticket | None = None,
                     note: str = "") -> RecordResult:
    """R3.1, R3.2 [000][003]: record the contact (5W1H summary, outcome, customer) and what follows from it, in
    one transaction — all of it or nothing:

    - consultation: a consultation ticket closed at once with how it was answered;
    - repair: a repair ticket; the agent goes on to re-verify the customer's details for the work order (R4.3);
    - complaint: transferred to the complaint desk with the standard sentence (R5.1 [003] 第八条);
    - technical: a technical-fault ticket dispatched to tech support (终端服务部技术支持岗, R4.4);
    - other: a ticket of the chosen kind; update: a note on an open ticket the caller asks about (R3.4).

    `contact` is the one the pop showed (telephony or typed in); without it a contact is created for the typed
    number, from `started_at` (when the agent looked it up) to now.
    """
    permissions.require(actor, "contacts.workbench:use", system=True)
    if action not in Action.values:
        raise FieldError(_("Choose what to do with the call."), field="action", code="invalid_choice")
    unknown = set(summary) - set(Contact.SUMMARY_FIELDS)
    if unknown:
        raise FieldError(_("Unknown field."), field=sorted(unknown)[0], code="invalid")
    summary = {name: (value or "").strip() for name, value in summary.items()}
    if not summary.get("summary_what"):
        raise FieldError(_("Say what the caller wanted (what)."), field="summary_what", code="required")
    if contact is not None:
        # Locked and read again: a second click on "record" waits, then finds the contact recorded.
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact is not None and contact.outcome:
        raise ConflictError(_("This contact is already recorded; change it on its own page."), field="contact",
                            code="already_recorded")
    phone = normalise_query(number) if number else None
    if contact is None and not phone and customer is None:
        raise FieldError(_("Type the caller's phone number or choose the customer."), field="number",
                         code="required")
    if action == Action.NONE:
        outcome = outcome or Contact.Outcome.RESOLVED
        if outcome not in Contact.Outcome.values or outcome in (Contact.Outcome.NONE, Contact.Outcome.TICKET):
            raise FieldError(_("Choose the outcome of the call."), field="outcome", code="invalid_choice")
    else:
        outcome = OUTCOMES[Action(action)]
    if action == Action.OTHER and kind is None:
        raise FieldError(_("Choose the kind of ticket."), field="kind", code="required")
    if action == Action.UPDATE:
        if ticket is None:
            raise FieldError(_("Give the number of the caller's open ticket."), field="ticket", code="required")
        if ticket.state.is_closed:
            raise FieldError(_("Ticket %(number)s is closed."), field="ticket", code="closed", number=ticket.number)
    if customer is None and contact is not None:
        customer = contact.customer
    if phone is None and contact is not None and contact.customer_number_side:
        phone = normalise_query(contact.customer_number_side)
    now = clock.now()
    if contact is None:
        started_at = started_at or now
        if started_at > now + timedelta(minutes=1) or started_at < now - timedelta(days=1):
            raise FieldError(_("The call's start time is not plausible."), field="started_at", code="invalid")
        contact = services.contact_create(actor=actor, channel=Contact.Channel.INBOUND_CALL, offered_at=started_at,
                                          answered_at=started_at, ended_at=now, caller_number=phone or "",
                                          customer=customer, outcome=outcome, **summary)
    else:
        changes: dict[str, Any] = {**summary, "outcome": outcome}
        if customer is not None and customer.pk != contact.customer_id:
            changes["customer"] = customer
        services.contact_update(actor=actor, contact=contact, changes=changes)
    result = RecordResult(contact=contact)
    if action == Action.NONE:
        return result
    description = _summary_text(summary)
    if action == Action.UPDATE:
        from kefu.tickets.services import ticket_add_entry

        ticket_add_entry(actor=actor, ticket=ticket, kind="note", body=(note or "").strip() or description)
        result.ticket = ticket
    else:
        title = ((title or "").strip() or summary["summary_what"].splitlines()[0])[:200]
        kind = kind if action == Action.OTHER else _kind(ACTION_KINDS[Action(action)])
        if kind.code == ACTION_KINDS[Action.COMPLAINT]:
            _complaint(actor, result, title=title, customer=customer, description=description, summary=summary,
                       phone=phone)
        else:
            _ticket(actor, result, action=action, kind=kind, title=title, customer=customer, description=description,
                    summary=summary, phone=phone, resolution=resolution, category=category)
    services.contact_link_ticket(actor=actor, contact=contact, ticket=result.ticket)
    return result


def _complaint(actor: User, result: RecordResult, *, title: str, customer: Customer | None, description: str,
               summary: dict[str, str], phone: str | None) -> None:
    from kefu.complaints.services import complaint_create

    complaint = complaint_create(actor=actor, subject=title, customer=customer, channel=Ticket.Channel.PHONE,
                                 details=description, complainant_name=summary.get("summary_who", "")[:100],
                                 complainant_phone=phone or "")
    result.complaint, result.ticket = complaint, complaint.ticket
    result.sentence = complaint.transfer_phrase


def _ticket(actor: User, result: RecordResult, *, action: str, kind: TicketKind, title: str,
            customer: Customer | None, description: str, summary: dict[str, str], phone: str | None,
            resolution: str, category: ServiceCategory | None) -> None:
    from kefu.tickets.services import ticket_create, ticket_dispatch

    quick = action == Action.CONSULTATION
    team = _tech_support_team(kind, category) if action == Action.TECHNICAL else None
    ticket = ticket_create(actor=actor, kind=kind, title=title, customer=customer, description=description,
                           category=category, channel=Ticket.Channel.PHONE, location=summary.get("summary_where",
                                                                                                 "")[:255],
                           reporter_name=summary.get("summary_who", "")[:100], reporter_phone=phone or "",
                           team=team, close_at_once=quick,
                           resolution=((resolution or "").strip() or summary.get("summary_how", "")) if quick else "")
    if team is not None:
        result.dispatch = ticket_dispatch(actor=actor, ticket=ticket, version=ticket.version, team=team,
                                          note=str(_("From the workbench: technical fault for tech support.")))
        ticket.refresh_from_db()
    result.ticket = ticket
    result.needs_work_order = bool(kind.work_order_kind)


# --- recordings (R3.8) -------------------------------------------------------------------------------------------

@transaction.atomic
def recording_open(*, actor: User, contact: Contact, ip_address: str | None = None, user_agent: str = "",
                   via: str = "web") -> RecordingAccess:
    """R3.8 [000]: supervisors and QA inspectors play recordings back in the browser, with every opening logged
    (who, when, which contact, from where) before the link is handed out."""
    if not permissions.has_permission(actor, "contacts.recording:listen"):
        raise KefuError(_("You may not do this."), code="permission_denied", status=403)
    url = (contact.recording_url or "").strip()
    if not url.lower().startswith(("http://", "https://")):
        raise KefuError(_("This contact has no recording."), code="no_recording", status=404)
    return RecordingAccess.objects.create(user=actor, contact=contact, recording_url=url[:500],
                                          ip_address=ip_address or None, user_agent=(user_agent or "")[:255],
                                          via=via if via in ("web", "api") else "web")


def recording_access_list_for(user: User, *, contact_id: int | None = None, username: str = ""):
    """R3.8: the log of recording openings, newest first, for holders of contacts.recording_log:view."""
    if not permissions.has_permission(user, "contacts.recording_log:view"):
        return RecordingAccess.objects.none()
    queryset = RecordingAccess.objects.select_related("user", "contact").order_by("-opened_at", "-id")
    if contact_id:
        queryset = queryset.filter(contact_id=contact_id)
    if username:
        queryset = queryset.filter(user__username=username.strip())
    return queryset
