"""The command-line contract of issue 5: `kefu deadline …` and `kefu calendar check|import|export`."""

import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from kefu.calendars.models import OfficialYear

from .test_services import SCHEDULE_2027


@pytest.fixture(autouse=True)
def _keep_the_test_database_open(monkeypatch):
    # run_from_argv() closes every connection when it ends, which would drop the in-memory test database.
    from django.core.management import base

    monkeypatch.setattr(base.connections, "close_all", lambda: None)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run `kefu …` as the console command does (exit codes included), inside the test database."""
    try:
        ManagementUtility(["kefu", *argv]).execute()
        code = 0
    except SystemExit as exit_:
        code = exit_.code or 0
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.django_db
def test_the_issue_example(capsys):
    code, out, err = run(capsys, "deadline", "--start", "2026-02-13T17:00:00+08:00", "--working-hours", "2", "--json")
    assert code == 0, err
    assert json.loads(out) == {"deadline": "2026-02-14T10:00:00+08:00"}
    assert out.strip() == '{"deadline": "2026-02-14T10:00:00+08:00"}'


@pytest.mark.django_db
@pytest.mark.parametrize(("option", "amount", "expected"), [
    ("--minutes", "8", "2026-02-13T17:08:00+08:00"),
    ("--hours", "2", "2026-02-13T19:00:00+08:00"),
    ("--working-minutes", "90", "2026-02-14T09:30:00+08:00"),
    ("--working-hours", "1", "2026-02-13T18:00:00+08:00"),
    ("--working-days", "3", "2026-02-25T18:00:00+08:00"),
    ("--days", "3", "2026-02-16T17:00:00+08:00"),
    ("--months", "1", "2026-03-13T17:00:00+08:00"),
])
def test_every_duration(capsys, option, amount, expected):
    code, out, err = run(capsys, "deadline", "--start", "2026-02-13T17:00:00+08:00", option, amount, "--json")
    assert code == 0, err
    assert json.loads(out) == {"deadline": expected}


@pytest.mark.django_db
def test_the_offset_is_that_of_the_calendar(capsys):
    code, out, _ = run(capsys, "deadline", "--start", "2026-02-13T09:00:00Z", "--working-hours", "2", "--json")
    assert json.loads(out) == {"deadline": "2026-02-14T10:00:00+08:00"}
    code, out, _ = run(capsys, "deadline", "--start", "2026-02-13T17:00:00+08:00", "--working-hours", "2",
                       "--calendar", "24x7", "--json")
    assert json.loads(out) == {"deadline": "2026-02-13T19:00:00+08:00"}
    code, out, _ = run(capsys, "deadline", "--start", "2026-02-13T17:00:00+08:00", "--working-hours", "2")
    assert out.startswith("2026-02-14T10:00:00+08:00") and "default" in out


@pytest.mark.django_db
@pytest.mark.parametrize(("argv", "says"), [
    (["--start", "2026-02-13T17:00:00", "--working-hours", "2"], "time zone"),
    (["--start", "2026-02-13T17:00:00+08:00", "--working-hours", "0"], "greater than zero"),
    (["--start", "2026-02-13T17:00:00+08:00", "--working-hours", "-2"], "greater than zero"),
    (["--start", "2026-02-13T17:00:00+08:00", "--minutes", "0"], "greater than zero"),
    (["--start", "2026-12-30T17:00:00+08:00", "--working-days", "3"], "2027"),
    (["--start", "2027-03-01T10:00:00+08:00", "--working-hours", "1"], "2027"),
    (["--start", "2026-02-13T17:00:00+08:00", "--working-hours", "2", "--calendar", "nope"], "nope"),
    (["--start", "yesterday", "--hours", "1"], "ISO 8601"),
    (["--start", "2026-02-13T17:00:00+08:00"], "required"),
    (["--start", "2026-02-13T17:00:00+08:00", "--hours", "1", "--working-hours", "1"], "not allowed"),
])
def test_bad_input_exits_with_2_and_says_which(capsys, argv, says):
    code, out, err = run(capsys, "deadline", *argv, "--json")
    assert code == 2
    assert says in err and not out


@pytest.mark.django_db
def test_calendar_check(capsys):
    code, out, err = run(capsys, "calendar", "check", "--year", "2026")
    assert code == 0 and "2026: loaded" in out
    code, out, err = run(capsys, "calendar", "check", "--year", "2027")
    assert code == 1 and "2027" in err and "not loaded" in err


@pytest.mark.django_db
def test_calendar_import_then_check(capsys, tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text(SCHEDULE_2027, encoding="utf-8")
    code, out, err = run(capsys, "calendar", "import", str(path), "--dry-run")
    assert code == 0 and "dry run" in out and not OfficialYear.objects.filter(year=2027).exists()
    code, out, err = run(capsys, "calendar", "import", str(path))
    assert code == 0 and "2027: 9 days; 9 were added" in out
    assert run(capsys, "calendar", "check", "--year", "2027")[0] == 0
    code, out, err = run(capsys, "deadline", "--start", "2026-12-31T17:00:00+08:00", "--working-hours", "2", "--json")
    assert json.loads(out) == {"deadline": "2027-01-04T10:00:00+08:00"}
    bad = tmp_path / "bad.csv"
    bad.write_text("2028-01-01,holiday,元旦\n2028-02-30,holiday,\n", encoding="utf-8")
    code, out, err = run(capsys, "calendar", "import", str(bad))
    assert code == 1 and "line 2, date" in err
    assert run(capsys, "calendar", "import", str(tmp_path / "missing.csv"))[0] == 1


@pytest.mark.django_db
def test_calendar_export(capsys):
    code, out, err = run(capsys, "calendar", "export", "--year", "2026")
    assert code == 0 and out.startswith("date,kind,name\n") and "2026-02-14,working,春节" in out
    assert run(capsys, "calendar", "export", "--year", "2027")[0] == 1
    with pytest.raises(CommandError):
        call_command("calendar", "export", "--year", "2030")


def test_the_console_command_end_to_end(tmp_path):
    """`.venv/bin/kefu` itself, on a fresh database: migrate seeds the schedule, the contract holds."""
    env = {**os.environ, "KEFU_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "kefu.settings.base",
           "KEFU_TASK_BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}

    def kefu(*args):
        return subprocess.run([sys.executable, "-m", "kefu", *args], capture_output=True, text=True, env=env,
                              timeout=300)

    assert kefu("migrate", "--noinput", "-v0").returncode == 0
    result = kefu("deadline", "--start", "2026-02-13T17:00:00+08:00", "--working-hours", "2", "--json")
    assert (result.returncode, result.stdout) == (0, '{"deadline": "2026-02-14T10:00:00+08:00"}\n'), result.stderr
    result = kefu("deadline", "--start", "2026-02-13T17:00:00", "--working-hours", "2", "--json")
    assert result.returncode == 2 and "time zone" in result.stderr
    result = kefu("calendar", "check", "--year", "2027")
    assert result.returncode != 0 and "2027" in result.stderr
