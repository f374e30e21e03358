"""Per-process copies of the configuration that every ticket creation reads (R4.1, R4.2, R11.2).

Creating a ticket needs its kind, the initial state of the kind's workflow, the priority, the SLA policies that
apply and their calendars. These rows change rarely (an administrator edits them) but were read on every
creation; each process now keeps them in memory and checks one stamp per request instead.

How a change reaches every process: `ConfigStamp` holds one value. A save or delete of a watched model (and a
change of a watched many-to-many relation) writes a new random value into it, inside the transaction of the
change, and drops this process's copy at once. Every process reads the stamp (one primary-key query, once per
request) and rebuilds its copy when the value differs from the one its copy was built with. Since the stamp is
written in the same transaction as the change, a process that sees the new value also sees the new rows; a
rolled-back change puts the old value back, which again differs from a copy built inside the transaction. The
value is random, not a counter, so it never returns to an earlier value (a flushed test database included).

A bulk `QuerySet.update()` or `bulk_create()` on a watched model sends no signal: call `config_changed()` after
it. Apps register what they cache with `section()` and what invalidates it with `watch()` (in `ready()`).
Cached model instances are shared between requests: read them, never change them.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.signals import request_finished, request_started
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

STAMP_KEY = "config"

_lock = threading.RLock()  # a section loader may read another section
_loaders: dict[str, Callable[[], Any]] = {}
_local = threading.local()  # the stamp read during the current request (per thread: gthread workers)
_current: list[Snapshot | None] = [None]


class Snapshot:
    """The configuration as of one stamp value; each section is loaded the first time it is asked for."""

    def __init__(self, stamp: int | None) -> None:
        self.stamp = stamp
        self._sections: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        try:
            return self._sections[name]
        except KeyError:
            pass
        with _lock:
            if name not in self._sections:
                self._sections[name] = _loaders[name]()
            return self._sections[name]


def section(name: str, loader: Callable[[], Any]) -> None:
    """Register a named part of the configuration and the function that reads it from the database."""
    _loaders[name] = loader


def watch(*models: type[Model]) -> None:
    """A save or delete of these models (or a change of these many-to-many through models) changes the stamp."""
    for model in models:
        uid = f"kefu.tickets.config:{model._meta.label}"
        if model._meta.auto_created:  # a many-to-many through model
            m2m_changed.connect(_on_m2m_change, sender=model, dispatch_uid=uid, weak=False)
        else:
            post_save.connect(_on_change, sender=model, dispatch_uid=uid, weak=False)
            post_delete.connect(_on_change, sender=model, dispatch_uid=uid + ":delete", weak=False)


def _read_stamp() -> int | None:
    from django.db import connection

    from .models import ConfigStamp

    # Plain SQL: this runs on every request that creates a ticket, and the ORM would spend more time building
    # the statement than the database spends answering it.
    meta = ConfigStamp._meta
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(meta.get_field('value').column)} "
                       f"FROM {connection.ops.quote_name(meta.db_table)} "
                       f"WHERE {connection.ops.quote_name(meta.pk.column)} = %s", [STAMP_KEY])
        row = cursor.fetchone()
    return row[0] if row else None


def stamp() -> int | None:
    """The stamp, read at most once per request (outside a request, at every call)."""
    if getattr(_local, "in_request", False):
        if not hasattr(_local, "stamp"):
            _local.stamp = _read_stamp()
        return _local.stamp
    return _read_stamp()


def current() -> Snapshot:
    """The configuration valid now: this process's copy, rebuilt when the stamp moved."""
    value = stamp()
    snapshot = _current[0]
    if snapshot is None or snapshot.stamp != value:
        snapshot = _current[0] = Snapshot(value)
    return snapshot


def config_changed() -> None:
    """Tell every process that configuration changed (in the caller's transaction); drops this process's copy."""
    from django.db import connection

    from .models import ConfigStamp

    _forget_local()
    if ConfigStamp._meta.db_table not in connection.introspection.table_names():
        return  # migrating a new database (seeds of apps migrated before this one): nothing is cached yet
    value = secrets.randbits(62)
    if not ConfigStamp.objects.filter(key=STAMP_KEY).update(value=value):
        ConfigStamp.objects.update_or_create(key=STAMP_KEY, defaults={"value": value})


def _forget_local() -> None:
    _current[0] = None
    if hasattr(_local, "stamp"):
        del _local.stamp


def _on_change(sender, **kwargs) -> None:
    config_changed()


def _on_m2m_change(sender, action: str, **kwargs) -> None:
    if action.startswith("post_"):
        config_changed()


def _request_started(**kwargs) -> None:
    _local.in_request = True
    if hasattr(_local, "stamp"):
        del _local.stamp


def _request_finished(**kwargs) -> None:
    _local.in_request = False
    if hasattr(_local, "stamp"):
        del _local.stamp


request_started.connect(_request_started, dispatch_uid="kefu.tickets.config:started")
request_finished.connect(_request_finished, dispatch_uid="kefu.tickets.config:finished")


# --- the tickets' own section ------------------------------------------------------------------------------

@dataclass(frozen=True)
class TicketsConfig:
    kinds: dict[str, Any]  # code → TicketKind
    priorities: dict[str, Any]  # code → Priority
    default_priority: Any  # the Priority marked default, else the most urgent one; None when there is none
    initial_states: dict[int, Any]  # workflow id → its initial WorkflowState
    closed_states: dict[int, Any]  # workflow id → its first closed WorkflowState


def _load_tickets() -> TicketsConfig:
    from .models import Priority, TicketKind, WorkflowState

    priorities = sorted(Priority.objects.all(), key=lambda p: (p.rank, p.pk))
    initial: dict[int, Any] = {}
    closed: dict[int, Any] = {}
    for state in WorkflowState.objects.order_by("workflow_id", "order", "pk"):
        if state.is_initial:
            initial.setdefault(state.workflow_id, state)
        if state.is_closed:
            closed.setdefault(state.workflow_id, state)
    return TicketsConfig(
        kinds={kind.code: kind for kind in TicketKind.objects.all()},
        priorities={p.code: p for p in priorities},
        default_priority=next((p for p in priorities if p.is_default), priorities[0] if priorities else None),
        initial_states=initial, closed_states=closed)


def tickets() -> TicketsConfig:
    """Kinds, priorities and the initial and closed states of each workflow, as of now."""
    return current().get("tickets")


section("tickets", _load_tickets)
