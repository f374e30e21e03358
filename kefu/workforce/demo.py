"""Workforce demo data (R9.1, R9.5): a hotline queue with eight weeks of half-hourly contact volume before today
(a weekly pattern, two daily peaks, China's holidays and adjusted working days, Poisson noise; seed 2026) and
a desk of named agents with profiles, so the forecast, the optimiser and the roster run from the UI at once.

Idempotent: the queue, its volumes and the agents have fixed keys; what exists is left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db import transaction

from kefu.accounts.models import Team, User
from kefu.accounts.services import user_create
from kefu.core import clock

from . import forecasting, selectors
from .models import AgentProfile, IntervalVolume, PlanningQueue, ShiftTemplate
from .services import interval_volumes_record, shift_defaults_seed

QUEUE = "hotline"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
         "霞", "平", "刚", "桂英", "晨", "欣", "婷", "浩", "宇", "佳", "琳", "凯")
WEEKLY = (1.18, 1.08, 1.0, 0.98, 1.05, 0.72, 0.62)  # Monday … Sunday
KIND_FACTOR = {forecasting.HOLIDAY: 0.45, forecasting.ADJUSTED_WORKING_DAY: 1.1}


def intraday_profile(intervals: int = 48) -> np.ndarray:
    """Share of a day's calls per interval: a night trough, peaks around 10:00 and 15:00."""
    hours = (np.arange(intervals) + 0.5) * 24 / intervals
    shape = 0.04 + np.exp(-((hours - 10) / 2.0) ** 2) + 0.85 * np.exp(-((hours - 15) / 2.4) ** 2)
    return shape / shape.sum()


def load(*, agents: int = 40, weeks: int = 8, daily_calls: int = 1300,
         out: Callable[[str], None] = print) -> dict[str, int]:
    """Load the demo queue, volumes and agents (refused under production settings)."""
    if not settings.DEMO_ALLOWED:
        raise RuntimeError("Demo data is never loaded under production settings.")
    shift_defaults_seed()
    rng = np.random.default_rng(2026)
    today = clock.today()
    first = today - timedelta(days=7 * weeks)
    queue = PlanningQueue.objects.filter(code=QUEUE).first()
    if queue is None:
        queue = PlanningQueue.objects.create(code=QUEUE, name="客服热线", interval_minutes=30, aht_seconds=240,
                                             patience_seconds=120)
    written = 0
    if not IntervalVolume.objects.filter(queue=queue).exists():
        kinds = selectors.day_kinds(first, today)
        shape = intraday_profile(48)
        counts = []
        for offset in range((today - first).days):
            day = first + timedelta(days=offset)
            level = daily_calls * WEEKLY[day.weekday()] * (1 + 0.002 * offset) * KIND_FACTOR.get(kinds[day], 1.0)
            values = rng.poisson(level * shape)
            midnight = selectors.local_midnight(day)
            counts += [(midnight + timedelta(minutes=30 * i), int(v)) for i, v in enumerate(values)]
        written = interval_volumes_record(queue_code=QUEUE, interval_minutes=30, counts=counts,
                                          source=IntervalVolume.Source.DEMO)
    made = _agents(agents, queue)
    out(f"Workforce demo: queue {QUEUE}, {written} intervals of history written, {made} agents created.")
    return {"intervals": written, "agents": made}


def _agents(count: int, queue: PlanningQueue) -> int:
    desk = Team.objects.filter(code="desk").first()
    supervisor = User.objects.filter(username="supervisor").first()
    night = ShiftTemplate.objects.filter(is_night=True).first()
    made = 0
    with transaction.atomic():
        demo_agent = User.objects.filter(username="agent").first()  # the demo login sees his roster, asks for leave
        if demo_agent is not None:
            AgentProfile.objects.get_or_create(user=demo_agent, defaults={"supervisor": supervisor})
        for index in range(1, count + 1):
            username = f"agent-{index:02d}"
            user = User.objects.filter(username=username).first()
            if user is None:
                name = SURNAMES[(index * 7) % len(SURNAMES)] + GIVEN[(index * 11) % len(GIVEN)]
                user = user_create(username=username, password=None, full_name=name, work_number=f"{2000 + index}",
                                   roles=["agent"], teams=[desk] if desk else [], extension=f"6{index:03d}")
                made += 1
            profile, created = AgentProfile.objects.get_or_create(
                user=user, defaults={"supervisor": supervisor, "works_nights": index % 9 != 0,
                                     "preferred_days_off": "67" if index % 5 == 0 else ""})
            if created:
                profile.queues.set([queue])
                if index % 7 == 0 and night is not None:
                    profile.preferred_templates.set(ShiftTemplate.objects.filter(is_night=False))
    return made
