import json

from django.core.management.base import BaseCommand

from kefu.core import periodic


class Command(BaseCommand):
    help = "Run the periodic work once (SLA warnings and escalation, …); for cron. Safe to run in parallel."

    def handle(self, *args, **options):
        results = periodic.run_all()
        self.stdout.write(json.dumps({name: getattr(r, "__dict__", r) for name, r in results.items()},
                                     ensure_ascii=False))
