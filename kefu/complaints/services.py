"""Writes of complaints (SPEC §5, seed [003] 第八条, [000]). Every change goes through here, from the pages, the
API and the periodic work: role check, the ticket's optimistic lock and history, the SLA clocks."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Team, User
from kefu.core import clock, permissions, tunables
from kefu.core.errors import FieldError, KefuError
from kefu.customers.models import Customer
from kefu.sla.models import ClockExtension, SlaClock
from kefu.tickets.models import Notification, Ticket, TicketEntry, TicketEvent, TicketKind

from .models import AppraisalDeduction, Complaint, FollowUpCallback, Investigation

tunables.register(tunables.Tunable(
    "complaints.verified_deduction_points", 1.0, float, _("Points deducted for a verified complaint against staff"),
    help_text=_("R5.3, R8.4 [003] 第十七条: the default when the complaint handler gives no number."),
    source="R8.4 [003]", minimum=0.01))

# R5.1 [003] 第八条 1): the fallback when the standard phrase table has no complaint-transfer sentence.
DEFAULT_TRANSFER_PHRASE = "我们有专门的投诉处理人员,我现在帮您转接。"
COMPLAINT_KIND = "complaint"
RESOLUTION_POLICY = "complaint_resolution"
FOLLOW_UP_POLICY = "complaint_follow_up"
# Contact channels in which an agent speaks to the complainant and transfers him with the sentence.
SPOKEN_CHANNELS = (Ticket.Channel.PHONE, Ticket.Channel.WALK_IN)


def _event(ticket: Ticket, actor: User | None, action: str, field: str = "", old: Any = "", new: Any = "",
           reason: str = "") -> None:
    TicketEvent.objects.create(ticket=ticket, actor=actor, action=action, field=field, old=str(old or ""),
                               new=str(new or ""), reason=reason[:2000])


def complaint_transfer_phrase(agent: User | None = None) -> str:
    """R5.1 [003]: the sentence the agent says when he transfers a complaint, from the standard phrases
    (step "complaint_transfer", edited by supervisors), with his work number filled in."""
    from kefu.contacts.models import StandardPhrase
    from kefu.contacts.services import phrase_render

    phrase = (StandardPhrase.objects.filter(step=StandardPhrase.Step.COMPLAINT_TRANSFER, is_active=True)
              .order_by("order", "id").values_list("text", flat=True).first())
    return phrase_render(phrase or DEFAULT_TRANSFER_PHRASE, agent=agent)


def _complaint_desk(kind: TicketKind) -> Team | None:
    if kind.default_team_id:
        return kind.default_team
    return Team.objects.filter(kind=Team.Kind.COMPLAINT_DESK, is_active=True).order_by("code").first()


def _open_investigation(actor: User, complaint: Complaint, person: User) -> Investigation:
    investigation = Investigation.objects.create(complaint=complaint, person=person, opened_at=clock.now(),
                                                 opened_by=actor)
    _event(complaint.ticket, actor, "investigation_opened", "against_staff", "", person)
    return investigation


@transaction.atomic
def complaint_create(*, actor: User, subject: str, customer: Customer | None = None,
                     channel: str = Ticket.Channel.PHONE, details: str = "", complainant_name: str = "",
                     complainant_phone: str = "", against_staff: User | None = None,
                     received_at: datetime | None = None) -> Complaint:
    """R5.1 [003][001]: a complaint reaching any agent is transferred to the complaint desk with the standard
    sentence; one arriving by e-mail or web is registered the same way. It becomes a ticket of kind complaint
    handled by the complaint desk, whose 3-working-day clock starts (R5.2). A complaint against a staff member
    opens an investigation (R5.3)."""
    permissions.require(actor, "complaints.complaint:create")
    subject = (subject or "").strip()
    if not subject:
        raise FieldError(_("Say what the complaint is about."), field="subject", code="required")
    if channel not in Ticket.Channel.values:
        raise FieldError(_("Unknown channel."), field="channel", code="invalid_choice")
    kind = TicketKind.objects.filter(code=COMPLAINT_KIND, is_active=True).select_related("default_team").first()
    if kind is None:
        raise KefuError(_("The ticket kind “complaint” is missing or inactive."), code="configuration")
    from kefu.tickets.services import ticket_create

    ticket = ticket_create(actor=actor, kind=kind, title=subject, customer=customer, description=details.strip(),
                           channel=channel, team=_complaint_desk(kind), reporter_name=complainant_name.strip(),
                           reporter_phone=complainant_phone, received_at=received_at)
    handler = permissions.has_permission(actor, "complaints.complaint:handle")
    now = clock.now()
    complaint = Complaint.objects.create(
        ticket=ticket, channel=channel, complainant_name=complainant_name.strip()[:100],
        complainant_phone=ticket.reporter_phone, subject=subject[:200], details=details.strip(),
        against_staff=against_staff, transferred_by=None if handler else actor,
        transfer_phrase=complaint_transfer_phrase(actor) if channel in SPOKEN_CHANNELS and not handler else "",
        recorded_by=actor if handler and details.strip() else None,
        recorded_at=now if handler and details.strip() else None)
    _event(ticket, actor, "complaint_registered", "channel", "", complaint.get_channel_display(),
           complaint.transfer_phrase)
    if against_staff is not None:
        _open_investigation(actor, complaint, against_staff)
    if ticket.team_id:
        message = str(_("Complaint %(number)s was transferred to the complaint desk: %(subject)s")
                      % {"number": ticket.number, "subject": subject})[:255]
        Notification.objects.bulk_create(
            [Notification(user=u, ticket=ticket, message=message)
             for u in ticket.team.members.filter(is_active=True).exclude(pk=actor.pk)])
    return complaint


@transaction.atomic
def complaint_record(*, actor: User, complaint: Complaint, version: int, details: str, subject: str = "",
                     against_staff: User | None = None) -> Complaint:
    """R5.1 [003] 第八条 2): the complaint handler records the complaint precisely (in the ticket's history,
    under its optimistic lock); naming a staff member opens the investigation (R5.3)."""
    permissions.require(actor, "complaints.complaint:handle")
    details = (details or "").strip()
    if not details:
        raise FieldError(_("Record the complaint precisely."), field="details", code="required")
    from kefu.tickets.services import ticket_update

    changes: dict[str, Any] = {"description": details}
    if subject.strip():
        changes["title"] = subject.strip()[:200]
    ticket_update(actor=actor, ticket=complaint.ticket, version=version, changes=changes,
                  reason=str(_("precise record by the complaint desk")))
    complaint.details, complaint.recorded_by, complaint.recorded_at = details, actor, clock.now()
    fields = ["details", "recorded_by", "recorded_at"]
    if subject.strip():
        complaint.subject = subject.strip()[:200]
        fields.append("subject")
    if against_staff is not None and complaint.against_staff_id != against_staff.pk:
        if hasattr(complaint, "investigation"):
            raise FieldError(_("An investigation of another staff member is already open."),
                             field="against_staff", code="invalid")
        complaint.against_staff = against_staff
        fields.append("against_staff")
        complaint.save(update_fields=fields)
        _open_investigation(actor, complaint, against_staff)
    else:
        complaint.save(update_fields=fields)
    return complaint


def resolution_clock(complaint: Complaint) -> SlaClock | None:
    """The complaint's 3-working-day clock (R5.2), if it runs."""
    return (complaint.ticket.clocks.filter(policy__code=RESOLUTION_POLICY).exclude(state=SlaClock.State.STOPPED)
            .select_related("policy").first())


