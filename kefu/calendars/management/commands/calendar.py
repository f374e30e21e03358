"""`kefu calendar check|import|export`: China's official schedule from the command line (R11.1).

    kefu calendar check --year 2027      # exit 1 and say so when the year's official schedule is missing
    kefu calendar import 2027.csv        # import a year's schedule (see --help for the format); --dry-run
    kefu calendar export --year 2026     # a loaded year in the import format (a template for the next)
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from kefu.calendars import selectors, services
from kefu.core import clock
from kefu.core.errors import KefuError


class Command(BaseCommand):
    help = "China's official schedule (holidays and adjusted working days): check a year, import, export."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{check,import,export}")
        check = actions.add_parser("check", help="exit non-zero when a year's official schedule is not loaded")
        check.add_argument("--year", type=int, help="the year to check (default: next year)")
        with translation.override("en"):
            format_help = str(services.IMPORT_FORMAT_HELP)
        load = actions.add_parser("import", help="import a year's official schedule from CSV or JSON",
                                  description=format_help)
        load.add_argument("file")
        load.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
        export = actions.add_parser("export", help="print a loaded year in the import format")
        export.add_argument("--year", type=int, required=True)
        export.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args, action: str, **options):
        return getattr(self, f"handle_{action}")(**options)

    def handle_check(self, *, year: int | None, **options) -> None:
        year = year or clock.today().year + 1
        summary = selectors.year_summary(year)
        if not summary["loaded"]:
            raise CommandError(f"{year}: 未加载国家法定节假日安排 / the official schedule is not loaded "
                               f"(loaded: {selectors.year_ranges(selectors.official_years()) or '—'}); "
                               f"import it with `kefu calendar import FILE`.")
        self.stdout.write(f"{year}: loaded ({summary['source']}): {summary['holidays']} holidays, "
                          f"{summary['adjusted_working_days']} adjusted working days.")

    def handle_import(self, *, file: str, dry_run: bool, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            report = services.schedule_import(actor=None, filename=path.name, content=path.read_bytes(),
                                              dry_run=dry_run)
        except KefuError as error:
            for row in getattr(getattr(error, "report", None), "errors", []):
                self.stderr.write(f"line {row['line']}, {row['field']}: {row['message']} / {row['message_en']}")
            raise CommandError(f"{error.message_zh} / {error.message_en}") from None
        years = ", ".join(str(y) for y in report.years)
        verb = "would be" if dry_run else "were"
        self.stdout.write(f"{years}: {len(report.rows)} days; {report.created} {verb} added, {report.updated} "
                          f"changed, {report.deleted} removed." + (" (dry run: nothing written)" if dry_run else ""))

    def handle_export(self, *, year: int, format: str, **options) -> None:
        if not selectors.official_year_loaded(year):
            raise CommandError(f"{year}: 未加载 / not loaded")
        self.stdout.write(services.schedule_export(year, format), ending="")

