"""Reads of service exceptions (R6.5 [001] 监督机制, 考核指标): row scope, the ledger (异常处理跟踪台账) with
the whole history, the KPIs, the periodic analysis report and its Excel export."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kefu.core import permissions

from .models import ExceptionEvent, ExceptionPlan, ServiceException


def exception_queryset_for(user) -> QuerySet[ServiceException]:
    """The service desk, management, QA and audit see every exception; other staff see those they reported,
    whose plan they own, or in which their team (department) is involved."""
    if permissions.has_permission(user, "service_exceptions.any_exception:view"):
        return ServiceException.objects.all()
    if permissions.has_permission(user, "service_exceptions.exception:view"):
        teams = user.teams.all()
        return ServiceException.objects.filter(
            Q(reporter=user) | Q(plans__owner=user) | Q(departments__in=teams)).distinct()
    return ServiceException.objects.none()


def exception_list_for(user, *, state: str = "", level: str = "", q: str = "") -> QuerySet[ServiceException]:
    queryset = exception_queryset_for(user).select_related("category", "level", "customer")
    if state:
        queryset = queryset.filter(state=state)
    if level and level.isdigit():
        queryset = queryset.filter(level__number=int(level))
    if q.strip():
        queryset = queryset.filter(Q(number=q.strip().upper()) | Q(title__icontains=q.strip()))
    return queryset.order_by("-reported_at", "-id")


def _with_history(queryset: QuerySet[ServiceException]) -> QuerySet[ServiceException]:
    return (queryset.select_related("category", "level", "customer", "reporter", "assessed_by")
            .prefetch_related("departments",
                              Prefetch("events", queryset=ExceptionEvent.objects.select_related("actor")),
                              Prefetch("plans", queryset=ExceptionPlan.objects.select_related(
                                  "owner", "owner_department", "drafted_by", "approved_by")
                                  .prefetch_related("departments"))))


def exception_get_for(user, pk: int) -> ServiceException:
    exc = _with_history(exception_queryset_for(user)).filter(pk=pk).first()
    if exc is None:
        raise Http404
    return exc


def assessment_clock(exc: ServiceException):
    from kefu.sla.services import clocks_for_target

    return clocks_for_target("service_exception", exc.pk).filter(policy__code="service_exception_assessment").first()


def period(start: date | None, end: date | None) -> tuple[datetime, datetime, date, date]:
    """A period of local days [start, end], by default the current month so far."""
    today = timezone.localdate()
    start = start or today.replace(day=1)
    end = end or today
    zone = timezone.get_current_timezone()
    return (datetime.combine(start, time.min, zone), datetime.combine(end + timedelta(days=1), time.min, zone),
            start, end)


def ledger_for(user, *, start: date | None = None, end: date | None = None) -> QuerySet[ServiceException]:
    """R6.5: every exception reported in the period, with its plans and whole history (readable by audit)."""
    if not permissions.has_permission(user, "service_exceptions.ledger:view"):
        return ServiceException.objects.none()
    begin, finish, _s, _e = period(start, end)
    return _with_history(ServiceException.objects.filter(reported_at__gte=begin, reported_at__lt=finish)
                         ).order_by("reported_at", "id")


@dataclass
class Kpis:
    start: date
    end: date
    exceptions: int
    contacts: int
    contacts_source: str
    rate_per_thousand: float | None
    assessed: int
    on_time: int
    on_time_rate: float | None
    ratings: int
    satisfied: int
    satisfaction_rate: float | None
    open_level_1: int


def _handled_on_time(exc: ServiceException, clocks: dict[int, Any]) -> bool:
    clock = clocks.get(exc.pk)
    if clock is None or clock.breached_at is not None or (clock.stopped_at is None and clock.deadline < timezone.now()):
        return False
    return all(plan.on_time is not False for plan in exc.plans.all())


def kpis(*, start: date | None = None, end: date | None = None) -> Kpis:
    """R6.5 [001] 考核指标: exception rate per 1,000 contacts (contacts from kefu.contacts offered in the period),
    on-time handling rate (first assessment within its clock and every executed plan by its deadline, over the
    assessed exceptions), satisfaction (satisfied ratings over all ratings in the period, every round)."""
    from kefu.contacts.models import Contact
    from kefu.sla.models import SlaClock

    begin, finish, start, end = period(start, end)
    exceptions = list(ServiceException.objects.filter(reported_at__gte=begin, reported_at__lt=finish)
                      .prefetch_related("plans"))
    contacts = Contact.objects.filter(offered_at__gte=begin, offered_at__lt=finish).count()
    clocks = {c.target_id: c for c in SlaClock.objects.filter(
        target_type="service_exception", target_id__in=[e.pk for e in exceptions],
        policy__code="service_exception_assessment")}
    assessed = [e for e in exceptions if e.assessed_at is not None]
    on_time = sum(1 for e in assessed if _handled_on_time(e, clocks))
    rated = ExceptionPlan.objects.filter(rated_at__gte=begin, rated_at__lt=finish).exclude(rating="")
    ratings = rated.count()
    satisfied = rated.filter(rating=ExceptionPlan.Rating.SATISFIED).count()
    return Kpis(
        start=start, end=end, exceptions=len(exceptions), contacts=contacts, contacts_source="contacts.Contact",
        rate_per_thousand=round(len(exceptions) * 1000 / contacts, 2) if contacts else None,
        assessed=len(assessed), on_time=on_time,
        on_time_rate=round(on_time / len(assessed), 4) if assessed else None,
        ratings=ratings, satisfied=satisfied, satisfaction_rate=round(satisfied / ratings, 4) if ratings else None,
        open_level_1=ServiceException.objects.filter(level__number=1).exclude(
            state=ServiceException.State.ARCHIVED).count())


def analysis(*, start: date | None = None, end: date | None = None) -> dict[str, list[tuple[str, int]]]:
    """R6.5 [001] 客服部门职责 3: the periodic analysis for management — exceptions of the period counted by
    category, level, department involved and cause."""
    begin, finish, _s, _e = period(start, end)
    exceptions = (ServiceException.objects.filter(reported_at__gte=begin, reported_at__lt=finish)
                  .select_related("category", "level").prefetch_related("departments"))
    counts: dict[str, Counter] = defaultdict(Counter)
    for exc in exceptions:
        counts["category"][exc.category.name if exc.category else "—"] += 1
        counts["level"][exc.level.name if exc.level else "—"] += 1
        counts["cause"][exc.cause or "—"] += 1
        departments = [d.name for d in exc.departments.all()] or ["—"]
        for name in departments:
            counts["department"][name] += 1
    return {key: sorted(counts[key].items(), key=lambda item: (-item[1], item[0]))
            for key in ("category", "level", "department", "cause")}


def ledger_xlsx(user, *, start: date | None = None, end: date | None = None) -> bytes:
    """The ledger, its history, the KPIs and the analysis as an Excel workbook (R6.5, R10.2)."""
    from django.utils.translation import gettext as _
    from openpyxl import Workbook

    def local(value):
        return timezone.localtime(value).replace(tzinfo=None) if value else None

    book = Workbook()
    sheet = book.active
    sheet.title = str(_("Ledger"))[:31]
    sheet.append([str(h) for h in (_("Number"), _("Reported at"), _("Reported through"), _("Title"),
                                   _("Category"), _("Level"), _("Impact"), _("Cause"), _("Departments involved"),
                                   _("State"), _("Rounds"), _("Last plan"), _("Owner"), _("Deadline"),
                                   _("Executed at"), _("Customer's rating"), _("Archived at"))])
    history = book.create_sheet(str(_("History"))[:31])
    history.append([str(h) for h in (_("Number"), _("Time"), _("Who"), _("What"), _("Before"), _("After"),
                                     _("Round"), _("Note"))])
    for exc in ledger_for(user, start=start, end=end):
        plans = list(exc.plans.all())
        last = plans[-1] if plans else None
        sheet.append([exc.number, local(exc.reported_at), exc.get_source_display(), exc.title,
                      exc.category.name if exc.category else "", exc.level.name if exc.level else "", exc.impact,
                      exc.cause, "、".join(d.name for d in exc.departments.all()), exc.get_state_display(),
                      exc.round, last.content if last else "", str(last.owner) if last and last.owner else "",
                      local(last.deadline) if last else None, local(last.executed_at) if last else None,
                      last.get_rating_display() if last else "", local(exc.archived_at)])
        for event in exc.events.all():
            history.append([exc.number, local(event.at), str(event.actor or "—"), event.action, event.old_state,
                            event.new_state, event.round, event.note])
    figures = kpis(start=start, end=end)
    summary = book.create_sheet(str(_("Figures"))[:31])
    for label, value in ((_("From"), figures.start), (_("To"), figures.end), (_("Exceptions"), figures.exceptions),
                         (_("Contacts"), figures.contacts), (_("Per 1,000 contacts"), figures.rate_per_thousand),
                         (_("On-time handling rate"), figures.on_time_rate),
                         (_("Satisfaction"), figures.satisfaction_rate)):
        summary.append([str(label), value])
    report = book.create_sheet(str(_("Analysis"))[:31])
    for key, rows in analysis(start=start, end=end).items():
        report.append([key])
        for name, count in rows:
            report.append([name, count])
        report.append([])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
