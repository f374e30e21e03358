"""Request signing of the telephony endpoint (R3.6): HMAC-SHA256 over the timestamp and the raw body.

    X-Kefu-Timestamp: 1772413205                  (seconds since 1970, UTC)
    X-Kefu-Signature: sha256=<hex of HMAC-SHA256(secret, "<timestamp>." + body)>

A request older (or further ahead) than `contacts.telephony_max_age_seconds` (5 minutes) is refused, so a
captured request cannot be replayed later; within the window a replay repeats event ids, which change
nothing. The secret is KEFU_TELEPHONY_SECRET from the environment, else the `contacts.telephony_secret`
tunable.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from kefu.core import tunables
from kefu.core.errors import KefuError

TIMESTAMP_HEADER = "X-Kefu-Timestamp"
SIGNATURE_HEADER = "X-Kefu-Signature"


def telephony_secret() -> str:
    return os.environ.get("KEFU_TELEPHONY_SECRET") or str(tunables.get("contacts.telephony_secret") or "")


def sign(secret: str, timestamp: str | int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signed_headers(secret: str, body: bytes, *, now: float) -> dict[str, str]:
    """The two headers a sender adds (used by `kefu telephony replay --url`, tests and the benchmark)."""
    timestamp = str(int(now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, timestamp, body)}


def verify(*, timestamp: str | None, signature: str | None, body: bytes, now: datetime) -> None:
    """Raise KefuError (401) unless the request is signed with the secret and fresh; 503 without a secret."""
    secret = telephony_secret()
    if not secret:
        raise KefuError(_("The telephony endpoint has no secret configured."), code="telephony_not_configured",
                        status=503)
    if not timestamp or not signature:
        raise KefuError(_("The request is not signed."), code="signature_missing", status=401)
    try:
        sent = int(timestamp.strip())
    except ValueError:
        raise KefuError(_("The timestamp is not a number of seconds."), code="signature_invalid",
                        status=401) from None
    max_age = tunables.get("contacts.telephony_max_age_seconds")
    if abs(now.timestamp() - sent) > max_age:
        raise KefuError(_("The request is older than %(seconds)s seconds (or from the future); refused as a "
                          "replay."), code="signature_expired", status=401, seconds=max_age)
    expected = sign(secret, timestamp.strip(), body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise KefuError(_("The signature does not match the body."), code="signature_invalid", status=401)
