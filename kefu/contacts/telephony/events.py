"""The one call-event model every adapter maps onto (R3.6), and the generic JSON webhook format.

Generic JSON event (one object, or {"events": [...]} for a batch):

    {"id": "evt-000123",               # unique per source; a repeat changes nothing
     "type": "offered",                # offered | queued | answered | held | retrieved | transferred |
                                       # abandoned | ended | recording_ready
     "call_id": "c-20260302-0001",     # the PBX's identifier of the call
     "timestamp": "2026-03-02T09:00:05+08:00",  # ISO 8601 (no offset: Kefu's time zone) or epoch seconds
     "direction": "inbound",           # optional: inbound (default) | outbound
     "caller": "13812345678", "called": "4008208820",  # optional
     "queue": "support",               # optional: queue or hotline name
     "agent": "8001",                  # optional: the agent's extension or work number
     "transfer_to": "8002",            # optional (transferred)
     "recording_url": "https://…",     # optional (recording_ready)
     "wrap_up_seconds": 30}            # optional (ended): after-call work
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from kefu.core.errors import FieldError, bilingual
from kefu.core.phones import parse_phone

KINDS = ("offered", "queued", "answered", "held", "retrieved", "transferred", "abandoned", "ended",
         "recording_ready")
DIRECTIONS = ("inbound", "outbound")
MAX_BATCH = 1000
_TEXT_LIMITS = {"caller": 32, "called": 32, "queue": 64, "agent": 32, "transfer_to": 64, "recording_url": 500}


@dataclass(frozen=True)
class CallEvent:
    source: str
    event_id: str
    call_id: str
    kind: str
    occurred_at: datetime
    direction: str = ""
    caller: str = ""
    called: str = ""
    queue: str = ""
    agent: str = ""
    transfer_to: str = ""
    recording_url: str = ""
    wrap_up_seconds: int | None = None

    def data(self) -> dict[str, Any]:
        """The optional fields that are set, as stored in TelephonyEvent.data."""
        out: dict[str, Any] = {}
        for name in ("direction", "caller", "called", "queue", "agent", "transfer_to", "recording_url"):
            value = getattr(self, name)
            if value:
                out[name] = value
        if self.wrap_up_seconds is not None:
            out["wrap_up_seconds"] = self.wrap_up_seconds
        return out


@dataclass
class EventErrors:
    """Field errors of a request, in the API's shape [{field, code, message, message_en}]."""

    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, field_name: str, code: str, message, **params: Any) -> None:
        zh, en = bilingual(message, **params)
        self.items.append({"field": field_name, "code": code, "message": zh, "message_en": en})

    def __bool__(self) -> bool:
        return bool(self.items)


def normalise_number(raw: Any) -> str:
    """A caller or called number in Kefu's stored form (kefu.core.phones) when it is a Chinese number;
    otherwise (an extension, "anonymous", a foreign number) the text as given, trimmed."""
    text = str(raw or "").strip()
    if not text:
        return ""
    try:
        phone = parse_phone(text)
    except FieldError:
        return text[:32]
    return phone.number


def parse_timestamp(value: Any) -> datetime | None:
    """ISO 8601 (naive → Kefu's time zone) or epoch seconds; None when unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or value <= 0 or value > 10_000_000_000:
            return None
        return datetime.fromtimestamp(value, tz=UTC)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        return parse_timestamp(number)
    try:
        parsed = parse_datetime(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        return None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def parse_generic(obj: Any, *, source: str, prefix: str, errors: EventErrors) -> CallEvent | None:
    """One generic JSON event → CallEvent; problems are added to `errors` under `prefix.field`."""
    if not isinstance(obj, dict):
        errors.add(prefix or "event", "invalid", _("An event is a JSON object."))
        return None

    def name(field_name: str) -> str:
        return f"{prefix}.{field_name}" if prefix else field_name

    def text(field_name: str, required: bool = False, limit: int = 100) -> str:
        value = obj.get(field_name)
        if value is None or value == "":
            if required:
                errors.add(name(field_name), "required", _("This field is required."))
            return ""
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            errors.add(name(field_name), "invalid", _("This field must be text."))
            return ""
        value = str(value).strip()
        if len(value) > limit:
            errors.add(name(field_name), "max_length", _("At most %(limit)s characters."), limit=limit)
            return ""
        return value

    event_id = text("id", required=True)
    call_id = text("call_id", required=True)
    kind = text("type", required=True, limit=32)
    if kind and kind not in KINDS:
        errors.add(name("type"), "unknown_event_type", _("Unknown event type “%(value)s”; known: %(known)s."),
                   value=kind, known=", ".join(KINDS))
    occurred_at = None
    if obj.get("timestamp") in (None, ""):
        errors.add(name("timestamp"), "required", _("This field is required."))
    else:
        occurred_at = parse_timestamp(obj.get("timestamp"))
        if occurred_at is None:
            errors.add(name("timestamp"), "invalid",
                       _("The timestamp is neither ISO 8601 nor seconds since 1970."))
    direction = text("direction", limit=16)
    if direction and direction not in DIRECTIONS:
        errors.add(name("direction"), "invalid_choice", _("The direction is inbound or outbound."))
    values = {key: text(key, limit=limit) for key, limit in _TEXT_LIMITS.items()}
    if values["recording_url"] and not values["recording_url"].lower().startswith(("http://", "https://")):
        errors.add(name("recording_url"), "invalid", _("The recording link is an http(s) URL."))
    wrap_up = obj.get("wrap_up_seconds")
    if wrap_up not in (None, ""):
        if isinstance(wrap_up, bool) or not isinstance(wrap_up, (int, float)) or not 0 <= wrap_up <= 86400:
            errors.add(name("wrap_up_seconds"), "invalid", _("A number of seconds between 0 and 86400."))
            wrap_up = None
        else:
            wrap_up = int(round(wrap_up))
    else:
        wrap_up = None
    unknown = sorted(set(obj) - {"id", "call_id", "type", "timestamp", "direction", "wrap_up_seconds",
                                 *_TEXT_LIMITS})
    if unknown:
        errors.add(name(unknown[0]), "unknown_field", _("Unknown field “%(value)s”."), value=unknown[0])
    if errors or occurred_at is None:
        return None
    return CallEvent(source=source, event_id=event_id, call_id=call_id, kind=kind, occurred_at=occurred_at,
                     direction=direction, caller=normalise_number(values["caller"]),
                     called=normalise_number(values["called"]), queue=values["queue"], agent=values["agent"],
                     transfer_to=values["transfer_to"], recording_url=values["recording_url"],
                     wrap_up_seconds=wrap_up)


def parse_generic_body(payload: Any, *, source: str = "generic") -> tuple[list[CallEvent], EventErrors]:
    """A request body: one event or {"events": [...]} (at most MAX_BATCH). All or nothing: with any error
    no event is returned."""
    errors = EventErrors()
    if isinstance(payload, dict) and "events" in payload:
        items = payload["events"]
        if not isinstance(items, list) or not items:
            errors.add("events", "invalid", _("“events” is a non-empty list of events."))
            return [], errors
        if len(items) > MAX_BATCH:
            errors.add("events", "max_length", _("At most %(limit)s events in one request."), limit=MAX_BATCH)
            return [], errors
        events = [parse_generic(item, source=source, prefix=f"events[{index}]", errors=errors)
                  for index, item in enumerate(items)]
    else:
        events = [parse_generic(payload, source=source, prefix="", errors=errors)]
    if errors:
        return [], errors
    return [event for event in events if event is not None], errors
