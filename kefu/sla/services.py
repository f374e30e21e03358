"""Clocks, warnings and escalation (R11.2, R11.3, R3.5, R5.2).

The sweep is the one place that warns and escalates. It is safe with any number of workers and survives a
worker killed mid-run: a batch of due clocks is locked (skipped by other workers on PostgreSQL, serialised by
SQLite's write lock), every fired step is a `ClockEscalation` row under a unique (clock, step) constraint
written in the same transaction as its notifications and the clock's next check, so a step is either fully
done once or not at all.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import User
from kefu.calendars import arithmetic
from kefu.calendars.arithmetic import CalendarSpec, Unit
from kefu.calendars.models import Calendar
from kefu.calendars.selectors import calendar_spec, spec_by_name
from kefu.core import clock as kefu_clock
from kefu.core import tunables
from kefu.core.errors import FieldError, KefuError
from kefu.tickets import config
from kefu.tickets.models import Notification, Ticket, TicketEvent

from .models import ClockEscalation, ClockExtension, EscalationRule, SlaClock, SlaPolicy

tunables.register(tunables.Tunable(
    "sla.service_exception_assessment_minutes", 30, int, _("Minutes for the first assessment of a service exception"),
    help_text=_("R6.2 [001]: the service desk assesses a reported service exception within N minutes."),
    source="R11.2 [001]", minimum=1))
tunables.register(tunables.Tunable("sla.near_deadline_minutes", 60, int,
                                   _("A running clock is “near its deadline” this many minutes before it"),
                                   source="R10.1", minimum=1))
tunables.register(tunables.Tunable("sla.sweep_batch", 500, int, _("Clocks handled per sweep transaction"),
                                   source="R11.3", minimum=1, maximum=10000))

_ESCALATION = (("shift_lead", 0), ("supervisor", 60), ("management", 240))

# code, name, source, target, clock, kinds, channel, amount, unit, pause states, stops on, extendable
DEFAULT_POLICIES = (
    ("call_handling", _("Call handling"), "R11.2 [003]", "contact", "handling", (), "", 8, "minutes", (), "closed",
     False),
    ("fax_reply", _("Fax reply"), "R3.5 [003]", "ticket", "first_response", (), "fax", 2, "hours", (), "reply", False),
    # Complaints have their own clock (3 working days), so the 3-day case answer is for the other kinds.
    ("case_answer", _("Case answer"), "R4.5 [002]", "ticket", "answer",
     ("phone_fix", "repair", "installation", "technical_fault", "service_request", "billing_inquiry", "other"), "",
     3, "days", ("waiting_customer",), "resolved", False),
    ("complaint_resolution", _("Complaint solved"), "R5.2 [003]", "ticket", "resolution", ("complaint",), "", 3,
     "working_days", ("waiting_customer",), "resolved", True),
    ("pending_callback", _("Pending callback solved"), "R7.4 [000]", "callback", "callback", (), "", 2, "days", (),
     "resolved", False),
    ("complaint_follow_up", _("Complaint follow-up callback"), "R5.4 [000]", "complaint_follow_up", "follow_up", (),
     "", 1, "months", (), "resolved", False),
    ("service_exception_assessment", _("Service exception first assessment"), "R6.2 [001]", "service_exception",
     "assessment", (), "", None, "minutes", (), "resolved", False),
)


def sla_seed_defaults() -> None:
    """R11.2: the seeds' default clocks as data; an administrator's edits are kept."""
    from kefu.tickets.models import TicketKind

    with translation.override("zh-hans"), transaction.atomic():
        for (code, name, source, target, kind_of_clock, kinds, channel, amount, unit, pauses, stops,
             extendable) in DEFAULT_POLICIES:
            if amount is None:
                amount = tunables.get("sla.service_exception_assessment_minutes")
            policy, created = SlaPolicy.objects.get_or_create(code=code, defaults={
                "name": str(name), "source": source, "target": target, "clock": kind_of_clock, "channel": channel,
                "amount": Decimal(amount), "unit": unit, "pause_states": list(pauses), "stops_on": stops,
                "extendable": extendable})
            if created:
                policy.kinds.set(TicketKind.objects.filter(code__in=kinds))
                for step, (role, after) in enumerate(_ESCALATION, start=1):
                    EscalationRule.objects.create(policy=policy, step=step, role=role, after_minutes=after)


# --- clocks on tickets ---------------------------------------------------------------------------------

def _spec(policy: SlaPolicy) -> CalendarSpec:
    if policy.calendar_id:
        return calendar_spec(policy.calendar)
    return spec_by_name("default" if Unit(policy.unit).is_working else "24x7")


def _warn_at(policy: SlaPolicy, start: datetime, deadline: datetime) -> datetime | None:
    if not policy.warn_at_percent or policy.warn_at_percent >= 100:
        return None
    return start + (deadline - start) * policy.warn_at_percent / 100


@dataclass(frozen=True)
class TicketPolicy:
    """An active ticket policy as kept in memory (kefu.tickets.config): which kinds and channel it applies to
    and the calendar its clock runs on (None: the named default calendar is missing)."""

    policy: SlaPolicy
    kind_ids: frozenset[int]  # empty: every kind
    calendar: Calendar | None

    def applies_to(self, kind_id: int, channel: str) -> bool:
        return (not self.policy.channel or self.policy.channel == channel) and (
            not self.kind_ids or kind_id in self.kind_ids)

    def spec(self) -> CalendarSpec:
        if self.calendar is None:  # the calendar the policy names by default is gone: the same error as before
            return _spec(self.policy)
        # calendar_spec() reuses its built spec while the row, its intervals and the official schedule are the
        # same; for a calendar that follows the official schedule it checks the schedule's fingerprint.
        return calendar_spec(self.calendar)


def _load_ticket_policies() -> tuple[TicketPolicy, ...]:
    policies = list(SlaPolicy.objects.filter(is_active=True, target=SlaPolicy.Target.TICKET).order_by("code"))
    kinds: dict[int, set[int]] = {}
    for policy_id, kind_id in SlaPolicy.kinds.through.objects.filter(
            slapolicy__in=[p.pk for p in policies]).values_list("slapolicy_id", "ticketkind_id"):
        kinds.setdefault(policy_id, set()).add(kind_id)
    names = {p.calendar_id or ("default" if Unit(p.unit).is_working else "24x7") for p in policies}
    calendars = Calendar.objects.prefetch_related("intervals").filter(
        Q(pk__in=[n for n in names if isinstance(n, int)]) | Q(name__in=[n for n in names if isinstance(n, str)]))
    by_pk = {c.pk: c for c in calendars}
    by_name = {c.name: c for c in by_pk.values()}
    return tuple(TicketPolicy(
        policy=p, kind_ids=frozenset(kinds.get(p.pk, ())),
        calendar=by_pk.get(p.calendar_id) if p.calendar_id else by_name.get(
            "default" if Unit(p.unit).is_working else "24x7")) for p in policies)


def ticket_policies() -> tuple[TicketPolicy, ...]:
    """The active ticket policies, from this process's copy (rebuilt when an administrator changes a policy, its
    kinds or a calendar, see kefu.tickets.config)."""
    return config.current().get("sla.ticket_policies")


config.section("sla.ticket_policies", _load_ticket_policies)


def clocks_for_new_ticket(*, kind_id: int, channel: str, start: datetime) -> list[SlaClock]:
    """The clocks a new ticket of this kind and channel starts (R11.2), not yet saved: their deadlines are known
    before the ticket is written, so that the ticket is inserted once with its answer deadline."""
    clocks = []
    for entry in ticket_policies():
        if not entry.applies_to(kind_id, channel):
            continue
        policy = entry.policy
        deadline = arithmetic.deadline(entry.spec(), start, policy.amount.normalize(), policy.unit)
        warn_at = _warn_at(policy, start, deadline)
        clocks.append(SlaClock(policy=policy, started_at=start, deadline=deadline, warn_at=warn_at,
                               next_check_at=min(t for t in (warn_at, deadline) if t is not None)))
    return clocks


def on_ticket_state(ticket: Ticket, *, at: datetime | None = None) -> None:
    """Pause, resume or stop the ticket's clocks after a state change (R11.3)."""
    at = at or kefu_clock.now()
    state = ticket.state
    for sla_clock in ticket.clocks.select_related("policy").exclude(state=SlaClock.State.STOPPED):
        policy = sla_clock.policy
        if (policy.stops_on == "resolved" and state.is_resolved) or (policy.stops_on == "closed" and state.is_closed):
            _stop(sla_clock, at)
        elif state.code in (policy.pause_states or ()):
            _pause(sla_clock, at)
        elif sla_clock.state == SlaClock.State.PAUSED:
            _resume(sla_clock, at)
    _sync_answer_due(ticket)


