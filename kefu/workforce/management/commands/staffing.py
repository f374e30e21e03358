"""`kefu staffing`: R9.2 for one interval — Erlang C, or Erlang A when --patience-seconds is given.

    kefu staffing --calls N --interval-seconds S --aht-seconds A --answer-within-seconds T
                  (--service-level L | --answer-rate R | --agents K) [--patience-seconds P]
                  [--shrinkage X] [--max-occupancy Y] --json

prints {"model", "traffic_erlangs", "agents", "scheduled_agents", "service_level", "asa_seconds", "occupancy",
"p_wait"} (+ "p_abandon" under Erlang A). Invalid input exits with code 2.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kefu.workforce import defaults, selectors

from ._common import default_help, run


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


class Command(BaseCommand):
    help = ("R9.2: agents needed for one interval (Erlang C; Erlang A with --patience-seconds), or the figures of "
            "a given number of agents with --agents.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--calls", required=True, help="Calls offered in the interval; may be fractional.")
        parser.add_argument("--interval-seconds", required=True, help="Interval length in seconds, e.g. 1800.")
        parser.add_argument("--aht-seconds", required=True, help="Average handling time in seconds.")
        parser.add_argument("--answer-within-seconds", help=default_help(
            defaults.ANSWER_WITHIN_SECONDS, "T of the service level (answered within T seconds)."))
        parser.add_argument("--service-level", help=default_help(
            defaults.SERVICE_LEVEL_TARGET, "Target share answered within T, below 1, e.g. 0.8.",
            "No default here; the staffing page starts from"))
        parser.add_argument("--answer-rate", help=default_help(
            defaults.ANSWER_RATE_TARGET, "Target answer rate (接通率) = 1 − P(abandon), below 1; meaningful with "
            "--patience-seconds.", "No default here; the staffing page starts from"))
        parser.add_argument("--agents", help="Evaluate this whole number of agents on the phones instead of a target.")
        parser.add_argument("--patience-seconds", help="Mean patience of waiting callers; selects Erlang A.")
        parser.add_argument("--shrinkage", help=default_help(
            defaults.SHRINKAGE, "Share of paid time off the phones, in [0, 1)."))
        parser.add_argument("--max-occupancy", help=default_help(
            defaults.MAX_OCCUPANCY, "Occupancy cap, in (0, 1]."))
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["answer_rate"] is not None and options["patience_seconds"] is None and not options["json"]:
            self.stderr.write("Note: without --patience-seconds (Erlang C) nobody abandons, so any stable "
                              "staffing meets an answer-rate target.")
        fields = ("calls", "interval_seconds", "aht_seconds", "answer_within_seconds", "service_level",
                  "answer_rate", "agents", "patience_seconds", "shrinkage", "max_occupancy")
        run(self, lambda: selectors.staffing_calculate(**{f: options[f] for f in fields}).as_dict(), options["json"],
            self.render)

    @staticmethod
    def render(data: dict[str, Any]) -> list[str]:
        lines = [
            f"model             {data['model']}",
            f"traffic           {data['traffic_erlangs']:.4g} Erlangs",
            f"agents            {data['agents']} on the phones",
            f"scheduled agents  {data['scheduled_agents']} (with shrinkage)",
            f"service level     {_percent(data['service_level'])}",
            "ASA               " + ("—" if data["asa_seconds"] is None else f"{data['asa_seconds']:.1f} s"),
            f"occupancy         {_percent(data['occupancy'])}",
            f"P(wait)           {_percent(data['p_wait'])}",
        ]
        if "p_abandon" in data:
            lines.append(f"P(abandon)        {_percent(data['p_abandon'])}")
        return lines
