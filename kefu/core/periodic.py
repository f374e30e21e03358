"""Periodic work, registered in one place and run every few seconds by `kefu worker` and once by `kefu tick`.

Every registered function must be idempotent and safe to run in two processes at once: the database decides
what is done (unique constraints, row locks), never the process (STYLE: pretix periodic_task + runperiodic).
"""

import logging
from collections.abc import Callable

from django.db import close_old_connections

from . import clock

logger = logging.getLogger(__name__)

REGISTRY: dict[str, Callable[..., object]] = {}


def register(name: str, function: Callable[..., object]) -> None:
    REGISTRY[name] = function


def run_all() -> dict[str, object]:
    """Run every periodic function once; one that fails is logged and does not stop the others."""
    results: dict[str, object] = {}
    for name, function in REGISTRY.items():
        close_old_connections()
        try:
            results[name] = function(now=clock.now())
        except Exception:  # noqa: BLE001 — reported, and the next tick tries again
            logger.exception("periodic task %s failed", name)
            results[name] = None
    return results
