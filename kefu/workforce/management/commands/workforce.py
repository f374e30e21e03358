"""`kefu workforce …`: the forecast, shift plan and roster from the command line (R9.1, R9.5), for operators and
cron. They run in this process (no worker needed) through the same services as the pages and the API.

    kefu workforce import-volumes FILE [--dry-run] [--json]
    kefu workforce volumes-from-contacts --start 2026-03-01 --end 2026-03-31 [--json]
    kefu workforce forecast --queue CODE (--month 2026-03 | --start 2026-03-01 --days 31) [--json]
    kefu workforce plan --queue CODE (--month … | --start … --days N) [--time-limit S] [--max-shifts-per-day N] [--json]
    kefu workforce roster (--plan ID | --queue CODE --month …) [--roster ID] [--time-limit S] [--publish] [--json]
    kefu workforce demo [--agents N] [--weeks N]

Bad input exits with code 2, a rule refusing the work (no plan found, …) with code 1.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kefu.core.errors import FieldError, KefuError
from kefu.workforce import defaults, services
from kefu.workforce.models import PlanningQueue, Roster, StaffingPlan

from ._common import USAGE_ERROR, default_help


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--start: {value!r} is not a date such as 2026-03-01.", returncode=USAGE_ERROR) from None


class Command(BaseCommand):
    help = "Workforce planning (R9.1, R9.5): import volumes, forecast, plan shifts, make rosters, demo data."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        imports = sub.add_parser("import-volumes", help="Import contacts per queue and interval from CSV "
                                 "(queue, interval_start, interval_minutes, offered); all or nothing.")
        imports.add_argument("file", help="A CSV file in UTF-8 or GB18030.")
        imports.add_argument("--dry-run", action="store_true", help="Check every row, write nothing.")
        imports.add_argument("--json", action="store_true")

        counted = sub.add_parser("volumes-from-contacts", help="Count the recorded calls per queue and interval "
                                 "into the volume history (R9.1); ended intervals only, replacing earlier counts.")
        counted.add_argument("--start", required=True, help="First day, e.g. 2026-03-01.")
        counted.add_argument("--end", required=True, help="Last day, inclusive.")
        counted.add_argument("--json", action="store_true")

        for name, text in (("forecast", "Forecast a queue's contacts per interval; the model is chosen by "
                                        "backtest (R9.1)."),
                           ("plan", "Forecast, required agents per interval, and the cheapest shift starts "
                                    "covering them (R9.5).")):
            command = sub.add_parser(name, help=text)
            command.add_argument("--queue", required=True, help="The queue code (PBX queue name).")
            command.add_argument("--month", help="A calendar month such as 2026-03.")
            command.add_argument("--start", help="First day, e.g. 2026-03-01 (with --days).")
            command.add_argument("--days", type=int, help="Number of days (with --start).")
            command.add_argument("--json", action="store_true")
            if name == "plan":
                command.add_argument("--time-limit", type=float, help=default_help(
                    defaults.PLAN_TIME_LIMIT, "Seconds the optimiser may use."))
                command.add_argument("--max-shifts-per-day", type=int,
                                     help="At most this many shifts start on one day (the headcount available).")

        roster = sub.add_parser("roster", help="Assign named agents to a plan's shifts (R9.5).")
        roster.add_argument("--plan", type=int, help="The staffing plan's number.")
        roster.add_argument("--queue", help="With --month: the latest plan of this queue starting that month.")
        roster.add_argument("--month")
        roster.add_argument("--roster", type=int, help="Solve this draft roster again (keeps what was fixed).")
        roster.add_argument("--time-limit", type=float, help=default_help(
            defaults.ROSTER_TIME_LIMIT, "Seconds the roster solver may use."))
        roster.add_argument("--publish", action="store_true", help="Publish the roster to its agents.")
        roster.add_argument("--json", action="store_true")

        demo = sub.add_parser("demo", help="Load a demo queue with eight weeks of history and demo agents.")
        demo.add_argument("--agents", type=int, default=40)
        demo.add_argument("--weeks", type=int, default=8)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            data = getattr(self, "do_" + action.replace("-", "_"))(options)
        except FieldError as error:
            raise CommandError(f"--{(error.field or 'input').replace('_', '-')}: {error.message_zh} / "
                               f"{error.message_en}", returncode=USAGE_ERROR) from None
        except KefuError as error:
            raise CommandError(f"{error.message_zh} / {error.message_en}", returncode=1) from None
        if data is None:
            return
        if options.get("json"):
            self.stdout.write(json.dumps(data, ensure_ascii=False, default=str))
        else:
            for key, value in data.items():
                self.stdout.write(f"{key:<22} {value}")

    # --- actions ---------------------------------------------------------------------------------------------

    def do_import_volumes(self, options: dict[str, Any]) -> dict[str, Any]:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.", returncode=USAGE_ERROR)
        report = services.interval_volumes_import(content=path.read_bytes(), dry_run=options["dry_run"])
        if report.errors:
            for error in report.errors[:50]:
                self.stderr.write(f"row {error['row']} {error['field']}: {error['message']} / "
                                  f"{error['message_en']}")
            raise CommandError(f"{len(report.errors)} rows have errors; nothing was imported.",
                               returncode=USAGE_ERROR)
        return report.as_dict()

    def do_volumes_from_contacts(self, options: dict[str, Any]) -> dict[str, Any]:
        first, last = _date(options["start"]), _date(options["end"])
        if last < first:
            raise CommandError("--end: the last day must not come before the first day.", returncode=USAGE_ERROR)
        start, end = services.day_span(first, last)
        written = services.interval_volumes_from_contacts(start=start, end=end)
        return {"intervals": sum(written.values()), "queues": written}

    def _period(self, options: dict[str, Any]) -> tuple[date, int]:
        if options.get("month"):
            return services.month_bounds(options["month"])
        if options.get("start") and options.get("days"):
            return _date(options["start"]), int(options["days"])
        raise CommandError("Give --month, or --start and --days.", returncode=USAGE_ERROR)

    @staticmethod
    def _queue(code: str) -> PlanningQueue:
        queue = PlanningQueue.objects.filter(code=code).first()
        if queue is None:
            raise CommandError(f"--queue: there is no queue {code!r} (import its volumes first).",
                               returncode=USAGE_ERROR)
        return queue

    def do_forecast(self, options: dict[str, Any]) -> dict[str, Any]:
        queue = self._queue(options["queue"])
        start, days = self._period(options)
        result = services.forecast_compute(queue=queue, start_date=start, days=days)
        totals = result.values.sum(axis=1)
        return {"queue": queue.code, "start": start.isoformat(), "days": days, "model": result.model,
                "wape": result.errors.wape, "mape": result.errors.mape,
                "backtest": {k: v.as_dict() for k, v in result.backtest.items()},
                "history_days": result.history_days, "contacts": round(float(totals.sum()), 1),
                "daily": [round(float(t), 1) for t in totals]}

    def do_plan(self, options: dict[str, Any]) -> dict[str, Any]:
        queue = self._queue(options["queue"])
        start, days = self._period(options)
        plan = services.staffing_plan_compute(queue=queue, start_date=start, days=days,
                                              time_limit_seconds=options.get("time_limit"),
                                              max_shifts_per_day=options.get("max_shifts_per_day"))
        short = [(d.date.isoformat(), i) for d in plan.plan_days.all()
                 for i, (r, s) in enumerate(zip(d.required, d.scheduled, strict=True)) if s < r]
        return {"plan": plan.pk, "queue": queue.code, "start": start.isoformat(), "days": days,
                "status": plan.solver_status, "objective": plan.objective, "best_bound": plan.best_bound,
                "gap": plan.gap, "paid_hours": plan.paid_hours, "wall_seconds": round(plan.wall_seconds, 3),
                "shifts": {code: sum(int(d.starts.get(code, 0)) for d in plan.plan_days.all())
                           for code in plan.templates},
                "short_intervals": len(short), "first_short": short[:10]}

    def do_roster(self, options: dict[str, Any]) -> dict[str, Any]:
        if options.get("roster"):
            roster = Roster.objects.filter(pk=options["roster"]).first()
            if roster is None:
                raise CommandError(f"--roster: there is no roster {options['roster']}.", returncode=USAGE_ERROR)
        else:
            if options.get("plan"):
                plan = StaffingPlan.objects.filter(pk=options["plan"]).first()
            elif options.get("queue") and options.get("month"):
                start, _days = services.month_bounds(options["month"])
                plan = StaffingPlan.objects.filter(queue__code=options["queue"], start_date=start).first()
            else:
                raise CommandError("Give --plan, --roster, or --queue and --month.", returncode=USAGE_ERROR)
            if plan is None:
                raise CommandError("There is no such plan (make one with `kefu workforce plan`).",
                                   returncode=USAGE_ERROR)
            roster = services.roster_create(plan=plan)
        roster = services.roster_compute(roster=roster, time_limit_seconds=options.get("time_limit"))
        if options["publish"]:
            services.roster_publish(actor=None, roster=roster)
        report = roster.report
        return {"roster": roster.pk, "plan": roster.plan_id, "status": roster.solver_status,
                "objective": roster.objective, "best_bound": roster.best_bound, "gap": roster.gap,
                "wall_seconds": round(roster.wall_seconds, 3), "agents": report.get("agents"),
                "assignments": report.get("assignments"), "unfilled_shifts": roster.unfilled_shifts,
                "nights_min": report.get("nights_min"), "nights_max": report.get("nights_max"),
                "fixed_breaches": report.get("fixed_breaches"), "published": roster.status == Roster.Status.PUBLISHED}

    def do_demo(self, options: dict[str, Any]) -> None:
        from kefu.workforce import demo

        try:
            demo.load(agents=options["agents"], weeks=options["weeks"], out=self.stdout.write)
        except RuntimeError as error:
            raise CommandError(str(error)) from None
