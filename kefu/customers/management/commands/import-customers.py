"""`kefu import-customers FILE [--dry-run]`: R2.4 from the command line, with progress."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kefu.core.errors import KefuError
from kefu.customers import importing


class Command(BaseCommand):
    help = "Import customers from .xlsx or .csv (UTF-8 or GB18030): check every row, then all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and print the report only.")

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        show = sys.stderr.isatty()

        def progress(stage: str, done: int, total: int) -> None:
            label = {"validate": "checked", "write": "written"}[stage]
            line = f"{label} {done}" + (f"/{total}" if total else "") + " rows"
            if show:
                self.stderr.write(f"\r{line}", ending="")
            elif total and done == total:
                self.stderr.write(line)

        try:
            report = importing.validate(path.name, path.read_bytes(), progress=progress)
            if show:
                self.stderr.write("")
            if report.errors:
                for error in report.errors:
                    self.stdout.write(f"row {error.row}, {error.field}: {error.message} / {error.message_en}")
                raise CommandError(f"{len(report.errors)} errors in {report.total_rows} rows; nothing was imported.")
            if dry_run:
                self.stdout.write(f"{report.total_rows} rows, all valid (dry run: nothing written).")
                return
            importing.apply(report, progress=progress)
            if show:
                self.stderr.write("")
        except KefuError as error:
            raise CommandError(f"{error.message_zh} / {error.message_en}") from None
        self.stdout.write(f"{report.total_rows} rows: {report.created} created, {report.updated} updated.")
