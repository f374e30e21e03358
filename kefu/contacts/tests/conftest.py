"""Fixtures of the contacts tests: two agents with extensions, the telephony secret, signed requests."""

import json
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from kefu.contacts.telephony.signing import signed_headers

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "test-telephony-secret"
SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = "/api/v1/telephony/events"


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def agent_a(make_user):
    return make_user("agent", username="zhangwei", work_number="1001", extension="8001", full_name="张伟")


@pytest.fixture
def agent_b(make_user):
    return make_user("agent", username="lina", work_number="1002", extension="8002", full_name="李娜")


@pytest.fixture
def telephony_secret(monkeypatch):
    monkeypatch.setenv("KEFU_TELEPHONY_SECRET", SECRET)
    return SECRET


def signed_post(client: Client, payload, *, secret: str = SECRET, now: float | None = None, body: bytes | None = None,
                headers: dict | None = None):
    body = body if body is not None else json.dumps(payload, ensure_ascii=False).encode()
    sent = signed_headers(secret, body, now=time.time() if now is None else now)
    if headers is not None:
        sent = headers
    extra = {"HTTP_" + key.upper().replace("-", "_"): value for key, value in sent.items()}
    return client.post(URL, data=body, content_type="application/json", **extra)


@pytest.fixture
def post_events(telephony_secret):
    client = Client()

    def post(payload, **kwargs):
        return signed_post(client, payload, **kwargs)

    return post
