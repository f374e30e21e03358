"""Asterisk AMI adapter (R3.6): AMI events → Kefu call events.

Input is the AMI wire format — blocks of `Key: Value` lines separated by a blank line — either read from a
running AMI connection (`ami_connect`) or from a recorded event log (a capture of that stream). Asterisk
must send event timestamps (`timestampevents = yes` in manager.conf); a recorded log without them is
refused, a live connection falls back to the time of receipt.

The call is identified by `Linkedid` (the uniqueid of the oldest channel of the call), so all legs of a
call land in one contact. Mapping (Asterisk 13+ event names and fields):

| AMI event | Kefu event |
| --- | --- |
| Newchannel of the call's first channel (Uniqueid = Linkedid) | offered (caller CallerIDNum, called Exten) ¹ |
| QueueCallerJoin | queued (Queue) |
| DialBegin to an extension | offered at that agent (the ringing extension — for the screen pop) |
| DialEnd with DialStatus ANSWER | answered by the extension of DestChannel |
| BridgeEnter of another channel of the call | answered by the extension of that channel |
| Hold / Unhold | held / retrieved |
| BlindTransfer | transferred (Extension) |
| QueueCallerAbandon | abandoned (Queue) |
| Hangup of the call's first channel | ended |

¹ outbound when its Context is an outbound context (default from-internal); the agent is then the calling
extension. Everything else is ignored. Each event id is a hash of the whole AMI message, so replaying the same log,
or a log after the live feed, delivers the same ids and changes nothing.
"""

from __future__ import annotations

import hashlib
import re
import socket
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from .events import CallEvent, normalise_number

SOURCE = "asterisk"
DEFAULT_OUTBOUND_CONTEXTS = ("from-internal",)
_CHANNEL_EXTENSION = re.compile(r"^[A-Za-z0-9_]+/(?P<ext>[^-/@;]+)")
_AGENT_EXTENSION = re.compile(r"^\d{2,8}$")


class AmiError(Exception):
    pass


def parse_ami(lines: Iterable[str]) -> Iterator[dict[str, str]]:
    """Messages of an AMI stream as dicts (first occurrence of a key wins); banner lines are skipped."""
    message: dict[str, str] = {}
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line.strip():
            if message:
                yield message
                message = {}
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue  # "Asterisk Call Manager/5.0.1" banner or noise
        message.setdefault(key.strip(), value.strip())
    if message:
        yield message


def extension_of(channel: str) -> str:
    """PJSIP/8001-0000002a → 8001; SIP/8001-… → 8001; Local/8001@agents-… → 8001; a trunk → ''."""
    match = _CHANNEL_EXTENSION.match(channel or "")
    if not match:
        return ""
    ext = match.group("ext")
    return ext if _AGENT_EXTENSION.match(ext) else ""


def event_id_of(message: dict[str, str]) -> str:
    canonical = "\n".join(f"{key}:{value}" for key, value in message.items())
    return "ami-" + hashlib.sha256(canonical.encode()).hexdigest()[:40]


def _time(message: dict[str, str], received_at: datetime | None) -> datetime:
    stamp = message.get("Timestamp")
    if stamp:
        try:
            return datetime.fromtimestamp(float(stamp), tz=UTC)
        except (ValueError, OverflowError, OSError):
            raise AmiError(f"unreadable Timestamp {stamp!r}") from None
    if received_at is not None:
        return received_at
    raise AmiError("event without Timestamp: set timestampevents = yes in manager.conf")


def ami_to_event(message: dict[str, str], *, outbound_contexts: Iterable[str] = DEFAULT_OUTBOUND_CONTEXTS,
                 received_at: datetime | None = None) -> CallEvent | None:
    """One AMI message → a Kefu call event, or None for messages Kefu does not use."""
    name = message.get("Event", "")
    if name not in _HANDLERS:
        return None
    call_id = message.get("Linkedid") or message.get("TransfereeLinkedid") or message.get("Uniqueid", "")
    if not call_id:
        return None
    fields = _HANDLERS[name](message, tuple(outbound_contexts))
    if fields is None:
        return None
    return CallEvent(source=SOURCE, event_id=event_id_of(message), call_id=call_id,
                     occurred_at=_time(message, received_at), **fields)