def on_ticket_reply(ticket: Ticket, *, at: datetime | None = None) -> None:
    """A reply to the customer stops the clocks that wait for one (the fax reply, R3.5)."""
    at = at or kefu_clock.now()
    for sla_clock in ticket.clocks.select_related("policy").filter(policy__stops_on="reply").exclude(
            state=SlaClock.State.STOPPED):
        _stop(sla_clock, at)
    _sync_answer_due(ticket)


def _sync_answer_due(ticket: Ticket) -> None:
    running = ticket.clocks.filter(state=SlaClock.State.RUNNING).order_by("deadline").values_list(
        "deadline", flat=True).first()
    Ticket.objects.filter(pk=ticket.pk).update(answer_due_at=running)


def _stop(sla_clock: SlaClock, at: datetime) -> None:
    sla_clock.state, sla_clock.stopped_at, sla_clock.next_check_at = SlaClock.State.STOPPED, at, None
    if sla_clock.breached_at is None and at > sla_clock.deadline:
        sla_clock.breached_at = sla_clock.deadline
    sla_clock.save(update_fields=["state", "stopped_at", "next_check_at", "breached_at"])


def _pause(sla_clock: SlaClock, at: datetime) -> None:
    if sla_clock.state == SlaClock.State.PAUSED:
        return
    paused = arithmetic.clock_pause(_spec(sla_clock.policy), arithmetic.Clock(deadline=sla_clock.deadline), at) \
        if at < sla_clock.deadline else None
    remaining = paused.remaining if paused else timedelta(0)
    sla_clock.state, sla_clock.paused_at = SlaClock.State.PAUSED, at
    sla_clock.remaining_seconds = int(remaining.total_seconds())
    sla_clock.next_check_at = None
    sla_clock.save(update_fields=["state", "paused_at", "remaining_seconds", "next_check_at"])


