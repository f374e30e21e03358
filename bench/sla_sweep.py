#!/usr/bin/env python
"""Escalation sweep benchmark (issue 5, R11.3): find and process what is due among many open clocks.

    KEFU_DATABASE_URL=postgres://kefu@127.0.0.1:55440/kefu_tickets .venv/bin/python bench/sla_sweep.py \
        --clocks 200000 --due 2000

Makes `--clocks` running clocks (on existing tickets when there are enough, e.g. after bench/tickets.py), of
which `--due` broke their deadline a minute ago (their first escalation step is due), then times one
`sla_sweep()` — the function `kefu worker` runs every few seconds — and a second one that finds nothing due.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clocks", type=int, default=200_000)
    parser.add_argument("--due", type=int, default=2_000)
    args = parser.parse_args()
    _django.setup()
    _django.migrate_if_needed()
    from django.db import transaction

    from kefu.accounts.models import User
    from kefu.accounts.services import user_create
    from kefu.core import clock
    from kefu.sla.models import ClockEscalation, SlaClock, SlaPolicy
    from kefu.sla.services import sla_sweep
    from kefu.tickets.models import Ticket

    print(_django.database_description(), "|", _django.load_average())
    for role in ("shift_lead", "supervisor", "management"):
        if not User.objects.filter(username=f"bench-{role}").exists():
            user_create(username=f"bench-{role}", password=None, roles=[role])
    policy = SlaPolicy.objects.get(code="case_answer")
    now = clock.now()
    ticket_ids = list(Ticket.objects.order_by("id").values_list("id", flat=True)[: args.clocks])
    with transaction.atomic():
        ClockEscalation.objects.filter(clock__policy=policy, clock__started_at__lt=now - timedelta(days=400)).delete()
        SlaClock.objects.filter(policy=policy, started_at__lt=now - timedelta(days=400)).delete()
    started = time.perf_counter()
    rows = []
    for i in range(args.clocks):
        due = i < args.due
        deadline = now - timedelta(minutes=1) if due else now + timedelta(minutes=60 + i % 4000)
        rows.append(SlaClock(policy=policy, ticket_id=ticket_ids[i] if i < len(ticket_ids) else None,
                             started_at=now - timedelta(days=401), deadline=deadline, warn_at=None,
                             next_check_at=deadline))
    SlaClock.objects.bulk_create(rows, batch_size=5000)
    print(f"made {args.clocks} running clocks ({args.due} due) in {time.perf_counter() - started:.1f} s; "
          f"{'on tickets' if len(ticket_ids) >= args.clocks else 'partly without tickets'}")
    started = time.perf_counter()
    result = sla_sweep(now=now)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = sla_sweep(now=now)
    second = time.perf_counter() - started
    print(f"sweep 1: {first:.2f} s for {result.clocks} due clocks, {result.escalations} escalations "
          f"(target ≤ 2 s)")
    print(f"sweep 2: {second * 1000:.1f} ms, {again.clocks} clocks due (nothing left to do)")


if __name__ == "__main__":
    main()
