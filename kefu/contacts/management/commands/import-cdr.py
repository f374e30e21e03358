"""`kefu import-cdr FILE --format asterisk-csv|generic-csv [--dry-run]`: R3.6 call detail records from the
command line; every row is checked, then all calls are written or none (kefu.contacts.cdr)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kefu.contacts import cdr
from kefu.contacts.telephony.asterisk import DEFAULT_OUTBOUND_CONTEXTS
from kefu.core.errors import KefuError


class Command(BaseCommand):
    help = ("Import call detail records: Asterisk's Master.csv (asterisk-csv) or the generic CSV (generic-csv), "
            "UTF-8 or GBK/GB18030; idempotent by call id, all or nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", required=True, choices=cdr.FORMATS)
        parser.add_argument("--dry-run", action="store_true", help="Check the file and print the report only.")
        parser.add_argument("--timezone", help="Time zone of the file's times (default: Kefu's, Asia/Shanghai)")
        parser.add_argument("--outbound-context", action="append", dest="outbound_contexts",
                            help="asterisk-csv: dcontext of calls placed by agents (repeatable; default "
                                 "from-internal)")

    def handle(self, *args, file, format, dry_run, timezone, outbound_contexts, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            report, _log = cdr.cdr_import(actor=None, filename=path.name, content=path.read_bytes(), fmt=format,
                                          dry_run=dry_run, tz_name=timezone,
                                          outbound_contexts=outbound_contexts or DEFAULT_OUTBOUND_CONTEXTS)
        except KefuError as error:
            raise CommandError(f"{error.message_zh} / {error.message_en}") from None
        if report.errors:
            for error in report.errors:
                self.stdout.write(f"row {error.row}, {error.field or '-'}: {error.message} / {error.message_en}")
            raise CommandError(f"{len(report.errors)} errors in {report.total_rows} rows; nothing was imported.")
        if dry_run:
            self.stdout.write(f"{report.total_rows} rows, {len(report.calls)} calls, all valid "
                              "(dry run: nothing written).")
            return
        self.stdout.write(f"{report.total_rows} rows, {len(report.calls)} calls: {report.created} imported, "
                          f"{report.skipped} already there.")