def _resume(sla_clock: SlaClock, at: datetime) -> None:
    remaining = timedelta(seconds=sla_clock.remaining_seconds or 0)
    paused = arithmetic.Clock(deadline=sla_clock.deadline, paused_at=sla_clock.paused_at, remaining=remaining)
    resumed = arithmetic.clock_resume(_spec(sla_clock.policy), paused, at)
    sla_clock.deadline = resumed.deadline
    if sla_clock.warn_at and sla_clock.paused_at and remaining > timedelta(0):
        sla_clock.warn_at = _warn_at(sla_clock.policy, sla_clock.started_at, resumed.deadline)
    sla_clock.state, sla_clock.paused_at, sla_clock.remaining_seconds = SlaClock.State.RUNNING, None, None
    sla_clock.next_check_at = _next_check(sla_clock, set(sla_clock.escalations.values_list("step", flat=True)), at)
    sla_clock.save(update_fields=["deadline", "warn_at", "state", "paused_at", "remaining_seconds", "next_check_at"])


@transaction.atomic
def clock_extend(*, actor: User, sla_clock: SlaClock, new_deadline: datetime, consent_by: str,
                 consent_at: datetime, reason: str) -> ClockExtension:
    """R5.2 [003]: a complaint deadline is extended only with the customer's recorded consent."""
    from kefu.core import permissions

    permissions.require(actor, "tickets.ticket:change")
    sla_clock = SlaClock.objects.select_for_update().select_related("policy").get(pk=sla_clock.pk)
    if not sla_clock.policy.extendable:
        raise KefuError(_("This deadline cannot be extended."), code="not_extendable")
    if sla_clock.state == SlaClock.State.STOPPED:
        raise KefuError(_("This clock has stopped."), code="clock_stopped")
    if not (consent_by or "").strip():
        raise FieldError(_("Record which customer agreed to the extension."), field="consent_by", code="required")
    if not (reason or "").strip():
        raise FieldError(_("Give the reason for the extension."), field="reason", code="required")
    arithmetic.check_start(new_deadline, field_name="new_deadline")
    arithmetic.check_start(consent_at, field_name="consent_at")
    if new_deadline <= sla_clock.deadline:
        raise FieldError(_("The new deadline must be later than the current one."), field="new_deadline",
                         code="invalid")
    if consent_at > kefu_clock.now() + timedelta(minutes=5):
        raise FieldError(_("The consent cannot be in the future."), field="consent_at", code="invalid")
    extension = ClockExtension.objects.create(clock=sla_clock, old_deadline=sla_clock.deadline,
                                              new_deadline=new_deadline, consent_by=consent_by.strip(),
                                              consent_at=consent_at, recorded_by=actor, reason=reason.strip())
    sla_clock.deadline = new_deadline
    sla_clock.warn_at = _warn_at(sla_clock.policy, sla_clock.started_at, new_deadline)
    if sla_clock.state == SlaClock.State.RUNNING:
        fired = set(sla_clock.escalations.values_list("step", flat=True))
        sla_clock.next_check_at = _next_check(sla_clock, fired, kefu_clock.now())
    sla_clock.save(update_fields=["deadline", "warn_at", "next_check_at"])
    if sla_clock.ticket_id:
        TicketEvent.objects.create(ticket_id=sla_clock.ticket_id, actor=actor, action="extended",
                                   field=sla_clock.policy.code, old=extension.old_deadline.isoformat(),
                                   new=new_deadline.isoformat(),
                                   reason=f"{extension.reason}（{extension.consent_by} 同意）")
        _sync_answer_due(sla_clock.ticket)
    return extension


