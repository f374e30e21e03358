"""Shared fixtures: a user per role, customers, API clients."""

import pytest
from rest_framework.test import APIClient

from kefu.accounts.services import user_create
from kefu.core.permissions import DEFAULT_ROLES
from kefu.customers.services import customer_save

ROLE_CODES = [r.code for r in DEFAULT_ROLES]
PASSWORD = "Correct-horse-2026"


@pytest.fixture(scope="session", autouse=True)
def _no_stray_connections_at_teardown(django_db_setup, django_db_blocker):
    """On PostgreSQL the test database can only be dropped when nobody else is connected; a live server's
    request thread (browser tests) may still hold a connection when the session ends. Close those first, so the
    run ends without leaving a test database behind."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files of a test go to its own temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def make_user(db):
    counter = {"n": 0}

    def make(*roles: str, username: str | None = None, **kwargs):
        counter["n"] += 1
        return user_create(username=username or f"{'-'.join(roles) or 'nobody'}-{counter['n']}", password=PASSWORD,
                           work_number=kwargs.pop("work_number", f"9{counter['n']:03d}"), roles=roles, **kwargs)

    return make


@pytest.fixture
def agent(make_user):
    return make_user("agent")


@pytest.fixture
def auditor(make_user):
    return make_user("internal_auditor")


@pytest.fixture
def admin_user(make_user):
    return make_user("admin")


@pytest.fixture
def make_customer(db):
    counter = {"n": 0}

    def make(**data):
        counter["n"] += 1
        nested = {key: data.pop(key) for key in list(data) if key in ("phones", "addresses", "contact_persons",
                                                                        "devices")}
        base = {"customer_number": f"C{counter['n']:06d}", "kind": "merchant", "name": f"测试商户{counter['n']}"}
        base.update(data)
        return customer_save(actor=None, data=base, nested=nested)

    return make


@pytest.fixture
def customer(make_customer):
    return make_customer(
        customer_number="KH0001",
        merchant_number="898310048160001",
        name="上海浦东张记餐饮店",
        id_number="310115198805061234",
        phones=[{"number": "138-1234-5678", "label": "店主手机"}, {"number": "021-6234 5678 转 801"}],
        addresses=[{"address": "上海市浦东新区张江路88号3楼", "is_primary": True}],
        contact_persons=[{"name": "张伟", "title": "店主", "is_primary": True}],
        devices=[{"model": "百富 S910", "serial_number": "S910-0001"}],
    )


@pytest.fixture
def api_client_for():
    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make
