"""Import of call detail records (R3.6): Asterisk's `Master.csv` and a documented generic CSV.

Like the customer import (R2.4): `validate()` reads every row and reports each bad one (row, field, reason,
in Chinese and English) without writing; `apply()` writes all calls in one transaction or none. A call
already in Kefu (same call id, from an earlier import or from telephony events) is left as it is, so
importing the same file twice changes nothing. Files are UTF-8 or GB18030 (which includes GBK).

**asterisk-csv** — `cdr_csv`'s Master.csv, no header, columns in this order (Asterisk docs, "Logged Values"):
accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, start, answer, end, duration,
billsec, disposition, amaflags, uniqueid (`loguniqueid = yes`), userfield (`loguserfield = yes`). 16, 17 or 18
columns are accepted. Times are the PBX's local time (`--timezone`, default Kefu's). The call id is
`uniqueid`; without it, channel + start. Rows with the same uniqueid (one call, several legs) make one contact.
How a call is read:
- outbound when `dcontext` is an outbound context (default `from-internal`), else inbound;
- answered by an agent when a row is ANSWERED with a `dstchannel` (the agent is its extension);
- the queue is the first argument of `lastdata` when `lastapp` is Queue;
- inbound, not answered by an agent: abandoned if it was queued or rang (NO ANSWER, BUSY, …); a call that
  Asterisk answered itself without queueing or dialling (Playback, Background, …) is an IVR self-service call;
- offered = start, answered = answer, ended = end; a `userfield` that is an http(s) URL is the recording.
Master.csv has no queue-entry time: wait is measured from `start`. For exact queue waits use the AMI feed.

**generic-csv** — a header row with these columns (any order; only call_id and offered_at required):
call_id, direction (inbound|outbound), caller, called, queue, agent (extension or work number),
offered_at, answered_at, ended_at (ISO 8601 or "YYYY-MM-DD HH:MM:SS" local), outcome
(answered|abandoned|not_answered|ivr, else taken from the times), recording_url, wrap_up_seconds.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from kefu.core.errors import KefuError, bilingual
from kefu.core.textfiles import decode_text

from .models import CdrImport, Contact
from .services import agent_ids_for, customer_ids_for_numbers, quarter_hour, queue_id_for
from .telephony.asterisk import DEFAULT_OUTBOUND_CONTEXTS, extension_of
from .telephony.events import normalise_number, parse_timestamp

FORMATS = ("asterisk-csv", "generic-csv")
ASTERISK_COLUMNS = ("accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp", "lastdata",
                    "start", "answer", "end", "duration", "billsec", "disposition", "amaflags", "uniqueid",
                    "userfield")
DISPOSITIONS = ("ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION")
GENERIC_COLUMNS = ("call_id", "direction", "caller", "called", "queue", "agent", "offered_at", "answered_at",
                   "ended_at", "outcome", "recording_url", "wrap_up_seconds")
GENERIC_OUTCOMES = ("answered", "abandoned", "not_answered", "ivr")
MAX_ROWS = 2_000_000


class CdrFileError(KefuError):
    code = "cdr_file"


@dataclass
class CdrRowError:
    row: int
    field: str | None
    message: str
    message_en: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message, "message_en": self.message_en}


def _error(row: int, field_name: str | None, message, **params: Any) -> CdrRowError:
    zh, en = bilingual(message, **params)
    return CdrRowError(row, field_name, zh, en)


@dataclass
class CdrCall:
    call_id: str
    rows: list[int]
    channel: str = Contact.Channel.INBOUND_CALL
    caller: str = ""
    called: str = ""
    queue: str = ""
    agent: str = ""
    offered_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    state: str = Contact.State.COMPLETED
    recording_url: str = ""
    wrap_up_seconds: int | None = None


@dataclass
class CdrReport:
    format: str
    total_rows: int = 0
    errors: list[CdrRowError] = field(default_factory=list)
    calls: list[CdrCall] = field(default_factory=list)
    created: int = 0
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _local_time(value: str, tz) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007 — made aware just below
    except ValueError:
        parsed = None
    if parsed is not None:
        return timezone.make_aware(parsed, tz)
    moment = parse_timestamp(value)
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, tz)
    return moment


def validate(content: bytes, *, fmt: str, tz_name: str | None = None,
             outbound_contexts: Iterable[str] = DEFAULT_OUTBOUND_CONTEXTS, filename: str = "") -> CdrReport:
    """Read and check every row; nothing is written. Raises CdrFileError for a file that cannot be read."""
    if fmt not in FORMATS:
        raise CdrFileError(_("Unknown format “%(value)s”; known: %(known)s."), field="format", value=fmt,
                           known=", ".join(FORMATS))
    try:
        tz = ZoneInfo(tz_name) if tz_name else timezone.get_default_timezone()
    except (KeyError, ValueError):
        raise CdrFileError(_("Unknown time zone “%(value)s”."), field="timezone", value=tz_name) from None
    # UTF-8 (with or without BOM), else GB18030 — a superset of GBK and GB2312, what Chinese Excel and many
    # PBXs write; refused naming the line that cannot be read when neither fits.
    text = decode_text(content, filename=filename, error=CdrFileError)
    if not text.strip():
        raise CdrFileError(_("The file is empty."), field="file")
    rows = csv.reader(io.StringIO(text, newline=""))
    report = CdrReport(format=fmt)
    if fmt == "asterisk-csv":
        _validate_asterisk(rows, report, tz, tuple(outbound_contexts))
    else:
        _validate_generic(rows, report, tz)
    if report.total_rows == 0:
        raise CdrFileError(_("The file has no data rows."), field="file")
    report.errors.sort(key=lambda e: (e.row, e.field or ""))
    if report.errors:
        bad = {e.row for e in report.errors}
        report.calls = [c for c in report.calls if not bad.intersection(c.rows)]
    return report


def _rows(rows, report: CdrReport, start: int = 1):
    for number, row in enumerate(rows, start=start):
        if not any(cell.strip() for cell in row):
            continue
        report.total_rows += 1
        if report.total_rows > MAX_ROWS:
            raise CdrFileError(_("The file has more than %(max)s rows."), field="file", max=MAX_ROWS)
        yield number, row


def _validate_asterisk(rows, report: CdrReport, tz, outbound_contexts: tuple[str, ...]) -> None:
    legs: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for number, row in _rows(rows, report):
        if len(row) not in (16, 17, 18):
            report.errors.append(_error(number, None, _("Expected 18 columns (16 to 18 accepted), found %(count)s."),
                                        count=len(row)))
            continue
        values = dict(zip(ASTERISK_COLUMNS, (cell.strip() for cell in row), strict=False))
        errors = []
        times: dict[str, datetime | None] = {}
        for name in ("start", "answer", "end"):
            times[name] = _local_time(values[name], tz)
            if values[name] and times[name] is None:
                errors.append(_error(number, name, _("“%(value)s” is not a time (YYYY-MM-DD HH:MM:SS)."),
                                     value=values[name]))
        for name in ("start", "end"):
            if not values[name]:
                errors.append(_error(number, name, _("This field is required.")))
        for name in ("duration", "billsec"):
            if not values[name].isdigit():
                errors.append(_error(number, name, _("“%(value)s” is not a whole number of seconds."),
                                     value=values[name]))
        if values["disposition"] not in DISPOSITIONS:
            errors.append(_error(number, "disposition", _("Unknown disposition “%(value)s”."),
                                 value=values["disposition"]))
        if not errors and times["end"] < times["start"]:
            errors.append(_error(number, "end", _("The call ends before it starts.")))
        if not errors and times["answer"] is not None and not times["start"] <= times["answer"] <= times["end"]:
            errors.append(_error(number, "answer", _("The answer time lies outside the call.")))
        call_id = values.get("uniqueid") or f"{values['channel']}@{values['start']}"
        if len(call_id) > 100:
            errors.append(_error(number, "uniqueid", _("At most %(limit)s characters."), limit=100))
        if errors:
            report.errors.extend(errors)
            continue
        values.update(times)
        legs.setdefault(call_id, []).append((number, values))
    for call_id, rows_of_call in legs.items():
        report.calls.append(_asterisk_call(call_id, rows_of_call, outbound_contexts))


def _asterisk_call(call_id: str, legs: list[tuple[int, dict[str, Any]]],
                   outbound_contexts: tuple[str, ...]) -> CdrCall:
    """One call from its Master.csv rows (several legs share the uniqueid)."""
    legs = sorted(legs, key=lambda leg: leg[1]["start"])
    first = legs[0][1]
    call = CdrCall(call_id=call_id, rows=[number for number, _values in legs])
    outbound = first["dcontext"] in outbound_contexts
    call.caller, call.called = normalise_number(first["src"]), normalise_number(first["dst"])
    call.offered_at = first["start"]
    call.ended_at = max(values["end"] for _number, values in legs)
    agent_legs = [v for _n, v in legs if v["disposition"] == "ANSWERED" and v["dstchannel"]]
    queued = [v for _n, v in legs if v["lastapp"].lower() == "queue"]
    if queued:
        call.queue = queued[0]["lastdata"].split(",", 1)[0].strip()[:64]
    userfield = next((v.get("userfield", "") for _n, v in legs if v.get("userfield", "").startswith(
        ("http://", "https://"))), "")
    call.recording_url = userfield[:500]
    if outbound:
        call.channel = Contact.Channel.OUTBOUND_CALL
        call.agent = extension_of(first["channel"])
        answered = [v for _n, v in legs if v["disposition"] == "ANSWERED"]
        if answered:
            call.answered_at = min(v["answer"] or v["start"] for v in answered)
        call.state = Contact.State.COMPLETED if answered else Contact.State.NOT_ANSWERED
        return call
    if agent_legs:
        leg = min(agent_legs, key=lambda v: v["answer"] or v["start"])
        call.answered_at = leg["answer"] or leg["start"]
        call.agent = extension_of(leg["dstchannel"])
        call.state = Contact.State.COMPLETED
    elif queued or any(v["dstchannel"] or v["disposition"] != "ANSWERED" for _n, v in legs):
        call.state = Contact.State.ABANDONED
    else:
        call.channel = Contact.Channel.IVR
        call.state = Contact.State.COMPLETED
    return call


def _validate_generic(rows, report: CdrReport, tz) -> None:
    header = next(rows, None)
    if header is None:
        raise CdrFileError(_("The file is empty."), field="file")
    header = [h.strip().lstrip("\ufeff").lower() for h in header]
    unknown = [h for h in header if h not in GENERIC_COLUMNS]
    if unknown:
        raise CdrFileError(_("Row 1: unknown column “%(column)s”."), field=unknown[0], column=unknown[0])
    for required in ("call_id", "offered_at"):
        if required not in header:
            raise CdrFileError(_("Row 1: the column “%(column)s” is missing."), field=required, column=required)
    seen: dict[str, int] = {}
    for number, row in _rows(rows, report, start=2):
        if len(row) != len(header):
            report.errors.append(_error(number, None, _("Expected %(expected)s columns as in the header, found "
                                                        "%(count)s."), expected=len(header), count=len(row)))
            continue
        values = {name: cell.strip() for name, cell in zip(header, row, strict=True)}
        errors = []
        call_id = values.get("call_id", "")
        if not call_id:
            errors.append(_error(number, "call_id", _("This field is required.")))
        elif len(call_id) > 100:
            errors.append(_error(number, "call_id", _("At most %(limit)s characters."), limit=100))
        elif call_id in seen:
            errors.append(_error(number, "call_id", _("Call %(call)s is also on row %(other)s."), call=call_id,
                                 other=seen[call_id]))
        else:
            seen[call_id] = number
        times = {}
        for name in ("offered_at", "answered_at", "ended_at"):
            times[name] = _local_time(values.get(name, ""), tz)
            if values.get(name) and times[name] is None:
                errors.append(_error(number, name, _("“%(value)s” is not a time."), value=values[name]))
        if not values.get("offered_at"):
            errors.append(_error(number, "offered_at", _("This field is required.")))
        direction = values.get("direction") or "inbound"
        if direction not in ("inbound", "outbound"):
            errors.append(_error(number, "direction", _("The direction is inbound or outbound.")))
        outcome = values.get("outcome", "")
        if outcome and outcome not in GENERIC_OUTCOMES:
            errors.append(_error(number, "outcome", _("Unknown outcome “%(value)s”."), value=outcome))
        wrap_up = values.get("wrap_up_seconds", "")
        if wrap_up and not wrap_up.isdigit():
            errors.append(_error(number, "wrap_up_seconds", _("“%(value)s” is not a whole number of seconds."),
                                 value=wrap_up))
        offered, answered, ended = times["offered_at"], times["answered_at"], times["ended_at"]
        if offered and answered and answered < offered:
            errors.append(_error(number, "answered_at", _("A contact cannot be answered before it was offered.")))
        if offered and ended and ended < (answered or offered):
            errors.append(_error(number, "ended_at", _("A contact cannot end before it began.")))
        if outcome == "answered" and answered is None:
            errors.append(_error(number, "answered_at", _("An answered call needs its answer time.")))
        if errors:
            report.errors.extend(errors)
            continue
        call = CdrCall(call_id=call_id, rows=[number], caller=normalise_number(values.get("caller")),
                       called=normalise_number(values.get("called")), queue=values.get("queue", "")[:64],
                       agent=values.get("agent", "")[:32], offered_at=offered, answered_at=answered, ended_at=ended,
                       recording_url=values.get("recording_url", "")[:500],
                       wrap_up_seconds=int(wrap_up) if wrap_up else None)
        if outcome == "ivr":
            call.channel, call.state = Contact.Channel.IVR, Contact.State.COMPLETED
        elif direction == "outbound":
            call.channel = Contact.Channel.OUTBOUND_CALL
            call.state = Contact.State.COMPLETED if answered else (
                Contact.State.NOT_ANSWERED if ended else Contact.State.OFFERED)
        elif answered:
            call.state = Contact.State.COMPLETED if ended else Contact.State.IN_PROGRESS
        else:
            call.state = Contact.State.ABANDONED if ended or outcome == "abandoned" else Contact.State.OFFERED
        report.calls.append(call)


def _contact(call: CdrCall, *, customers: dict[str, int], agents: dict[str, int], queues: dict[str, int],
             actor) -> Contact:
    offered = call.offered_at
    wait = talk = None
    if call.answered_at is not None:
        wait = round((call.answered_at - offered).total_seconds())
    elif call.state == Contact.State.ABANDONED and call.ended_at is not None:
        wait = round((call.ended_at - offered).total_seconds())
    if call.answered_at is not None and call.ended_at is not None:
        talk = round((call.ended_at - call.answered_at).total_seconds())
    number = call.called if call.channel == Contact.Channel.OUTBOUND_CALL else call.caller
    return Contact(
        channel=call.channel, source=Contact.Source.CDR, call_id=call.call_id, caller_number=call.caller,
        called_number=call.called, customer_id=customers.get(number), agent_id=agents.get(call.agent),
        agent_extension=call.agent, queue_id=queues.get(call.queue), offered_at=offered,
        offered_slot=quarter_hour(offered), answered_at=call.answered_at, ended_at=call.ended_at, wait_seconds=wait,
        talk_seconds=talk, wrap_up_seconds=call.wrap_up_seconds,
        handle_seconds=None if talk is None else talk + (call.wrap_up_seconds or 0), state=call.state,
        recording_url=call.recording_url, created_by=actor)


def apply(report: CdrReport, *, actor=None) -> CdrReport:
    """Write a valid report in one transaction (all calls or none); calls already in Kefu are skipped."""
    if not report.ok:
        raise KefuError(_("The file has errors; nothing was imported."), code="import_invalid")
    ids = [call.call_id for call in report.calls]
    try:
        with transaction.atomic():
            existing: set[str] = set()
            for start in range(0, len(ids), 900):
                existing.update(Contact.objects.filter(call_id__in=ids[start:start + 900]).values_list(
                    "call_id", flat=True))
            new = [call for call in report.calls if call.call_id not in existing]
            customers = customer_ids_for_numbers(
                c.called if c.channel == Contact.Channel.OUTBOUND_CALL else c.caller for c in new)
            agents = agent_ids_for(c.agent for c in new)
            queues = {code: queue_id_for(code) for code in {c.queue for c in new if c.queue}}
            contacts = [_contact(c, customers=customers, agents=agents, queues=queues, actor=actor) for c in new]
            if contacts:
                bulk_create_with_history(contacts, Contact, batch_size=1000, default_user=actor)
    except IntegrityError:
        raise KefuError(_("Some of these calls were recorded by someone else meanwhile; nothing was imported. "
                          "Import the file again."), code="import_conflict", status=409) from None
    report.created, report.skipped = len(contacts), len(existing)
    return report


def import_log(report: CdrReport, *, actor, filename: str, dry_run: bool) -> CdrImport:
    """Keep what an import did (who, file, counts, the row report)."""
    return CdrImport.objects.create(
        created_by=actor, filename=filename[:255], format=report.format, dry_run=dry_run,
        total_rows=report.total_rows, calls=len(report.calls), created_count=report.created,
        skipped_count=report.skipped, errors=[e.as_dict() for e in report.errors[:1000]])


def cdr_import(*, actor, filename: str, content: bytes, fmt: str, dry_run: bool = False, tz_name: str | None = None,
               outbound_contexts: Iterable[str] = DEFAULT_OUTBOUND_CONTEXTS) -> tuple[CdrReport, CdrImport]:
    """R3.6: import call detail records — check every row, then write all calls or none, and log the import.

    A file that cannot be read raises CdrFileError; a file with bad rows is reported (and logged) without
    writing anything."""
    from kefu.core import permissions

    permissions.require(actor, "contacts.cdr:import", system=True)
    report = validate(content, fmt=fmt, tz_name=tz_name, outbound_contexts=outbound_contexts, filename=filename)
    if report.ok and not dry_run:
        apply(report, actor=actor)
    return report, import_log(report, actor=actor, filename=filename, dry_run=dry_run or not report.ok)
