"""Call-center figures (R3.6, R10.1–R10.2, R9.1): the one module that reports, the wallboard and workforce
planning all read.

From the inbound-call contacts offered in [start, end), grouped by any of queue, interval (15, 30 or 60
minutes, or a day, in Kefu's time zone) and agent:

- **short abandoned**: callers who hung up unanswered within `contacts.short_abandon_seconds` (default 5 s);
  they are reported apart and left out of every other figure (0 s counts every abandon);
- **offered** = inbound calls offered − short abandoned;
- **answered**; **abandoned** (after the short-abandon threshold); calls still waiting or ringing count as
  offered only;
- **answer rate** (接通率) = answered / offered; **abandon rate** = abandoned / offered;
- **service level** = answered within T s / offered, T = `contacts.service_level_seconds` (default 20 s);
- **ASA** (average speed of answer) = total wait of answered calls / answered;
- **average talk** = talk seconds / calls with a talk time; **average handle** = (talk + after-call work) /
  calls with a handle time.

"within" means ≤: a call answered after exactly 20 s is within 20 s; one abandoned after exactly 5 s is a
short abandon. The database does one GROUP BY on the stored quarter hour (and queue / agent) with
conditional counts and sums; quarters are merged into longer intervals here, so the cost does not depend
on the interval asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from kefu.core import tunables

from .models import Contact

GROUPS = ("queue", "interval", "agent")
INTERVALS = (15, 30, 60, 1440)
_DB_KEY = {"queue": "queue_id", "interval": "offered_slot", "agent": "agent_id"}


@dataclass
class Figures:
    """One row of figures; the rates are None where there is nothing to divide by."""

    queue_id: int | None = None
    interval_start: datetime | None = None
    agent_id: int | None = None
    offered: int = 0
    short_abandoned: int = 0
    answered: int = 0
    abandoned: int = 0
    answered_within_target: int = 0
    wait_answered_seconds: int = 0
    talk_seconds: int = 0
    talk_count: int = 0
    handle_seconds: int = 0
    handle_count: int = 0
    key: tuple = field(default=(), repr=False)

    def add(self, other: Figures) -> None:
        for name in ("offered", "short_abandoned", "answered", "abandoned", "answered_within_target",
                     "wait_answered_seconds", "talk_seconds", "talk_count", "handle_seconds", "handle_count"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @staticmethod
    def _ratio(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def answer_rate(self) -> float | None:
        return self._ratio(self.answered, self.offered)

    @property
    def abandon_rate(self) -> float | None:
        return self._ratio(self.abandoned, self.offered)

    @property
    def service_level(self) -> float | None:
        return self._ratio(self.answered_within_target, self.offered)

    @property
    def average_speed_of_answer(self) -> float | None:
        return self._ratio(self.wait_answered_seconds, self.answered)

    @property
    def average_talk(self) -> float | None:
        return self._ratio(self.talk_seconds, self.talk_count)

    @property
    def average_handle(self) -> float | None:
        return self._ratio(self.handle_seconds, self.handle_count)

    def as_dict(self) -> dict[str, Any]:
        return {
            "queue": self.queue_id, "interval_start": self.interval_start, "agent": self.agent_id,
            "offered": self.offered, "short_abandoned": self.short_abandoned, "answered": self.answered,
            "abandoned": self.abandoned, "answered_within_target": self.answered_within_target,
            "answer_rate": self.answer_rate, "abandon_rate": self.abandon_rate, "service_level": self.service_level,
            "average_speed_of_answer": self.average_speed_of_answer, "average_talk": self.average_talk,
            "average_handle": self.average_handle,
        }


@dataclass
class FigureSet:
    start: datetime
    end: datetime
    group_by: tuple[str, ...]
    interval_minutes: int | None
    target_seconds: int
    short_abandon_seconds: int
    rows: list[Figures]
    total: Figures


def _interval_start(slot: datetime, minutes: int) -> datetime:
    local = timezone.localtime(slot)
    if minutes == 1440:
        return local.replace(hour=0, minute=0, second=0, microsecond=0)
    minute_of_day = local.hour * 60 + local.minute
    floored = minute_of_day - minute_of_day % minutes
    return local.replace(hour=floored // 60, minute=floored % 60, second=0, microsecond=0)


def call_figures(*, start: datetime, end: datetime, group_by: Sequence[str] = (), interval_minutes: int | None = None,
                 queue_ids: Sequence[int] | None = None, agent_ids: Sequence[int] | None = None,
                 target_seconds: int | None = None, short_abandon_seconds: int | None = None,
                 contacts: QuerySet[Contact] | None = None) -> FigureSet:
    """R3.6: offered, answered, abandoned, answer rate, service level, ASA, average talk and handle time of the
    inbound calls offered in [start, end), per the groups asked for, plus the total."""
    group_by = tuple(group_by)
    for name in group_by:
        if name not in GROUPS:
            raise ValueError(f"unknown group {name!r}")
    if "interval" in group_by:
        interval_minutes = interval_minutes or tunables.get("contacts.figures_interval_minutes")
        if interval_minutes not in INTERVALS:
            raise ValueError(f"interval must be one of {INTERVALS}")
    target = tunables.get("contacts.service_level_seconds") if target_seconds is None else target_seconds
    short = tunables.get("contacts.short_abandon_seconds") if short_abandon_seconds is None else short_abandon_seconds
    base = contacts if contacts is not None else Contact.objects.all()
    # offered_slot lies at most 15 min before offered_at: a slot range first lets the index do the work.
    queryset = base.filter(channel=Contact.Channel.INBOUND_CALL, offered_slot__gte=start - timedelta(minutes=15),
                           offered_slot__lt=end, offered_at__gte=start, offered_at__lt=end)
    if queue_ids is not None:
        queryset = queryset.filter(queue_id__in=list(queue_ids))
    if agent_ids is not None:
        queryset = queryset.filter(agent_id__in=list(agent_ids))
    answered = Q(answered_at__isnull=False)
    abandoned = Q(state=Contact.State.ABANDONED)
    db_keys = [_DB_KEY[name] for name in group_by]
    aggregates = {
        "n_all": Count("id"),
        "n_answered": Count("id", filter=answered),
        "n_abandoned": Count("id", filter=abandoned),
        "n_within": Count("id", filter=answered & Q(wait_seconds__lte=target)),
        "s_wait": Sum("wait_seconds", filter=answered),
        "s_talk": Sum("talk_seconds"),
        "n_talk": Count("talk_seconds"),
        "s_handle": Sum("handle_seconds"),
        "n_handle": Count("handle_seconds"),
    }
    if short > 0:
        aggregates["n_short"] = Count("id", filter=abandoned & Q(wait_seconds__lte=short))
    if db_keys:
        rows = queryset.values(*db_keys).annotate(**aggregates).order_by()
    else:
        rows = [queryset.aggregate(**aggregates)]
    merged: dict[tuple, Figures] = {}
    total = Figures()
    for row in rows:
        row.setdefault("n_short", 0)
        figures = Figures(
            offered=row["n_all"] - row["n_short"], short_abandoned=row["n_short"], answered=row["n_answered"],
            abandoned=row["n_abandoned"] - row["n_short"], answered_within_target=row["n_within"],
            wait_answered_seconds=row["s_wait"] or 0, talk_seconds=row["s_talk"] or 0, talk_count=row["n_talk"],
            handle_seconds=row["s_handle"] or 0, handle_count=row["n_handle"])
        total.add(figures)
        if not db_keys:
            continue
        key_values = {name: row[_DB_KEY[name]] for name in group_by}
        if "interval" in group_by:
            key_values["interval"] = _interval_start(key_values["interval"], interval_minutes)
        key = tuple(key_values[name] for name in group_by)
        target_row = merged.get(key)
        if target_row is None:
            target_row = merged[key] = Figures(queue_id=key_values.get("queue"),
                                               interval_start=key_values.get("interval"),
                                               agent_id=key_values.get("agent"), key=key)
        target_row.add(figures)

    def sort_key(figures: Figures):
        return tuple((value is None, value if value is not None else 0) for value in figures.key)

    return FigureSet(start=start, end=end, group_by=group_by,
                     interval_minutes=interval_minutes if "interval" in group_by else None, target_seconds=target,
                     short_abandon_seconds=short, rows=sorted(merged.values(), key=sort_key), total=total)


def interval_volumes(*, start: datetime, end: datetime, interval_minutes: int = 30,
                     queue_ids: Sequence[int] | None = None) -> dict[datetime, int]:
    """R9.1: offered calls per interval, the history the workforce forecast reads."""
    figures = call_figures(start=start, end=end, group_by=("interval",), interval_minutes=interval_minutes,
                           queue_ids=queue_ids)
    return {row.interval_start: row.offered for row in figures.rows}


def queue_interval_volumes(*, start: datetime, end: datetime, interval_minutes: int = 30) -> dict[str, list[tuple[
        datetime, int]]]:
    """R9.1: offered calls per queue (by its PBX code) and interval, in the shape the workforce forecast
    records (`kefu.workforce.services.interval_volumes_record(queue_code=…, interval_minutes=…, counts=…)`);
    intervals without calls are not listed."""
    from .models import Queue

    figures = call_figures(start=start, end=end, group_by=("queue", "interval"), interval_minutes=interval_minutes)
    codes = dict(Queue.objects.values_list("pk", "code"))
    volumes: dict[str, list[tuple[datetime, int]]] = {}
    for row in figures.rows:
        if row.queue_id is not None:
            volumes.setdefault(codes[row.queue_id], []).append((row.interval_start, row.offered))
    return volumes