def _is_first_channel(message: dict[str, str]) -> bool:
    return bool(message.get("Uniqueid")) and message.get("Uniqueid") == message.get("Linkedid")


def _newchannel(m: dict[str, str], outbound_contexts: tuple[str, ...]):
    if not _is_first_channel(m):
        return None
    if m.get("Context", "") in outbound_contexts:
        return {"kind": "offered", "direction": "outbound", "caller": normalise_number(m.get("CallerIDNum")),
                "called": normalise_number(m.get("Exten")), "agent": extension_of(m.get("Channel", ""))}
    return {"kind": "offered", "direction": "inbound", "caller": normalise_number(m.get("CallerIDNum")),
            "called": normalise_number(m.get("Exten"))}


def _queue_join(m: dict[str, str], outbound_contexts: tuple[str, ...]):
    return {"kind": "queued", "queue": m.get("Queue", "")[:64]}


def _dial_begin(m: dict[str, str], outbound_contexts: tuple[str, ...]):
    agent = extension_of(m.get("DestChannel", ""))
    return {"kind": "offered", "agent": agent} if agent else None


def _dial_end(m: dict[str, str], outbound_contexts: tuple[str, ...]):
    if m.get("DialStatus") != "ANSWER":
        return None
    return {"kind": "answered", "agent": extension_of(m.get("DestChannel", ""))}


def _bridge_enter(m: dict[str, str], outbound_contexts: tuple[str, ...]):
    if _is_first_channel(m):
        return None
    return {"kind": "answered", "agent": extension_of(m.get("Channel", ""))}


def _hold(m: dict[str, str], outbound_contexts: tuple[str, ...]):
    return {"kind": "held"}


def _unhold(m: dict[str, str], outbound_contexts: tuple[str, ...]):
    return {"kind": "retrieved"}


def _blind_transfer(m: dict[str, str], outbound_contexts: tuple[str, ...]):
    return {"kind": "transferred", "transfer_to": m.get("Extension", "")[:64]}


def _abandon(m: dict[str, str], outbound_contexts: tuple[str, ...]):
    return {"kind": "abandoned", "queue": m.get("Queue", "")[:64]}


def _hangup(m: dict[str, str], outbound_contexts: tuple[str, ...]):
    return {"kind": "ended"} if _is_first_channel(m) else None


_HANDLERS = {
    "Newchannel": _newchannel,
    "QueueCallerJoin": _queue_join,
    "DialBegin": _dial_begin,
    "DialEnd": _dial_end,
    "BridgeEnter": _bridge_enter,
    "Hold": _hold,
    "Unhold": _unhold,
    "BlindTransfer": _blind_transfer,
    "QueueCallerAbandon": _abandon,
    "Hangup": _hangup,
}


def ami_connect(host: str, port: int, username: str, secret: str, *, timeout: float = 30.0) -> Iterator[
        dict[str, str]]:
    """Log in to a running Asterisk's AMI and yield its event messages until the connection closes.

    Only the `call` and `agent` event classes are asked for. A lost connection ends the iterator; the
    caller (`kefu telephony listen`) exits so that its supervisor restarts it.
    """
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.settimeout(None)
        stream = sock.makefile("r", encoding="utf-8", errors="replace", newline="")
        banner = stream.readline()
        if not banner.startswith("Asterisk Call Manager"):
            raise AmiError(f"not an AMI server: {banner.strip()!r}")
        sock.sendall((f"Action: Login\r\nUsername: {username}\r\nSecret: {secret}\r\n"
                      "Events: call,agent\r\n\r\n").encode())
        messages = parse_ami(stream)
        for message in messages:
            if "Response" in message:
                if message["Response"] != "Success":
                    raise AmiError(f"AMI login refused: {message.get('Message', '')}")
                break
        for message in messages:
            if "Event" in message:
                yield message
