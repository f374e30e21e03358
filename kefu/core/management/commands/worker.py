from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background worker (queued imports, mail, webhooks; later the periodic SLA ticks)."

    def handle(self, *args, **options):
        call_command("db_worker", queue_name="default", interval=1.0, reload=False)
