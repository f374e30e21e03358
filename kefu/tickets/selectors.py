"""Reads of tickets, limited to what the user may see (R1.3): 404 for the rest."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from kefu.core import clock, permissions

from .models import Dispatch, Ticket, TicketEvent


def ticket_queryset_for(user) -> QuerySet[Ticket]:
    """Desk roles see every ticket; team roles (field engineers, third-party partners, business departments)
    see only what is dispatched to their teams or assigned to them."""
    if permissions.has_permission(user, "tickets.any_ticket:view"):
        return Ticket.objects.all()
    if permissions.has_permission(user, "tickets.ticket:view"):
        return Ticket.objects.filter(
            Q(team__in=user.teams.all()) | Q(assignee=user) | Q(work_orders__engineer=user)).distinct()
    return Ticket.objects.none()


def ticket_get_for(user, pk: int) -> Ticket:
    ticket = (ticket_queryset_for(user).select_related("kind", "state", "priority", "category", "team", "assignee",
                                                       "customer", "created_by", "kind__workflow")
              .filter(pk=pk).order_by())
    return _one(ticket)


def _one(queryset) -> Ticket:
    """The single row of a primary-key query, without the default ORDER BY that .first() adds (which can make
    PostgreSQL walk the created_at index of a million tickets instead of using the primary key)."""
    rows = list(queryset[:1])
    if not rows:
        raise Http404
    return rows[0]


def _clocks_queryset():
    from kefu.sla.models import SlaClock

    return SlaClock.objects.select_related("policy").prefetch_related("escalations", "extensions")


def ticket_detail_for(user, pk: int) -> Ticket:
    """A ticket with its timeline and dispatches in a fixed number of queries, however long its history."""
    ticket = (ticket_queryset_for(user)
              .select_related("kind", "state", "priority", "category", "team", "assignee", "customer")
              .prefetch_related(Prefetch("events", queryset=TicketEvent.objects.select_related("actor")),
                                Prefetch("clocks", queryset=_clocks_queryset()),
                                Prefetch("dispatches", queryset=Dispatch.objects.select_related(
                                    "team", "assignee", "dispatched_by")))
              .filter(pk=pk).order_by())
    return _one(ticket)


def ticket_by_number_for(user, number: str) -> Ticket:
    return _one(ticket_queryset_for(user).select_related("state").filter(number=number.strip().upper()).order_by())


FILTERS = ("state", "kind", "team", "assignee", "priority", "customer", "created_from", "created_to", "overdue",
           "near_deadline", "q")


def _day_start(value) -> datetime:
    from django.utils import timezone

    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return timezone.make_aware(datetime.combine(day, time.min))


def ticket_list_for(user, filters: dict[str, Any] | None = None) -> QuerySet[Ticket]:
    """The ticket list with its filters; a constant number of queries whatever the page size."""
    filters = filters or {}
    queryset = ticket_queryset_for(user).select_related("kind", "state", "priority", "team", "assignee", "customer")
    if filters.get("state"):
        queryset = queryset.filter(state__code=filters["state"])
    if filters.get("kind"):
        queryset = queryset.filter(kind__code=filters["kind"])
    if filters.get("team"):
        queryset = queryset.filter(team__code=filters["team"])
    if filters.get("assignee"):
        queryset = queryset.filter(assignee__username=filters["assignee"])
    if filters.get("priority"):
        queryset = queryset.filter(priority__code=filters["priority"])
    if filters.get("customer"):
        queryset = queryset.filter(customer_id=filters["customer"])
    # Day bounds as instants in the local time zone, so the created_at index serves the filter.
    if filters.get("created_from"):
        queryset = queryset.filter(created_at__gte=_day_start(filters["created_from"]))
    if filters.get("created_to"):
        queryset = queryset.filter(created_at__lt=_day_start(filters["created_to"]) + timedelta(days=1))
    if filters.get("overdue"):
        queryset = queryset.filter(answer_due_at__lt=clock.now(), state__is_resolved=False)
    if filters.get("near_deadline"):
        from kefu.core import tunables

        now = clock.now()
        soon = now + timedelta(minutes=tunables.get("sla.near_deadline_minutes"))
        queryset = queryset.filter(answer_due_at__gte=now, answer_due_at__lte=soon, state__is_resolved=False)
    if filters.get("q"):
        q = filters["q"].strip()
        queryset = queryset.filter(Q(number=q.upper()) | Q(title__icontains=q))
    return queryset.order_by("-created_at", "-id")
