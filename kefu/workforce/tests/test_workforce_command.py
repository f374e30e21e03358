"""`kefu workforce …` (R9.1, R9.5): import volumes, forecast, plan, roster, demo; bad input exits with code 2."""

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kefu.workforce.models import AgentProfile, IntervalVolume, Roster

pytestmark = pytest.mark.django_db


def run(*args: str) -> dict:
    out = StringIO()
    call_command("workforce", *args, stdout=out)
    return json.loads(out.getvalue())


def test_import_forecast_plan_roster(tmp_path, make_user):
    lines = ["queue,interval_start,interval_minutes,offered"]
    first = date(2026, 3, 2)
    for offset in range(28):
        day = first + timedelta(days=offset)
        for half_hour in range(16, 42):
            lines.append(f"hotline,{day} {half_hour // 2:02d}:{30 * (half_hour % 2):02d},30,"
                         f"{20 + (half_hour % 7) + (10 if day.weekday() < 5 else 0)}")
    path = tmp_path / "volumes.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    imported = run("import-volumes", str(path), "--json")
    assert imported["written"] == 28 * 26 and IntervalVolume.objects.count() == 28 * 26
    forecast = run("forecast", "--queue", "hotline", "--start", "2026-03-30", "--days", "7", "--json")
    assert forecast["model"] in ("seasonal_naive", "holt_winters") and forecast["wape"] is not None
    assert len(forecast["daily"]) == 7
    plan = run("plan", "--queue", "hotline", "--start", "2026-03-30", "--days", "7", "--json")
    assert plan["status"] == "optimal" and plan["gap"] == 0 and plan["short_intervals"] == 0
    for _ in range(14):
        AgentProfile.objects.create(user=make_user("agent"))
    roster = run("roster", "--plan", str(plan["plan"]), "--time-limit", "20", "--publish", "--json")
    assert roster["status"] in ("optimal", "feasible") and roster["published"]
    assert Roster.objects.get(pk=roster["roster"]).status == "published"


def test_bad_input_exits_with_code_2(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("queue,interval_start,offered\nhotline,2026-03-02 08:10,3\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("workforce", "import-volumes", str(path), stderr=StringIO())
    assert error.value.returncode == 2
    with pytest.raises(CommandError) as error:
        call_command("workforce", "plan", "--queue", "nowhere", "--month", "2026-03")
    assert error.value.returncode == 2
    with pytest.raises(CommandError) as error:
        call_command("workforce", "forecast", "--queue", "nowhere", "--month", "2026-3x")
    assert error.value.returncode == 2
