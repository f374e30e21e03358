"""The SMS gateway (R7.5 [004]: satisfaction survey links by SMS).

A backend is any class with `send(to, text) -> message id` that raises on failure. The setting
`KEFU_SMS_BACKEND` (a dotted path) chooses it; the default `LogBackend` only logs, so Kefu runs and is tested
without an SMS provider. Whatever the backend, every text goes through `sms_queue`, which stores it in the
outbox (`SmsMessage`) in the caller's transaction and hands it to the backend after the commit — a rolled-back
survey never sends a link.
"""

from __future__ import annotations

import logging
import uuid
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from kefu.core import clock

from .models import SmsMessage

logger = logging.getLogger("kefu.sms")

DEFAULT_BACKEND = "kefu.callbacks.sms.LogBackend"


class SmsBackend(Protocol):
    def send(self, to: str, text: str) -> str:
        """Send one text; return the gateway's message id; raise on failure."""


class LogBackend:
    """The console/log backend: writes the text to the log ("kefu.sms") instead of sending it."""

    def send(self, to: str, text: str) -> str:
        message_id = f"log-{uuid.uuid4().hex[:16]}"
        logger.info("SMS %s to %s: %s", message_id, to, text)
        return message_id


def backend_path() -> str:
    return getattr(settings, "KEFU_SMS_BACKEND", DEFAULT_BACKEND) or DEFAULT_BACKEND


def get_backend() -> SmsBackend:
    return import_string(backend_path())()


def sms_queue(*, to: str, text: str, survey=None, actor=None) -> SmsMessage:
    """Store the text in the outbox and send it once the caller's transaction commits."""
    message = SmsMessage.objects.create(to=to, text=text, survey=survey, created_by=actor, backend=backend_path())
    transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def _enqueue(message_id: int) -> None:
    from .tasks import deliver_sms

    deliver_sms.enqueue(message_id=message_id)


def sms_deliver(message_id: int) -> SmsMessage | None:
    """Hand one queued text to the backend. The queued → sent/failed update is conditional, so a text is sent
    at most once even if two workers pick it up."""
    message = SmsMessage.objects.filter(pk=message_id, status=SmsMessage.Status.QUEUED).first()
    if message is None:
        return None
    try:
        message_id_at_gateway = get_backend().send(message.to, message.text)
    except Exception as error:  # noqa: BLE001 — any gateway failure is recorded on the outbox row
        logger.warning("SMS %s to %s failed: %s", message.pk, message.to, error)
        SmsMessage.objects.filter(pk=message.pk, status=SmsMessage.Status.QUEUED).update(
            status=SmsMessage.Status.FAILED, error=str(error)[:2000])
    else:
        SmsMessage.objects.filter(pk=message.pk, status=SmsMessage.Status.QUEUED).update(
            status=SmsMessage.Status.SENT, message_id=str(message_id_at_gateway)[:100], sent_at=clock.now())
    message.refresh_from_db()
    return message
