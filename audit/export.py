"""Exports without a row cap: streamed NDJSON or CSV, hashed as they go, logged when done.

Memory stays flat: the store yields one page at a time and the writer holds one chunk.
The manifest (count, bytes, SHA-256) goes into the `log.exported` event, so the proof of what
was handed over is itself in the tamper-evident log.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from audit.events import Action, Subject
from audit.prefetch import prefetched
from audit.schemas import ExportFormat, Manifest, SearchFilters
from audit.service import record
from audit.store import LogStore
from core.actors import Actor
from core.clock import utcnow
from core.db import transaction

CHUNK_BYTES = 256 * 1024
CSV_COLUMNS = (
    "@timestamp",
    "event.id",
    "event.action",
    "user.name",
    "user.roles",
    "veracity.actor_type",
    "veracity.post_id",
    "veracity.case_id",
    "veracity.action_id",
    "veracity.statement_id",
    "veracity.incident_id",
    "veracity.claim_id",
    "veracity.reason",
    "veracity.policy_version",
    "veracity.model_version",
    "veracity.score",
    "veracity.before",
    "veracity.after",
    "veracity.subject",
    "http.request.id",
    "veracity.is_drill",
    "veracity.chain.seq",
    "veracity.chain.prev_hash",
    "veracity.chain.hash",
)


def _lookup(doc: dict[str, Any], dotted: str) -> Any:
    if dotted in doc:
        return doc[dotted]
    value: Any = doc
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


# A spreadsheet reads a cell starting with one of these as a formula (OWASP, CSV injection);
# tab and carriage return too, and whitespace before them is skipped by some.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_SKIPPED_BEFORE_FORMULA = " \t\r\n"


def neutralise_formula(text: str) -> str:
    """Prefix a single quote to text a spreadsheet would run; everything else byte-exact."""
    if text.startswith(FORMULA_STARTS) or text.lstrip(_SKIPPED_BEFORE_FORMULA).startswith(
        FORMULA_STARTS
    ):
        return "'" + text
    return text


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)  # a number is never a formula (and -0.5 stays a number)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return neutralise_formula(";".join(value))
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return neutralise_formula(str(value))


_NDJSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # = json.dumps(...)
# Documents per hand-over from the prefetching reader: large enough that the per-batch cost
# vanishes, small enough that a batch of big documents stays a few megabytes.
BATCH = 500


def _ndjson_text(docs: list[dict[str, Any]]) -> str:
    encode = _NDJSON.encode
    return "".join([encode(doc) + "\n" for doc in docs])


def _csv_header() -> str:
    return _csv_text([], header=True)


def _csv_text(docs: list[dict[str, Any]], *, header: bool = False) -> str:
    buffer = io.StringIO()
    # RFC 4180 line ends: a cell holding a bare \r is then quoted too (with "\n" it was
    # written raw, and a reader split the row there, e.g. at a planted "\r=...").
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header:
        writer.writerow(CSV_COLUMNS)
    writer.writerows([csv_cell(_lookup(doc, col)) for col in CSV_COLUMNS] for doc in docs)
    return buffer.getvalue()


class Export:
    """One export: iterate `chunks()` to stream it; `manifest` is ready once it is exhausted."""

    def __init__(
        self,
        store: LogStore,
        sessions: sessionmaker[Session],
        filters: SearchFilters,
        fmt: ExportFormat,
        actor: Actor,
        *,
        page_size: int = 2000,
        request_id: str | None = None,
    ) -> None:
        self.store = store
        self.sessions = sessions
        self.filters = filters
        self.format = fmt
        self.actor = actor
        self.page_size = page_size
        self.request_id = request_id
        self.export_id = uuid.uuid4().hex
        self.count = 0
        self.bytes = 0
        self._digest = hashlib.sha256()
        self.manifest: Manifest | None = None

    @property
    def media_type(self) -> str:
        return "application/x-ndjson" if self.format is ExportFormat.NDJSON else "text/csv"

    def chunks(self) -> Iterator[bytes]:
        started = utcnow()
        ndjson = self.format is ExportFormat.NDJSON
        pending: list[bytes] = [] if ndjson else [_csv_header().encode()]
        pending_size = sum(map(len, pending))
        pending_count = 0  # counted once sent: a partial export's manifest states what went out
        completed = False
        events = self.store.iter_events(self.filters, page_size=self.page_size)
        # The next page is fetched while this one is encoded (audit/prefetch.py).
        batches = prefetched(events, batch=BATCH)
        try:
            for docs in batches:
                data = (_ndjson_text(docs) if ndjson else _csv_text(docs)).encode()
                pending.append(data)
                pending_size += len(data)
                pending_count += len(docs)
                if pending_size >= CHUNK_BYTES:
                    yield self._emit(pending, pending_count)
                    pending, pending_size, pending_count = [], 0, 0
            if pending:
                yield self._emit(pending, pending_count)
            completed = True
        finally:
            batches.close()  # stops the reader (and its point-in-time) before logging
            # Logged even when the reader stops early: a partial hand-over is still a hand-over.
            self._finish(started, completed)

    def collect(self) -> bytes:
        """The whole export in memory, for bundling a bounded one (an incident's events) with
        other files; `manifest` is set afterwards, as after streaming."""
        return b"".join(self.chunks())

    def _emit(self, pending: list[bytes], count: int) -> bytes:
        chunk = b"".join(pending)
        self._digest.update(chunk)
        self.bytes += len(chunk)
        self.count += count
        return chunk

    def _finish(self, started: datetime, completed: bool) -> None:
        self.manifest = Manifest(
            export_id=self.export_id,
            format=self.format,
            source=self.store.name,
            filters=self.filters.described(),
            count=self.count,
            bytes=self.bytes,
            sha256=self._digest.hexdigest(),
            generated_by=self.actor.name,
            started_at=started,
            finished_at=utcnow(),
            completed=completed,
        )
        with transaction(self.sessions) as session:
            record(
                session,
                Action.LOG_EXPORTED,
                self.actor,
                Subject(other={"export_id": self.export_id}),
                reason=f"{self.format.value} export of {self.count} events",
                after=self.manifest.model_dump(mode="json"),
                request_id=self.request_id,
            )
