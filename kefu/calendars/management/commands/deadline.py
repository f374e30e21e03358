"""`kefu deadline`: compute a deadline from the command line (issue 5, R11.1/R11.2).

    kefu deadline --start 2026-02-13T17:00:00+08:00 --working-hours 2 --json
    {"deadline": "2026-02-14T10:00:00+08:00"}

--minutes/--hours/--days/--months are elapsed time on the 7×24 clock; --working-minutes/--working-hours/
--working-days count working time on the default calendar (China's official working days, 09:00–18:00) unless
--calendar names another. Bad input (a start without a time zone, a zero or negative duration, a span reaching
into a year with no official schedule, an unknown calendar) exits with code 2 and says which, in Chinese and
English.
"""

import json
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from kefu.calendars import selectors
from kefu.calendars.arithmetic import Unit
from kefu.core.errors import KefuError

OPTIONS = {
    "minutes": Unit.MINUTES, "hours": Unit.HOURS, "days": Unit.DAYS, "months": Unit.MONTHS,
    "working_minutes": Unit.WORKING_MINUTES, "working_hours": Unit.WORKING_HOURS, "working_days": Unit.WORKING_DAYS,
}
EXIT_BAD_INPUT = 2


class Command(BaseCommand):
    help = "Compute a deadline on a calendar (7×24 elapsed time, or working time on China's working days)."

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True,
                            help="ISO 8601 instant with its offset, e.g. 2026-02-13T17:00:00+08:00")
        group = parser.add_mutually_exclusive_group(required=True)
        for option, unit in OPTIONS.items():
            kind = "working time on the calendar" if unit.is_working else "elapsed, 7×24"
            group.add_argument(f"--{option.replace('_', '-')}", dest=option, metavar="N",
                               help=f"{option.replace('_', ' ')} ({kind})")
        parser.add_argument("--calendar", help="calendar name (default: 'default' for working time, '24x7' else)")
        parser.add_argument("--json", action="store_true", help='print {"deadline": "<ISO 8601>"}')

    def handle(self, *args, start, calendar, json: bool, **options):
        option, amount = next((name, options[name]) for name in OPTIONS if options.get(name) is not None)
        try:
            start_at = datetime.fromisoformat(start.strip())
        except ValueError:
            raise CommandError(f"--start: “{start}” 不是 ISO 8601 时间 / is not an ISO 8601 date and time "
                               "(e.g. 2026-02-13T17:00:00+08:00)", returncode=EXIT_BAD_INPUT) from None
        try:
            result = selectors.deadline_compute(start=start_at, amount=amount, unit=OPTIONS[option],
                                                calendar_name=calendar)
        except KefuError as error:
            where = f"--{error.field.replace('_', '-')}: " if error.field in ("start", "calendar") else (
                f"--{option.replace('_', '-')}: " if error.field == "duration" else "")
            raise CommandError(f"{where}{error.message_zh} / {error.message_en}", returncode=EXIT_BAD_INPUT) from None
        if json:
            self.stdout.write(_json_dumps({"deadline": result.deadline.isoformat()}))
        else:
            self.stdout.write(f"{result.deadline.isoformat()}  ({result.deadline:%A}, calendar {result.calendar})")


def _json_dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
