import logging
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from kefu.core import periodic

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = ("Run the background worker: queued tasks (imports, mail, webhooks) and, every few seconds, the periodic "
            "work (SLA warnings and escalation). Several workers may run at once.")

    def add_arguments(self, parser):
        parser.add_argument("--tick-seconds", type=float, default=5.0, help="Seconds between periodic runs.")
        parser.add_argument("--no-tasks", action="store_true", help="Only the periodic work.")

    def handle(self, *args, tick_seconds, no_tasks, **options):
        stop = threading.Event()

        def ticker():
            while not stop.is_set():
                try:
                    periodic.run_all()
                except Exception:  # noqa: BLE001 — logged; the next tick tries again
                    logger.exception("periodic run failed")
                finally:
                    connection.close()
                stop.wait(tick_seconds)

        thread = threading.Thread(target=ticker, name="kefu-periodic", daemon=True)
        thread.start()
        try:
            if no_tasks:
                thread.join()
            else:
                call_command("db_worker", queue_name="default", interval=1.0, reload=False)
        finally:
            stop.set()
