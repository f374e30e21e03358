"""`kefu telephony replay FILE` and `kefu telephony listen`: R3.6 from the command line.

replay feeds a recorded event log — an Asterisk AMI capture (`--format ami`, the default) or generic JSON
events, one per line or as a JSON list (`--format json`) — through the same path as the endpoint
(`telephony_event_ingest`), or with `--url` through the endpoint itself, signed. Replaying twice changes
nothing (event ids). listen connects to a running Asterisk's AMI and feeds its events as they come.
"""

import json
import os
import queue
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kefu.contacts import services
from kefu.contacts.telephony import asterisk, signing
from kefu.contacts.telephony.events import MAX_BATCH, parse_generic_body
from kefu.core import clock


class Command(BaseCommand):
    help = "Replay a recorded telephony event log (Asterisk AMI or generic JSON), or listen to a live AMI."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        replay = sub.add_parser("replay", help="Feed a recorded event log through the telephony pipeline.")
        replay.add_argument("file")
        replay.add_argument("--format", choices=["ami", "json"], default="ami")
        replay.add_argument("--outbound-context", action="append", dest="outbound_contexts",
                            help="AMI context of calls placed by agents (repeatable; default from-internal)")
        replay.add_argument("--url", help="POST the events, signed, to this endpoint instead "
                                          "(e.g. http://127.0.0.1:8000/api/v1/telephony/events)")
        replay.add_argument("--batch", type=int, default=200, help="events per request with --url")
        listen = sub.add_parser("listen", help="Connect to Asterisk's AMI and feed its events as they come.")
        listen.add_argument("--host", default="127.0.0.1")
        listen.add_argument("--port", type=int, default=5038)
        listen.add_argument("--username", required=True)
        listen.add_argument("--outbound-context", action="append", dest="outbound_contexts")
        listen.epilog = "The AMI secret is read from the environment variable KEFU_AMI_SECRET."

    def handle(self, *args, action, **options):
        contexts = tuple(options.get("outbound_contexts") or asterisk.DEFAULT_OUTBOUND_CONTEXTS)
        if action == "listen":
            return self.listen(options, contexts)
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        events, ignored = self.read(path, options["format"], contexts)
        if options.get("url"):
            counts = self.post(events, options["url"], max(1, min(options["batch"], MAX_BATCH)))
        else:
            counts = {"applied": 0, "duplicate": 0, "warnings": 0}
            for start in range(0, len(events), 500):
                for result in services.telephony_events_ingest(events=events[start:start + 500], live=False):
                    counts[result.status] += 1
                    counts["warnings"] += bool(result.warnings)
        self.stdout.write(f"{len(events)} events ({ignored} messages not used): {counts['applied']} applied, "
                          f"{counts['duplicate']} already there"
                          + (f", {counts['warnings']} for calls not offered yet" if counts.get("warnings") else "")
                          + ".")

    def read(self, path: Path, fmt: str, contexts: tuple[str, ...]):
        text = path.read_text(encoding="utf-8", errors="replace")
        if fmt == "json":
            stripped = text.strip()
            try:
                items = json.loads(stripped) if stripped.startswith("[") else [
                    json.loads(line) for line in stripped.splitlines() if line.strip()]
            except ValueError as error:
                raise CommandError(f"{path}: not JSON ({error})") from None
            if not isinstance(items, list) or not items:
                raise CommandError(f"{path}: no events")
            events = []
            for start in range(0, len(items), MAX_BATCH):
                chunk, errors = parse_generic_body({"events": items[start:start + MAX_BATCH]})
                if errors:
                    lines = [f"{e['field']} (+{start}): {e['message']} / {e['message_en']}" for e in errors.items[:50]]
                    raise CommandError("\n".join(lines))
                events.extend(chunk)
            return events, 0
        events, ignored = [], 0
        for number, message in enumerate(asterisk.parse_ami(text.splitlines()), start=1):
            try:
                event = asterisk.ami_to_event(message, outbound_contexts=contexts)
            except asterisk.AmiError as error:
                raise CommandError(f"{path}: message {number} ({message.get('Event', '?')}): {error}") from None
            if event is None:
                ignored += 1
            else:
                events.append(event)
        return events, ignored

    def post(self, events, url: str, batch: int) -> dict:
        secret = signing.telephony_secret()
        if not secret:
            raise CommandError("No telephony secret: set KEFU_TELEPHONY_SECRET.")
        counts = {"applied": 0, "duplicate": 0, "warnings": 0}
        for start in range(0, len(events), batch):
            chunk = events[start:start + batch]
            body = json.dumps({"source": chunk[0].source, "events": [_generic(e) for e in chunk]},
                              ensure_ascii=False).encode()
            request = urllib.request.Request(url, data=body, method="POST", headers={
                "Content-Type": "application/json", **signing.signed_headers(secret, body, now=time.time())})
            try:
                with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 — operator's URL
                    results = json.loads(response.read())["results"]
            except urllib.error.HTTPError as error:
                raise CommandError(f"{url}: {error.code} {error.read()[:500].decode(errors='replace')}") from None
            for result in results:
                counts[result["status"]] += 1
                counts["warnings"] += bool(result["warnings"])
        return counts

    def listen(self, options, contexts):
        """Read the AMI on a thread; feed its events in small batches (up to 200 events or 0.2 s), so a busy
        PBX costs one transaction per batch, not per event."""
        secret = os.environ.get("KEFU_AMI_SECRET", "")
        if not secret:
            raise CommandError("Set KEFU_AMI_SECRET to the AMI user's secret.")
        messages: queue.Queue = queue.Queue(maxsize=10_000)
        done = object()

        def read() -> None:
            try:
                for message in asterisk.ami_connect(options["host"], options["port"], options["username"], secret):
                    messages.put((message, clock.now()))
            except (OSError, asterisk.AmiError) as error:
                messages.put(error)
            messages.put(done)

        threading.Thread(target=read, daemon=True).start()
        count, batch, error = 0, [], None
        while True:
            try:
                item = messages.get(timeout=0.2)
            except queue.Empty:
                item = None
            if isinstance(item, tuple):
                try:
                    event = asterisk.ami_to_event(item[0], outbound_contexts=contexts, received_at=item[1])
                except asterisk.AmiError as problem:
                    self.stderr.write(f"skipped {item[0].get('Event', '?')}: {problem}")
                    event = None
                if event is not None:
                    batch.append(event)
            elif isinstance(item, Exception):
                error = item
            if batch and (item is None or item is done or len(batch) >= 200):
                services.telephony_events_ingest(events=batch, live=True)
                count += len(batch)
                batch = []
            if item is done:
                break
        if error is not None:
            raise CommandError(f"AMI {options['host']}:{options['port']}: {error}")
        self.stderr.write(f"AMI connection closed after {count} events.")
        sys.exit(1)


def _generic(event) -> dict:
    """A CallEvent in the generic JSON format of the endpoint."""
    data = {"id": event.event_id, "type": event.kind, "call_id": event.call_id,
            "timestamp": event.occurred_at.isoformat(), **event.data()}
    return data
