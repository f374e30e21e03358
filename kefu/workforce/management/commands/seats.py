"""`kefu seats --subscribers N [--subscribers-per-seat M] --json`: R9.3 [004], prints {"seats": ..}."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kefu.workforce import defaults, selectors

from ._common import default_help, run


class Command(BaseCommand):
    help = "R9.3 [004]: seats = ⌊subscribers / subscribers per seat⌋ (130,000 subscribers → 6 seats)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--subscribers", required=True, help="Number of subscribers served.")
        parser.add_argument("--subscribers-per-seat", help=default_help(defaults.SUBSCRIBERS_PER_SEAT,
                                                                         "Subscribers per seat."))
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        run(self, lambda: selectors.seats_calculate(subscribers=options["subscribers"],
                                                    subscribers_per_seat=options["subscribers_per_seat"]),
            options["json"], lambda data: [f"seats  {data['seats']}"])
