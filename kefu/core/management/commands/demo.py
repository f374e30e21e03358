from django.core.management.base import BaseCommand, CommandError

from kefu.core import demo


class Command(BaseCommand):
    help = "Load the Chinese demo data set (idempotent; refused under production settings)."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=None,
                            help="Make this many benchmark customers (3 phone numbers each) instead of the demo set.")

    def handle(self, *args, customers=None, **options):
        try:
            if customers is not None:
                if customers < 0:
                    raise CommandError("--customers must be zero or more.")
                from django.conf import settings

                if not settings.DEMO_ALLOWED:
                    raise CommandError("Demo data is never loaded under production settings.")
                demo.customers_bulk(customers, out=self.stdout.write)
                return
            logins = demo.load(out=self.stdout.write)
        except demo.DemoNotAllowed as error:
            raise CommandError(str(error)) from None
        self.stdout.write("")
        self.stdout.write("Demo logins (username / password — role):")
        for username, password, role in logins:
            self.stdout.write(f"  {username:<22} {password}   {role}")
