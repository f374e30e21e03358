"""`kefu headcount --seat-hours-per-day H [--days-per-month D] [--legal-hours-per-month L] [--seats S] --json`:
R9.4 [004], prints {"people_per_seat": .., "people": ..} unrounded."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kefu.workforce import defaults, selectors

from ._common import default_help, run


class Command(BaseCommand):
    help = ("R9.4 [004]: people per seat = seat hours per day × days per month / legal hours per month "
            "(14 h/day → about 2.5); people = seats × people per seat.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seat-hours-per-day", required=True, help="Hours a seat is staffed each day, 0–24.")
        parser.add_argument("--days-per-month", help=default_help(defaults.DAYS_PER_MONTH,
                                                                   "Days the seat is served per month."))
        parser.add_argument("--legal-hours-per-month", help=default_help(
            defaults.LEGAL_HOURS_PER_MONTH, "Legal working hours per person per month (20.83 days × 8 h)."))
        parser.add_argument("--seats", help="Number of seats (a whole number). Default 1.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        run(self, lambda: selectors.headcount_calculate(
                seat_hours_per_day=options["seat_hours_per_day"], days_per_month=options["days_per_month"],
                legal_hours_per_month=options["legal_hours_per_month"], seats=options["seats"]),
            options["json"], lambda data: [f"people per seat  {data['people_per_seat']:.4f}",
                                           f"people           {data['people']:.4f}"])
