"""Reads of contacts, phrases and agent states, limited to what the user may see (R1.3): 404 for the rest."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from kefu.accounts.models import User
from kefu.core import permissions
from kefu.core.phones import normalise_query

from .models import AgentStatus, CdrImport, Contact, ForbiddenPhrase, Queue, StandardPhrase, TelephonyEvent


def can_listen(user) -> bool:
    """R3.8: only roles that review calls open the recordings (supervisors, QA inspectors)."""
    return permissions.has_permission(user, "contacts.recording:listen")


def contact_queryset_for(user) -> QuerySet[Contact]:
    """Holders of contacts.contact:view see every contact (the desk shares its callers); others none."""
    if not permissions.has_permission(user, "contacts.contact:view"):
        return Contact.objects.none()
    return Contact.objects.all()


FILTERS = ("channel", "state", "queue", "agent", "customer", "number", "date_from", "date_to", "incomplete",
           "outcome")


def contact_list_for(user, filters: dict[str, Any] | None = None) -> QuerySet[Contact]:
    """R3.1: the contact list with its filters; a constant number of queries whatever the page size."""
    filters = filters or {}
    queryset = contact_queryset_for(user).select_related("customer", "agent", "queue")
    if filters.get("channel"):
        queryset = queryset.filter(channel=filters["channel"])
    if filters.get("state"):
        queryset = queryset.filter(state=filters["state"])
    if filters.get("outcome"):
        queryset = queryset.filter(outcome=filters["outcome"])
    if filters.get("queue"):
        queryset = queryset.filter(queue__code=filters["queue"])
    if filters.get("agent"):
        queryset = queryset.filter(agent__username=filters["agent"])
    if filters.get("customer"):
        queryset = queryset.filter(customer_id=filters["customer"])
    if filters.get("number"):
        raw = str(filters["number"]).strip()
        number = normalise_query(raw) or raw
        queryset = queryset.filter(Q(caller_number=number) | Q(called_number=number))
    if filters.get("date_from"):
        queryset = queryset.filter(offered_at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        queryset = queryset.filter(offered_at__date__lte=filters["date_to"])
    if filters.get("incomplete"):
        queryset = queryset.filter(missing_offer=True)
    return queryset.order_by("-offered_at", "-id")


def contact_get_for(user, pk: int) -> Contact:
    from kefu.tickets.models import Ticket

    contact = (contact_queryset_for(user).select_related("customer", "agent", "queue", "created_by")
               .prefetch_related(Prefetch("tickets", queryset=Ticket.objects.select_related("state", "kind")))
               .filter(pk=pk).first())
    if contact is None:
        raise Http404
    return contact


def contact_events(contact: Contact) -> QuerySet[TelephonyEvent]:
    """The telephony events a contact was built from, in the order they happened."""
    if not contact.call_id:
        return TelephonyEvent.objects.none()
    return TelephonyEvent.objects.filter(call_id=contact.call_id).order_by("occurred_at", "id")


def standard_phrases(*, active_only: bool = True) -> QuerySet[StandardPhrase]:
    queryset = StandardPhrase.objects.all()
    return queryset.filter(is_active=True) if active_only else queryset


def phrases_by_step(*, agent: User | None = None) -> dict[str, list[str]]:
    """R3.3: the active standard phrases of each step as the agent says them ({work_number} filled in)."""
    from .services import phrase_render

    steps: dict[str, list[str]] = {step: [] for step in StandardPhrase.Step.values}
    for phrase in standard_phrases():
        steps[phrase.step].append(phrase_render(phrase.text, agent=agent))
    return steps


def forbidden_phrases(*, active_only: bool = True) -> QuerySet[ForbiddenPhrase]:
    queryset = ForbiddenPhrase.objects.all()
    return queryset.filter(is_active=True) if active_only else queryset


def agent_status_list() -> QuerySet[AgentStatus]:
    """Every agent's current state (shift leads and supervisors watch the floor)."""
    return AgentStatus.objects.select_related("user", "contact").order_by("state", "user__username")


def queue_list() -> QuerySet[Queue]:
    return Queue.objects.all()


def cdr_import_list_for(user) -> QuerySet[CdrImport]:
    if not permissions.has_permission(user, "contacts.cdr:import"):
        return CdrImport.objects.none()
    return CdrImport.objects.select_related("created_by")
