"""R11.3: each escalation step happens exactly once, even with two worker processes at the same time or a worker
killed with SIGKILL in the middle of a sweep. Real processes against the test database (PostgreSQL in CI)."""

import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from django.db import connection

from kefu.core import clock
from kefu.core.models import Setting
from kefu.sla.models import ClockEscalation, SlaClock
from kefu.tickets.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return (f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
            f"/{settings['NAME']}")


def tick_process(**env) -> subprocess.Popen:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "kefu.settings.base", "KEFU_DATABASE_URL": database_url(),
                   "KEFU_ENVIRONMENT": "development", **env}
    return subprocess.Popen([sys.executable, "-m", "kefu", "tick"], env=environment, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def overdue_clocks(make_ticket, count: int) -> list[int]:
    """`count` tickets whose case-answer clock broke five hours ago: all three steps are due, not the warning."""
    for n in range(count):
        make_ticket(title=f"逾期工单 {n}")
    past = clock.now() - timedelta(hours=5)
    SlaClock.objects.update(deadline=past, warn_at=past - timedelta(hours=1), next_check_at=past)
    connection.close()  # the child processes must see committed rows
    return list(SlaClock.objects.values_list("pk", flat=True))


def assert_each_step_once(clock_ids: list[int], make_user_roles) -> None:
    rows = list(ClockEscalation.objects.values_list("clock_id", "step"))
    assert len(rows) == len(set(rows))
    assert sorted(rows) == sorted((pk, step) for pk in clock_ids for step in (1, 2, 3))
    for user in make_user_roles:
        assert Notification.objects.filter(user=user).count() == len(clock_ids)


@pytest.fixture
def escalation_people(make_user):
    return [make_user("shift_lead"), make_user("supervisor"), make_user("management")]


def test_two_workers_at_once_escalate_each_step_once(make_ticket, escalation_people):
    Setting.objects.create(key="sla.sweep_batch", value=25)
    clock_ids = overdue_clocks(make_ticket, 150)
    workers = [tick_process(), tick_process()]
    outputs = [worker.communicate(timeout=300) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), outputs
    assert_each_step_once(clock_ids, escalation_people)
    assert not SlaClock.objects.filter(next_check_at__isnull=False).exists()


def test_a_worker_killed_mid_sweep_leaves_nothing_half_done(make_ticket, escalation_people):
    clock_ids = overdue_clocks(make_ticket, 40)
    stalled = tick_process(KEFU_SLA_SWEEP_STALL="120")
    line = stalled.stdout.readline()
    assert "stalled" in line, stalled.stderr.read()
    stalled.send_signal(signal.SIGKILL)  # killed with its transaction open
    stalled.wait(timeout=30)
    assert ClockEscalation.objects.count() == 0 and Notification.objects.count() == 0
    survivor = tick_process()
    output = survivor.communicate(timeout=300)
    assert survivor.returncode == 0, output
    assert_each_step_once(clock_ids, escalation_people)
