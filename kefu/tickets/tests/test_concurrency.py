"""R4.6 and R4.2 under real concurrency (threads with their own database connections; PostgreSQL in CI)."""

import threading

import pytest
from django.db import connection

from kefu.core.errors import ConflictError
from kefu.tickets.models import Ticket, TicketEvent
from kefu.tickets.services import ticket_update


def run_in_threads(count: int, target) -> list:
    barrier = threading.Barrier(count)
    results: list = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        try:
            barrier.wait()
            outcome = target(index)
        except Exception as error:  # noqa: BLE001 — the test inspects every outcome
            outcome = error
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_eight_creators_at_once_never_collide(make_ticket):
    per_thread = 5
    results = run_in_threads(8, lambda i: [make_ticket(title=f"并发 {i}-{n}").number for n in range(per_thread)])
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    numbers = [number for batch in results for number in batch]
    assert len(numbers) == len(set(numbers)) == 8 * per_thread
    assert Ticket.objects.count() == 40
    # Sortable by date and, within a day, by creation order.
    suffixes = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert suffixes == list(range(1, 41))


@pytest.mark.django_db(transaction=True)
def test_two_agents_saving_at_once_get_one_success_and_one_conflict(make_ticket, make_user):
    ticket = make_ticket()
    users = [make_user("agent"), make_user("shift_lead")]
    seen = ticket.version

    def save(index: int):
        own = Ticket.objects.get(pk=ticket.pk)
        return ticket_update(actor=users[index], ticket=own, version=seen,
                             changes={"location": ["收银台", "后厨"][index]})

    results = run_in_threads(2, save)
    conflicts = [r for r in results if isinstance(r, ConflictError)]
    successes = [r for r in results if isinstance(r, Ticket)]
    assert len(conflicts) == 1 and len(successes) == 1, results
    ticket.refresh_from_db()
    assert ticket.version == seen + 1
    assert ticket.location == successes[0].location
    assert TicketEvent.objects.filter(ticket=ticket, action="changed").count() == 1
