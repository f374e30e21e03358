"""The command-line contract of issue 7 (R9.2–R9.4): `kefu staffing`, `kefu seats`, `kefu headcount`."""

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kefu.core.models import Setting

STAFFING_KEYS = {"model", "traffic_erlangs", "agents", "scheduled_agents", "service_level", "asa_seconds",
                 "occupancy", "p_wait"}
EXAMPLE = ["--calls", "100", "--interval-seconds", "1800", "--aht-seconds", "180", "--answer-within-seconds", "20"]


def run(*args: str) -> dict:
    out = StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


def kefu(tmp_path, *args: str) -> subprocess.CompletedProcess:
    """The real console command, on an empty data directory (no migrated database: built-in defaults)."""
    env = {key: value for key, value in os.environ.items() if key not in ("KEFU_DATABASE_URL", "DATABASE_URL")}
    env.update({"KEFU_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "kefu.settings.base"})
    return subprocess.run([sys.executable, "-m", "kefu", *args], capture_output=True, text=True, env=env,
                          timeout=120)


@pytest.mark.django_db
def test_staffing_erlang_c_contract():
    data = run("staffing", *EXAMPLE, "--service-level", "0.8", "--shrinkage", "0.3", "--max-occupancy", "0.85")
    assert set(data) == STAFFING_KEYS
    assert data["model"] == "erlang_c" and data["traffic_erlangs"] == 10
    assert (data["agents"], data["scheduled_agents"]) == (14, 20)
    assert data["service_level"] == pytest.approx(0.8884, abs=1e-4)
    assert data["asa_seconds"] == pytest.approx(7.836, abs=1e-3)
    assert data["occupancy"] == pytest.approx(10 / 14)
    assert data["p_wait"] == pytest.approx(0.1741, abs=1e-4)


@pytest.mark.django_db
def test_staffing_erlang_a_contract():
    data = run("staffing", *EXAMPLE, "--service-level", "0.8", "--patience-seconds", "300")
    assert set(data) == STAFFING_KEYS | {"p_abandon"} and data["model"] == "erlang_a"
    assert data["service_level"] >= 0.8
    evaluated = run("staffing", *EXAMPLE, "--agents", "14", "--patience-seconds", "300")
    assert evaluated["agents"] == 14 and round(evaluated["p_abandon"], 6) == 0.013984
    assert round(evaluated["service_level"], 6) == 0.916792
    rate = run("staffing", *EXAMPLE, "--answer-rate", "0.9", "--patience-seconds", "60")
    assert 1 - rate["p_abandon"] >= 0.9


@pytest.mark.django_db
def test_staffing_edge_cases():
    zero = run("staffing", "--calls", "0", "--interval-seconds", "900", "--aht-seconds", "180",
               "--answer-within-seconds", "20", "--service-level", "0.8", "--shrinkage", "0.3")
    assert (zero["agents"], zero["scheduled_agents"], zero["service_level"]) == (0, 0, 1.0)
    unstable = run("staffing", *EXAMPLE, "--agents", "10")
    assert (unstable["p_wait"], unstable["service_level"], unstable["asa_seconds"]) == (1.0, 0.0, None)
    fractional = run("staffing", "--calls", "37.5", "--interval-seconds", "900", "--aht-seconds", "240",
                     "--answer-within-seconds", "20", "--service-level", "0.8")
    assert fractional["traffic_erlangs"] == 10
    exact = run("staffing", "--calls", "17", "--interval-seconds", "1", "--aht-seconds", "1",
                "--answer-within-seconds", "20", "--agents", "17", "--shrinkage", "0.15")
    assert exact["scheduled_agents"] == 20


@pytest.mark.django_db
@pytest.mark.parametrize(("extra", "option"), [
    (["--agents", "2.5"], "--agents"),
    (["--service-level", "1.0"], "--service-level"),
    (["--service-level", "1.2"], "--service-level"),
    (["--answer-rate", "1"], "--answer-rate"),
    (["--service-level", "0.8", "--shrinkage", "1"], "--shrinkage"),
    (["--service-level", "0.8", "--shrinkage", "-0.1"], "--shrinkage"),
    (["--service-level", "0.8", "--max-occupancy", "0"], "--max-occupancy"),
    (["--service-level", "0.8", "--max-occupancy", "1.01"], "--max-occupancy"),
    (["--service-level", "-0.8"], "--service-level"),
    (["--agents", "-3"], "--agents"),
    (["--service-level", "0.8", "--patience-seconds", "-5"], "--patience-seconds"),
    (["--service-level", "0.8", "--patience-seconds", "0"], "--patience-seconds"),
    (["--service-level", "abc"], "--service-level"),
    (["--service-level", "NaN"], "--service-level"),
    (["--service-level", "0.8", "--agents", "12"], "--agents"),
    ([], "--service-level"),
])
def test_staffing_errors_exit_with_code_2(extra, option):
    with pytest.raises(CommandError) as raised:
        call_command("staffing", *EXAMPLE, *extra, "--json")
    assert raised.value.returncode == 2 and str(raised.value).startswith(option)


@pytest.mark.django_db
@pytest.mark.parametrize("replace", [("--calls", "-1"), ("--interval-seconds", "0"), ("--aht-seconds", "-180"),
                                     ("--answer-within-seconds", "-20"), ("--calls", "1e12")])
def test_negative_or_absurd_figures_exit_with_code_2(replace):
    args = list(EXAMPLE)
    args[args.index(replace[0]) + 1] = replace[1]
    with pytest.raises(CommandError) as raised:
        call_command("staffing", *args, "--service-level", "0.8", "--json")
    assert raised.value.returncode == 2


@pytest.mark.django_db
def test_seats_and_headcount_contract():
    assert run("seats", "--subscribers", "130000") == {"seats": 6}
    assert run("seats", "--subscribers", "130000", "--subscribers-per-seat", "25000") == {"seats": 5}
    per_seat = run("headcount", "--seat-hours-per-day", "14")
    assert per_seat["people_per_seat"] == pytest.approx(2.5204, abs=1e-4)
    assert per_seat["people"] == per_seat["people_per_seat"]
    three = run("headcount", "--seat-hours-per-day", "14", "--seats", "3")
    assert three == {"people_per_seat": pytest.approx(420 / 166.64), "people": pytest.approx(3 * 420 / 166.64)}
    custom = run("headcount", "--seat-hours-per-day", "12", "--days-per-month", "20", "--legal-hours-per-month", "160")
    assert custom["people_per_seat"] == 1.5


@pytest.mark.django_db
@pytest.mark.parametrize("args", [("seats", "--subscribers", "-1"), ("seats", "--subscribers", "1",
                                                                   "--subscribers-per-seat", "0"),
                                  ("headcount", "--seat-hours-per-day", "-1"),
                                  ("headcount", "--seat-hours-per-day", "25"),
                                  ("headcount", "--seat-hours-per-day", "14", "--seats", "2.5"),
                                  ("headcount", "--seat-hours-per-day", "14", "--legal-hours-per-month", "0")])
def test_seats_and_headcount_errors_exit_with_code_2(args):
    with pytest.raises(CommandError) as raised:
        call_command(*args, "--json")
    assert raised.value.returncode == 2


@pytest.mark.django_db
def test_defaults_are_tunables_an_administrator_changes():
    Setting.objects.create(key="workforce.subscribers_per_seat", value=26000)
    Setting.objects.create(key="workforce.legal_hours_per_month", value=168)
    Setting.objects.create(key="workforce.shrinkage", value=0.3)
    assert run("seats", "--subscribers", "130000") == {"seats": 5}
    assert run("headcount", "--seat-hours-per-day", "12")["people_per_seat"] == pytest.approx(360 / 168)
    assert run("staffing", *EXAMPLE, "--service-level", "0.8")["scheduled_agents"] == 20


def test_the_console_command_and_its_exit_codes(tmp_path):
    ok = kefu(tmp_path, "staffing", *EXAMPLE, "--service-level", "0.8", "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["agents"] == 14
    assert json.loads(kefu(tmp_path, "seats", "--subscribers", "130000", "--json").stdout) == {"seats": 6}
    bad = kefu(tmp_path, "staffing", *EXAMPLE, "--agents", "2.5", "--json")
    assert bad.returncode == 2 and "--agents" in bad.stderr and bad.stdout == ""
    missing = kefu(tmp_path, "staffing", "--calls", "100", "--json")
    assert missing.returncode == 2
    both = kefu(tmp_path, "staffing", *EXAMPLE, "--service-level", "0.8", "--agents", "3", "--json")
    assert both.returncode == 2


@pytest.mark.django_db
def test_human_readable_output():
    out = StringIO()
    call_command("staffing", *EXAMPLE, "--agents", "14", "--patience-seconds", "300", stdout=out)
    text = out.getvalue()
    assert "erlang_a" in text and "91.7 %" in text and "P(abandon)" in text
    out = StringIO()
    call_command("seats", "--subscribers", "130000", stdout=out)
    assert out.getvalue().split() == ["seats", "6"]