# --- clocks on other objects ----------------------------------------------------------------------------

@transaction.atomic
def clock_start(policy_code: str, target: Any, start: datetime, *, label: str = "") -> SlaClock | None:
    """R11.2: start the clock of a policy on an object that is not a ticket — a complaint follow-up callback
    (R5.4 [000], one month) or a service exception's first assessment (R6.2 [001], N minutes). The object is
    named by the policy's target and its primary key; `label` is what notifications call it. An inactive or
    missing policy starts nothing (an administrator switched it off)."""
    policy = SlaPolicy.objects.filter(code=policy_code, is_active=True).first()
    if policy is None:
        return None
    deadline = arithmetic.deadline(_spec(policy), start, policy.amount.normalize(), policy.unit)
    warn_at = _warn_at(policy, start, deadline)
    return SlaClock.objects.create(
        policy=policy, target_type=policy.target, target_id=target.pk, target_label=(label or str(target))[:100],
        started_at=start, deadline=deadline, warn_at=warn_at,
        next_check_at=min(t for t in (warn_at, deadline) if t is not None))


def clocks_for_target(target_type: str, target_id: int):
    """The clocks running or run on one non-ticket object, oldest first."""
    return (SlaClock.objects.filter(target_type=target_type, target_id=target_id).select_related("policy")
            .prefetch_related("escalations", "extensions").order_by("started_at", "id"))


@transaction.atomic
def clocks_stop_for_target(target_type: str, target_id: int, *, at: datetime | None = None,
                           policy_code: str | None = None) -> int:
    """Stop the object's clocks (e.g. the assessment is done); a stop after the deadline counts as missed."""
    at = at or kefu_clock.now()
    clocks = SlaClock.objects.filter(target_type=target_type, target_id=target_id).exclude(
        state=SlaClock.State.STOPPED)
    if policy_code:
        clocks = clocks.filter(policy__code=policy_code)
    stopped = 0
    for sla_clock in clocks.select_for_update():
        _stop(sla_clock, at)
        stopped += 1
    return stopped


# --- the sweep -----------------------------------------------------------------------------------------

