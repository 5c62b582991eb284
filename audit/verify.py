"""Walking a hash chain and reporting the first break.

A break is one of:
- edited: a document's content no longer matches its own hash, its hash differs from the
  database's record of that event, or a column the database copied from the document (the
  timestamp, action, actor, subject ids, drill flag: what search, export, the consoles' counts,
  holds and retention filter on) no longer equals the document's value;
- deleted: a sequence number is missing and no retention run accounts for it;
- inserted: a sequence number appears twice, lies beyond what the database ever wrote, belongs
  to a range retention deleted, or a document's `prev_hash` does not continue the chain.

Gaps left by retention are lawful: the table of retention deletions says which ranges went and
the hash each range ended with, so the chain is checked across the gap too.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from audit.chain import GENESIS, event_hash, strip_hash
from audit.repository import chain as repository
from core.clock import as_utc
from core.db import transaction


class BreakKind(enum.StrEnum):  # values: the names in lower case
    EDITED = enum.auto()
    DELETED = enum.auto()
    INSERTED = enum.auto()


@dataclass(frozen=True)
class Break:
    """The first place the chain breaks: which kind of break, the sequence number and event id
    where the document has them, and what was found there."""

    kind: BreakKind
    seq: int | None
    event_id: str | None
    detail: str


@dataclass
class Report:
    """What checking one chain found: how far it got, the lawful gaps on the way (deletions
    under retention), and the first break, if any."""

    chain: str
    source: str
    first_break: Break | None = None
    checked: int = 0
    lawful_gaps: int = 0
    lawfully_deleted: int = 0
    last_seq: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.first_break is None


@dataclass(frozen=True)
class Deletion:
    start_seq: int
    end_seq: int
    end_hash: str


def _path(doc: dict[str, Any], *keys: str) -> Any:
    value: Any = doc
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _instant(value: Any) -> datetime | None:
    try:
        return as_utc(value if isinstance(value, datetime) else datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return None


# Each column the database copies from the document (audit.service.record), and how to read the
# document's value in the column's terms. The columns are what queries filter on, the document is
# what is hashed: verify and retention hold the one to the other.
COPIED_COLUMNS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "id": lambda d: _path(d, "event", "id"),
    "timestamp": lambda d: _instant(d.get("@timestamp")),
    "action": lambda d: _path(d, "event", "action"),
    "actor_name": lambda d: _path(d, "user", "name"),
    "actor_type": lambda d: _path(d, "veracity", "actor_type"),
    "post_id": lambda d: _path(d, "veracity", "post_id"),
    "case_id": lambda d: _path(d, "veracity", "case_id"),
    "incident_id": lambda d: _path(d, "veracity", "incident_id"),
    "is_drill": lambda d: bool(_path(d, "veracity", "is_drill")),
}


def _column_value(column: str, value: Any) -> Any:
    return _instant(value) if column == "timestamp" and value is not None else value


def altered_column(doc: dict[str, Any], columns: dict[str, Any]) -> str | None:
    """The first of the stored `columns` whose value is not the document's, described; None
    when they all agree."""
    for column, read in COPIED_COLUMNS.items():
        stored, documented = _column_value(column, columns[column]), read(doc)
        if stored != documented:
            return f"column {column} is {stored!r} but the hashed document says {documented!r}"
    return None


def row_disagreement(doc: dict[str, Any], digest: str, columns: dict[str, Any]) -> str | None:
    """Why a database row cannot be trusted as it stands (its document does not match its own
    hash or the row's, or a copied column differs from the document); None when it can."""
    try:
        body, recorded = strip_hash(doc)
    except KeyError:
        return "the document carries no hash"
    prev = _path(doc, "veracity", "chain", "prev_hash")
    if recorded != digest or event_hash(body, str(prev)) != recorded:
        return "the document does not match its recorded hash"
    return altered_column(doc, columns)


@dataclass(frozen=True)
class Recorded:
    """The database's own record of one event: its hash and the columns copied from it."""

    hash: str
    columns: dict[str, Any]


class Anchor(Protocol):
    """What the system of record knows, to catch a rewrite that is consistent within itself."""

    def records(self, chain: str, seqs: list[int]) -> dict[int, Recorded]: ...

    def head(self, chain: str) -> tuple[int, str]: ...

    def last_shipped(self, chain: str) -> int: ...


class DatabaseAnchor:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def hashes(self, chain: str, seqs: list[int]) -> dict[int, str]:
        with transaction(self.sessions) as session:
            return repository.event_hashes(session, chain, seqs)

    def records(self, chain: str, seqs: list[int]) -> dict[int, Recorded]:
        with transaction(self.sessions) as session:
            found = repository.event_records(session, chain, seqs, list(COPIED_COLUMNS))
        return {seq: Recorded(digest, columns) for seq, (digest, columns) in found.items()}

    def head(self, chain: str) -> tuple[int, str]:
        with transaction(self.sessions) as session:
            head = repository.chain_head(session, chain)
            return (head.seq, head.head_hash) if head else (0, GENESIS)

    def last_shipped(self, chain: str) -> int:
        with transaction(self.sessions) as session:
            return repository.last_shipped_seq(session, chain)


def load_deletions(sessions: sessionmaker[Session], chain: str) -> list[Deletion]:
    with transaction(sessions) as session:
        rows = repository.retention_deletions(session, chain)
        return [Deletion(r.start_seq, r.end_seq, r.end_hash) for r in rows]


class _Gaps:
    """Lawful deletions indexed by the sequence number right after each range."""

    def __init__(self, deletions: Iterable[Deletion]) -> None:
        self.ranges = sorted(deletions, key=lambda d: d.start_seq)

    def covering(self, start: int, end: int) -> tuple[str, int] | None:
        """If seqs start..end were all deleted lawfully: (hash the chain resumes from, count)."""
        expected, last_hash, count = start, None, 0
        for d in self.ranges:
            if d.end_seq < expected:
                continue
            if d.start_seq != expected:
                return None
            expected, last_hash = d.end_seq + 1, d.end_hash
            count += d.end_seq - d.start_seq + 1
            if expected > end:
                break
        if last_hash is None or expected <= end:
            return None
        return last_hash, count

    def contains(self, seq: int) -> bool:
        return any(d.start_seq <= seq <= d.end_seq for d in self.ranges)


def verify_chain(
    docs: Iterable[dict[str, Any]],
    *,
    chain: str,
    source: str,
    deletions: Iterable[Deletion] = (),
    anchor: Anchor | None = None,
    expect_through: int = 0,
    batch: int = 1000,
) -> Report:
    """Check `docs` (in sequence order). `expect_through`: the chain must reach this seq."""
    report = Report(chain=chain, source=source)
    gaps = _Gaps(deletions)
    prev_seq, prev_hash = 0, GENESIS
    it = iter(docs)
    while True:
        page = list(islice(it, batch))
        if not page:
            break
        known = _known_records(anchor, chain, page)
        for doc in page:
            problem = _check(doc, chain, prev_seq, prev_hash, gaps, known, report)
            if problem is not None:
                report.first_break = problem
                return report
            prev_seq = int(doc["veracity"]["chain"]["seq"])
            prev_hash = str(doc["veracity"]["chain"]["hash"])
            report.checked += 1
            report.last_seq = prev_seq
    if anchor is not None:
        _check_tail(anchor, chain, prev_seq, expect_through, gaps, report)
    return report


def _known_records(
    anchor: Anchor | None, chain: str, page: list[dict[str, Any]]
) -> dict[int, Recorded] | None:
    if anchor is None:
        return None
    seqs = [s for s in (_seq(d) for d in page) if s is not None]
    return anchor.records(chain, seqs)


def _seq(doc: dict[str, Any]) -> int | None:
    try:
        return int(doc["veracity"]["chain"]["seq"])
    except (KeyError, TypeError, ValueError):
        return None


def _check(
    doc: dict[str, Any],
    chain: str,
    prev_seq: int,
    prev_hash: str,
    gaps: _Gaps,
    known: dict[int, Recorded] | None,
    report: Report,
) -> Break | None:
    event_id = str(doc.get("event", {}).get("id")) if isinstance(doc.get("event"), dict) else None
    seq = _seq(doc)
    links = doc.get("veracity", {}).get("chain") if isinstance(doc.get("veracity"), dict) else None
    if seq is None or not isinstance(links, dict) or links.get("name") != chain:
        return Break(BreakKind.INSERTED, seq, event_id, "document carries no place in this chain")
    try:
        body, recorded = strip_hash(doc)
    except KeyError:
        return Break(BreakKind.INSERTED, seq, event_id, "document carries no hash")
    if event_hash(body, str(links.get("prev_hash"))) != recorded:
        return Break(BreakKind.EDITED, seq, event_id, "content does not match its recorded hash")
    if seq <= prev_seq:
        return Break(BreakKind.INSERTED, seq, event_id, f"sequence {seq} appears again")
    if gaps.contains(seq):
        return Break(
            BreakKind.INSERTED, seq, event_id, "sequence lies in a range retention deleted"
        )
    if known is not None:
        stored = known.get(seq)
        if stored is None and not gaps.contains(seq):
            return Break(BreakKind.INSERTED, seq, event_id, "the database never wrote this event")
        if stored is not None and stored.hash != recorded:
            return Break(BreakKind.EDITED, seq, event_id, "hash differs from the database record")
        altered = None if stored is None else altered_column(doc, stored.columns)
        if altered is not None:
            return Break(BreakKind.EDITED, seq, event_id, altered)
    expected_prev = prev_hash
    if seq != prev_seq + 1:
        covered = gaps.covering(prev_seq + 1, seq - 1)
        if covered is None:
            missing = f"{prev_seq + 1}" if seq == prev_seq + 2 else f"{prev_seq + 1}..{seq - 1}"
            return Break(BreakKind.DELETED, prev_seq + 1, None, f"sequence {missing} is missing")
        expected_prev = covered[0]
        report.lawful_gaps += 1
        report.lawfully_deleted += covered[1]
    if links.get("prev_hash") != expected_prev:
        return Break(
            BreakKind.INSERTED, seq, event_id, "prev_hash does not continue the chain before it"
        )
    return None


def _check_tail(
    anchor: Anchor, chain: str, last_seen: int, expect_through: int, gaps: _Gaps, report: Report
) -> None:
    if expect_through > last_seen and gaps.covering(last_seen + 1, expect_through) is None:
        report.first_break = Break(
            BreakKind.DELETED,
            last_seen + 1,
            None,
            f"sequence {last_seen + 1}..{expect_through} was written but is missing",
        )
        return
    head_seq, _ = anchor.head(chain)
    if head_seq > max(last_seen, expect_through):
        report.notes.append(f"{head_seq - max(last_seen, expect_through)} events not yet shipped")
