"""Another server process, for the configuration-copy tests (test_config_copies.py).

Reads one command per line on stdin and handles each as a request would be handled (between request_started and
request_finished, as the WSGI handler sends them), answering one JSON line:

    create <username>    creates a repair ticket and answers its answer deadline in hours after receipt
    set-days <n>         sets the case-answer policy to n days (a save, as the admin site does it)
"""

from __future__ import annotations

import json
import os
import sys
from decimal import Decimal


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings.base")
    import django

    django.setup()
    from django.core.signals import request_finished, request_started

    from kefu.accounts.models import User
    from kefu.sla.models import SlaPolicy
    from kefu.tickets.models import TicketKind
    from kefu.tickets.services import ticket_create

    for line in sys.stdin:
        command, _space, argument = line.strip().partition(" ")
        request_started.send(sender=None)
        try:
            if command == "create":
                ticket = ticket_create(actor=User.objects.get(username=argument),
                                       kind=TicketKind.objects.get(code="repair"), title="另一进程创建")
                answer = {"hours": (ticket.answer_due_at - ticket.received_at).total_seconds() / 3600}
            elif command == "set-days":
                policy = SlaPolicy.objects.get(code="case_answer")
                policy.amount = Decimal(argument)
                policy.save()
                answer = {"ok": True}
            else:
                answer = {"error": f"unknown command {command!r}"}
        except Exception as error:  # noqa: BLE001 — reported to the test, which fails on it
            answer = {"error": repr(error)}
        finally:
            request_finished.send(sender=None)
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