def _next_check(sla_clock: SlaClock, fired: set[int], now: datetime) -> datetime | None:
    """The next moment the sweep has something to do for this clock, or None when every step has fired."""
    times = []
    if sla_clock.warn_at and 0 not in fired and sla_clock.deadline > now:
        times.append(sla_clock.warn_at)
    for rule in sla_clock.policy.rules.all():
        if rule.step not in fired:
            times.append(sla_clock.deadline + timedelta(minutes=rule.after_minutes))
    return min(times) if times else None


@dataclass
class SweepResult:
    clocks: int = 0
    warnings: int = 0
    escalations: int = 0


# R11.3: who is warned about a clock that is not a ticket's — the app owning the target registers a function
# giving the holders of one object (the service desk for an exception's assessment, the agent of a callback).
TARGET_HOLDERS: dict[str, Callable[[int], list[User]]] = {}


def register_target_holders(target_type: str, holders: Callable[[int], list[User]]) -> None:
    TARGET_HOLDERS[target_type] = holders


class _Batch:
    """What one sweep transaction writes, collected and then inserted in bulk (a constant number of queries)."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.escalations: list[ClockEscalation] = []
        self.notifications: list[Notification] = []
        self.events: list[TicketEvent] = []
        self.clocks: list[SlaClock] = []
        self._holders: dict[str, list[tuple[User, set[int]]]] = {}

    def holders(self, role: str) -> list[tuple[User, set[int]]]:
        if role not in self._holders:
            users = User.objects.filter(is_active=True, roles__code=role).distinct().prefetch_related("teams")
            self._holders[role] = [(u, {t.pk for t in u.teams.all()}) for u in users]
        return self._holders[role]

    def recipients(self, sla_clock: SlaClock, role: str | None) -> list[User]:
        ticket = sla_clock.ticket
        if role is None:  # the warning goes to whoever holds the ticket (or the object the clock is on)
            if ticket and ticket.assignee_id:
                return [ticket.assignee]
            if ticket and ticket.team_id:
                return list(ticket.team.members.filter(is_active=True))
            if ticket is None and sla_clock.target_type in TARGET_HOLDERS and sla_clock.target_id is not None:
                return list(TARGET_HOLDERS[sla_clock.target_type](sla_clock.target_id))
            return []
        holders = self.holders(role)
        if ticket and ticket.team_id:
            in_team = [user for user, teams in holders if ticket.team_id in teams]
            if in_team:
                return in_team  # the shift lead of the ticket's own team, when it has one
        return [user for user, _teams in holders]

    def fire(self, sla_clock: SlaClock, step: int, role: str | None) -> None:
        users = self.recipients(sla_clock, role)
        ticket = sla_clock.ticket
        self.escalations.append(ClockEscalation(clock=sla_clock, step=step, role=role or "", fired_at=self.now,
                                                notified=[u.username for u in users]))
        with translation.override("zh-hans"):
            local = timezone.localtime(sla_clock.deadline).strftime("%Y-%m-%d %H:%M")
            if step == 0:
                message = str(_("%(policy)s of ticket %(number)s is due at %(deadline)s."))
            else:
                message = str(_("Escalation: %(policy)s of ticket %(number)s was due at %(deadline)s and is "
                                "overdue."))
            if ticket is None and sla_clock.target_type:
                # A clock on a complaint follow-up or a service exception names that object instead.
                if step == 0:
                    message = str(_("%(policy)s of %(object)s is due at %(deadline)s."))
                else:
                    message = str(_("Escalation: %(policy)s of %(object)s was due at %(deadline)s and is "
                                    "overdue."))
            message = message % {"policy": sla_clock.policy.name, "number": ticket.number if ticket else "—",
                                 "object": sla_clock.target_label or sla_clock.get_target_type_display(),
                                 "deadline": local}
        self.notifications += [Notification(user=u, ticket=ticket, message=message[:255]) for u in users]
        if ticket is not None:
            self.events.append(TicketEvent(ticket=ticket, actor=None, action="warning" if step == 0 else "escalated",
                                           field=sla_clock.policy.code, new=role or "", reason=message[:500]))

    def write(self) -> None:
        ClockEscalation.objects.bulk_create(self.escalations)  # the unique (clock, step) decides: exactly once
        Notification.objects.bulk_create(self.notifications)
        TicketEvent.objects.bulk_create(self.events)
        # Plain UPDATEs grouped by value: Django's bulk_update builds one CASE per row and costs more CPU
        # than the queries it saves.
        breached = [c.pk for c in self.clocks if c.breached_at is not None]
        for chunk in range(0, len(breached), 500):
            SlaClock.objects.filter(pk__in=breached[chunk:chunk + 500], breached_at__isnull=True).update(
                breached_at=F("deadline"))
        by_next: dict[datetime | None, list[int]] = {}
        for sla_clock in self.clocks:
            by_next.setdefault(sla_clock.next_check_at, []).append(sla_clock.pk)
        for value, ids in by_next.items():
            for chunk in range(0, len(ids), 500):
                SlaClock.objects.filter(pk__in=ids[chunk:chunk + 500]).update(next_check_at=value)


def _process(sla_clock: SlaClock, batch: _Batch, result: SweepResult) -> None:
    now = batch.now
    fired = {e.step for e in sla_clock.escalations.all()}
    if sla_clock.warn_at and 0 not in fired and now >= sla_clock.warn_at and now < sla_clock.deadline:
        batch.fire(sla_clock, 0, None)
        fired.add(0)
        result.warnings += 1
    if now >= sla_clock.deadline:
        if sla_clock.breached_at is None:
            sla_clock.breached_at = sla_clock.deadline
        for rule in sla_clock.policy.rules.all():
            if rule.step not in fired and now >= sla_clock.deadline + timedelta(minutes=rule.after_minutes):
                batch.fire(sla_clock, rule.step, rule.role)
                fired.add(rule.step)
                result.escalations += 1
    sla_clock.next_check_at = _next_check(sla_clock, fired, now)
    batch.clocks.append(sla_clock)
    result.clocks += 1


def _stall_for_crash_test() -> None:
    """Fault injection for the SIGKILL test: hold the batch's transaction open until the process is killed."""
    if os.environ.get("KEFU_SLA_SWEEP_STALL"):
        sys.stdout.write("sweep stalled inside its transaction\n")
        sys.stdout.flush()
        time.sleep(float(os.environ["KEFU_SLA_SWEEP_STALL"]))


