import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from kefu.accounts.models import Branch, Team, User
from kefu.customers.models import Customer, CustomerPhone


def kefu(*args, env=None, **kwargs):
    return subprocess.run([sys.executable, "-m", "kefu", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120, **kwargs)


def test_check_deploy_passes_with_production_settings(tmp_path):
    env = {
        "KEFU_ENVIRONMENT": "production",
        "KEFU_SECRET_KEY": "k" * 20 + "-production-secret-key-that-is-long-and-random-9f8e7d",
        "KEFU_ALLOWED_HOSTS": "kefu.example.cn",
        "KEFU_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "kefu.settings.base",
    }
    result = kefu("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {"KEFU_ENVIRONMENT": "production", "KEFU_SECRET_KEY": "", "KEFU_DATA_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "kefu.settings.base"}
    result = kefu("check", env=env)
    assert result.returncode != 0 and "KEFU_SECRET_KEY" in result.stderr


def test_defaults_are_chinese_and_shanghai():
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "zh-hans" and settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


@pytest.mark.django_db
def test_demo_data_is_idempotent_and_realistic(capsys):
    call_command("demo")
    out = capsys.readouterr().out
    assert "agent" in out and "Kefu-demo-2026" in out
    counts = (Customer.objects.count(), CustomerPhone.objects.count(), User.objects.count(), Team.objects.count(),
              Branch.objects.count(), Customer.history.count())
    call_command("demo")
    assert counts == (Customer.objects.count(), CustomerPhone.objects.count(), User.objects.count(),
                      Team.objects.count(), Branch.objects.count(), Customer.history.count())
    assert counts[0] == 200 and Branch.objects.count() >= 5
    assert set(Team.objects.values_list("kind", flat=True)) == {k for k, _ in Team.Kind.choices}
    assert set(CustomerPhone.objects.values_list("kind", flat=True)) == {"landline", "mobile"}
    assert all("\u4e00" <= ch <= "\u9fff" for ch in Customer.objects.first().name[:2])
    from kefu.core.permissions import DEFAULT_ROLES

    logins = [r.code.replace("_", "-") for r in DEFAULT_ROLES]
    assert User.objects.filter(username__in=logins).exclude(work_number=None).count() == 16


@pytest.mark.django_db
@override_settings(DEMO_ALLOWED=False)
def test_demo_data_is_refused_in_production():
    with pytest.raises(CommandError):
        call_command("demo")
    with pytest.raises(CommandError):
        call_command("demo", "--customers", "10")
    assert not Customer.objects.exists()