def complaint_extend(*, actor: User, complaint: Complaint, new_deadline: datetime, consent_by: str,
                     consent_at: datetime, reason: str) -> ClockExtension:
    """R5.2 [003] 第八条 3): a general complaint is solved within 3 working days; an extension needs the
    customer's consent, recorded with who agreed and when (the SLA clock's extension)."""
    permissions.require(actor, "complaints.complaint:handle")
    sla_clock = resolution_clock(complaint)
    if sla_clock is None:
        raise KefuError(_("This complaint has no running deadline to extend."), code="clock_stopped")
    from kefu.sla.services import clock_extend

    return clock_extend(actor=actor, sla_clock=sla_clock, new_deadline=new_deadline, consent_by=consent_by,
                        consent_at=consent_at, reason=reason)


def _month(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


@transaction.atomic
def investigation_conclude(*, actor: User, complaint: Complaint, finding: str, evidence: str, decision: str,
                           points: Decimal | None = None) -> Investigation:
    """R5.3 [003] 第八条 4), 第十七条: the investigation ends verified or not verified, with evidence and a
    decision; a verified complaint becomes an appraisal deduction of the staff member for this month (R8.4)."""
    permissions.require(actor, "complaints.complaint:handle")
    investigation = Investigation.objects.select_for_update().filter(complaint=complaint).first()
    if investigation is None:
        raise KefuError(_("This complaint is not against a staff member."), code="no_investigation")
    if investigation.finding != Investigation.Finding.PENDING:
        raise KefuError(_("The investigation is already concluded."), code="already_concluded", status=409)
    if investigation.person_id == actor.pk:
        raise KefuError(_("Nobody investigates a complaint against himself."), code="permission_denied",
                        status=403)
    if finding not in (Investigation.Finding.VERIFIED, Investigation.Finding.NOT_VERIFIED):
        raise FieldError(_("The finding is verified or not verified."), field="finding", code="invalid_choice")
    evidence, decision = (evidence or "").strip(), (decision or "").strip()
    if not evidence:
        raise FieldError(_("Record the evidence."), field="evidence", code="required")
    if not decision:
        raise FieldError(_("Record the decision."), field="decision", code="required")
    if points is None:
        points = Decimal(str(tunables.get("complaints.verified_deduction_points")))
    if finding == Investigation.Finding.VERIFIED and points <= 0:
        raise FieldError(_("The deduction must be more than zero points."), field="points", code="invalid")
    now = clock.now()
    investigation.finding, investigation.evidence, investigation.decision = finding, evidence, decision
    investigation.concluded_at, investigation.concluded_by = now, actor
    investigation.save(update_fields=["finding", "evidence", "decision", "concluded_at", "concluded_by"])
    _event(complaint.ticket, actor, "investigation_concluded", "finding", Investigation.Finding.PENDING.label,
           investigation.get_finding_display(), decision)
    if finding == Investigation.Finding.VERIFIED:
        AppraisalDeduction.objects.create(
            person=investigation.person, points=points, month=_month(now), source_complaint=complaint,
            created_by=actor,
            reason=str(_("Verified complaint %(number)s: %(decision)s")
                       % {"number": complaint.ticket.number, "decision": decision}))
        Notification.objects.create(user=investigation.person, ticket=None, message=str(
            _("A complaint against you (%(number)s) was verified; see your appraisal.")
            % {"number": complaint.ticket.number})[:255])
    return investigation


@transaction.atomic
def complaint_inform(*, actor: User, complaint: Complaint, message: str) -> TicketEntry:
    """R5.3 [003] 第八条 4)–5): the result is always told to the customer. Recorded as a reply on the ticket
    and as an outbound contact (kefu.contacts) linked to the ticket when the handler may record contacts."""
    permissions.require(actor, "complaints.complaint:handle")
    message = (message or "").strip()
    if not message:
        raise FieldError(_("Say what the customer was told."), field="message", code="required")
    investigation = Investigation.objects.filter(complaint=complaint).first()
    if investigation is not None and investigation.finding == Investigation.Finding.PENDING:
        raise KefuError(_("Conclude the investigation before telling the customer the result."),
                        code="investigation_pending")
    from kefu.tickets.services import ticket_add_entry

    entry = ticket_add_entry(actor=actor, ticket=complaint.ticket, kind=TicketEntry.Kind.REPLY, body=message)
    if permissions.has_permission(actor, "contacts.contact:edit"):
        from kefu.contacts.models import Contact
        from kefu.contacts.services import contact_create, contact_link_ticket

        contact = contact_create(actor=actor, channel=Contact.Channel.OUTBOUND_CALL,
                                 called_number=complaint.complainant_phone, customer=complaint.ticket.customer,
                                 outcome=Contact.Outcome.RESOLVED, summary_who=complaint.complainant_name,
                                 summary_what=message)
        contact_link_ticket(actor=actor, contact=contact, ticket=complaint.ticket)
    complaint.informed_at = clock.now()
    complaint.save(update_fields=["informed_at"])
    return entry


def _walk_to_closed(actor: User, ticket: Ticket, reason: str) -> Ticket:
    """Fire the ticket's own workflow transitions (as the actor's role allows) until it is closed."""
    from kefu.tickets.services import available_transitions, ticket_transition

    for _step in range(8):
        if ticket.state.is_closed:
            return ticket
        options = available_transitions(actor, ticket)

        def rank(t) -> int:
            if t.to_state.is_closed:
                return 0
            if t.to_state.is_resolved:
                return 1
            return 2 if not t.to_state.pauses_clock and t.code != "wait" else 9

        options = sorted((t for t in options if rank(t) < 9 and t.to_state_id != ticket.state_id), key=rank)
        if not options:
            break
        ticket = ticket_transition(actor=actor, ticket=ticket, transition=options[0].code, version=ticket.version,
                                   reason=reason)
    if not ticket.state.is_closed:
        raise KefuError(_("The complaint's workflow offers your role no way to close it."), code="invalid_transition")
    return ticket


@transaction.atomic
def complaint_close(*, actor: User, complaint: Complaint, resolution: str) -> FollowUpCallback:
    """R5.2–R5.4: close a handled complaint — after any investigation is concluded and the customer was told
    the result — and schedule its follow-up callback within one month (R5.4 [000])."""
    permissions.require(actor, "complaints.complaint:handle")
    resolution = (resolution or "").strip()
    if not resolution:
        raise FieldError(_("Say how the complaint was solved."), field="resolution", code="required")
    complaint = Complaint.objects.select_related("ticket__state").get(pk=complaint.pk)
    if complaint.ticket.state.is_closed:
        raise KefuError(_("This complaint is already closed."), code="already_closed", status=409)
    _check_closable(complaint)
    _walk_to_closed(actor, complaint.ticket, resolution)
    complaint.refresh_from_db()
    return follow_up_schedule(complaint=complaint)


def _check_closable(complaint: Complaint) -> None:
    """R5.3: an investigation must be concluded and the customer told the result before the complaint is solved."""
    investigation = Investigation.objects.filter(complaint=complaint).first()
    if investigation is not None and investigation.finding == Investigation.Finding.PENDING:
        raise KefuError(_("Conclude the investigation before closing the complaint."), code="investigation_pending")
    if complaint.informed_at is None:
        raise KefuError(_("Tell the customer the result before closing the complaint."), code="not_informed")


def complaint_transition_guard(actor: User, ticket: Ticket, target: Any) -> None:
    """R5.3 on every path: a complaint's ticket moved to a solved or closed state from the plain ticket page or
    API meets the same conditions as closing it on the complaint page."""
    if not (target.is_resolved or target.is_closed):
        return
    complaint = Complaint.objects.filter(ticket_id=ticket.pk).first()
    if complaint is not None:
        _check_closable(complaint)


def follow_up_schedule(*, complaint: Complaint) -> FollowUpCallback:
    """R5.4 [000]: a closed complaint's follow-up callback, due by the complaint_follow_up clock (one month
    from the closing by default). Idempotent: a complaint has at most one."""
    existing = FollowUpCallback.objects.filter(complaint=complaint).first()
    if existing is not None:
        return existing
    ticket = complaint.ticket
    start = ticket.closed_at or clock.now()
    try:
        with transaction.atomic():
            follow_up = FollowUpCallback.objects.create(complaint=complaint, customer=ticket.customer, due_at=start)
    except IntegrityError:
        return FollowUpCallback.objects.get(complaint=complaint)
    from kefu.sla.services import clock_start

    sla_clock = clock_start(FOLLOW_UP_POLICY, follow_up, start,
                            label=str(_("follow-up callback of complaint %(number)s") % {"number": ticket.number}))
    if sla_clock is None:  # the policy was switched off: one month on the 7×24 clock (R5.4)
        from kefu.calendars import arithmetic
        from kefu.calendars.selectors import spec_by_name

        due = arithmetic.deadline(spec_by_name("24x7"), start, 1, "months")
    else:
        due = sla_clock.deadline
    FollowUpCallback.objects.filter(pk=follow_up.pk).update(due_at=due)
    follow_up.due_at = due
    _event(ticket, None, "follow_up_scheduled", "follow_up", "", timezone.localtime(due).strftime("%Y-%m-%d %H:%M"))
    return follow_up


def complaints_schedule_follow_ups(*, now: datetime | None = None) -> int:
    """Periodic and idempotent: a complaint closed through the plain ticket page still gets its follow-up
    callback (R5.4)."""
    missing = (Complaint.objects.filter(ticket__state__is_closed=True, follow_up__isnull=True)
               .select_related("ticket", "ticket__customer")[:500])
    count = 0
    for complaint in missing:
        with transaction.atomic():
            follow_up_schedule(complaint=complaint)
        count += 1
    return count


@transaction.atomic
def follow_up_complete(*, follow_up: FollowUpCallback, result: str, done_by: User | None,
                       at: datetime | None = None) -> FollowUpCallback:
    """R5.4 [000]: the follow-up callback was made (by kefu.callbacks, on the complaint follow-up form): it is
    done, with its result, and its one-month clock stops (a late one counts as missed). Idempotent."""
    return _end_follow_up(follow_up, FollowUpCallback.Status.DONE, result, done_by, at, "follow_up_done",
                          from_states=(FollowUpCallback.Status.SCHEDULED, FollowUpCallback.Status.CANCELLED))


def _end_follow_up(follow_up: FollowUpCallback, status: str, text: str, by: User | None, at: datetime | None,
                   action: str, *, from_states: tuple[str, ...]) -> FollowUpCallback:
    """Set a follow-up's final status (only from `from_states`, else unchanged), stop its clock, and say so in
    the complaint's history."""
    at = at or clock.now()
    follow_up = FollowUpCallback.objects.select_for_update().select_related("complaint__ticket").get(pk=follow_up.pk)
    if follow_up.status not in from_states:
        return follow_up
    follow_up.status, follow_up.result, follow_up.done_at, follow_up.done_by = status, (text or "").strip(), at, by
    follow_up.save(update_fields=["status", "result", "done_at", "done_by"])
    from kefu.sla.services import clocks_stop_for_target

    clocks_stop_for_target("complaint_follow_up", follow_up.pk, at=at, policy_code=FOLLOW_UP_POLICY)
    _event(follow_up.complaint.ticket, by, action, "follow_up", "", follow_up.result)
    return follow_up


def follow_up_holders(follow_up_id: int) -> list[User]:
    """Who is warned when a follow-up callback's one-month clock runs late (R11.3): the agent of its open
    callback if one is planned, else the complaint desk."""
    from kefu.accounts.models import Team
    from kefu.accounts.selectors import users_holding
    from kefu.callbacks.models import Callback

    callback = (Callback.objects.filter(follow_up_id=follow_up_id, status__in=Callback.OPEN, agent__is_active=True)
                .select_related("agent").order_by("-id").first())
    if callback is not None:
        return [callback.agent]
    return list(users_holding("complaints.complaint:handle", team_kind=Team.Kind.COMPLAINT_DESK))


def follow_up_cancel(*, follow_up: FollowUpCallback, reason: str, by: User | None,
                     at: datetime | None = None) -> FollowUpCallback:
    """R5.4: the callback planner took the complaint's follow-up callback off the plan (with a reason): the
    follow-up is cancelled, not left scheduled for ever, and the complaint's history says why. Idempotent."""
    return _end_follow_up(follow_up, FollowUpCallback.Status.CANCELLED, reason, by, at, "follow_up_cancelled",
                          from_states=(FollowUpCallback.Status.SCHEDULED,))
    follow_up.status, follow_up.result, follow_up.done_at, follow_up.done_by = (
        FollowUpCallback.Status.CANCELLED, (reason or "").strip(), at, by)
    follow_up.save(update_fields=["status", "result", "done_at", "done_by"])
    from kefu.sla.services import clocks_stop_for_target

    clocks_stop_for_target("complaint_follow_up", follow_up.pk, at=at, policy_code=FOLLOW_UP_POLICY)
    _event(follow_up.complaint.ticket, by, "follow_up_cancelled", "follow_up", "", follow_up.result)
    return follow_up