def _due(now: datetime, batch: int):
    queryset = (SlaClock.objects.filter(state=SlaClock.State.RUNNING, next_check_at__lte=now)
                .order_by("next_check_at", "id"))
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    return list(queryset.select_related("policy", "ticket", "ticket__team", "ticket__assignee")
                .prefetch_related("escalations", "policy__rules")[:batch])


def sla_sweep(*, now: datetime | None = None, batch: int | None = None, max_batches: int = 1000) -> SweepResult:
    """R11.3: warn before deadlines and escalate breaches step by step, each step exactly once."""
    now = now or kefu_clock.now()
    size = batch or tunables.get("sla.sweep_batch")
    result = SweepResult()
    for _round in range(max_batches):
        attempt = SweepResult()
        try:
            with transaction.atomic():
                clocks = _due(now, size)
                if not clocks:
                    break
                work = _Batch(now)
                for sla_clock in clocks:
                    _process(sla_clock, work, attempt)
                work.write()
                _stall_for_crash_test()
        except IntegrityError:
            # Another worker fired a step of one of these clocks first: redo the batch one clock at a time.
            attempt = SweepResult()
            for pk in [c.pk for c in clocks]:
                try:
                    with transaction.atomic():
                        sla_clock = (SlaClock.objects.filter(pk=pk, state=SlaClock.State.RUNNING,
                                                             next_check_at__lte=now)
                                     .select_related("policy", "ticket", "ticket__team", "ticket__assignee")
                                     .prefetch_related("escalations", "policy__rules").first())
                        if sla_clock is not None:
                            single = _Batch(now)
                            _process(sla_clock, single, attempt)
                            single.write()
                except IntegrityError:
                    continue
        result.clocks += attempt.clocks
        result.warnings += attempt.warnings
        result.escalations += attempt.escalations
        if len(clocks) < size:
            break
    return result
