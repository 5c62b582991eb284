"""Retention: events older than the configured period go, except what a legal hold keeps.

Every run records exactly which sequence ranges it removed, with the hash each range ended
with (a table and the `log.retention_applied` event), so `verify` tells a lawful gap from a
deleted document and still checks the chain across it. Elasticsearch is cleared first, then
the database in one transaction; a run that fails in between is finished by the next run.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from audit.es_store import ElasticsearchLog
from audit.events import Action, Subject
from audit.holds import HeldSubjects, held_subjects
from audit.models import AuditEvent
from audit.repository import chain as repository
from audit.service import MAIN_CHAIN, record
from audit.verify import COPIED_COLUMNS, row_disagreement
from core.actors import Actor
from core.clock import utcnow
from core.db import transaction
from core.errors import Conflict, require_between
from core.messages import Msg

PAGE = 5000
RANGES_IN_EVENT = 1000  # the event lists this many; the table keeps them all
_DELETE_BATCH = 200
MAX_RETENTION_DAYS = 36_500  # a century; more is a typo, and past ~700,000 the date overflows


@dataclass
class Run:
    cutoff: datetime
    retention_days: int
    ranges: list[tuple[int, int, str]] = field(default_factory=list)
    deleted: int = 0
    held: int = 0
    applied: bool = False
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def summary(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "cutoff": self.cutoff.isoformat(),
            "retention_days": self.retention_days,
            "deleted": self.deleted,
            "kept_under_hold": self.held,
            "ranges": [list(r) for r in self.ranges[:RANGES_IN_EVENT]],
            "ranges_total": len(self.ranges),
        }


def retention_cutoff(now: datetime, retention_days: int) -> datetime:
    """The instant before which events may go: at least a day in the past, never now or later
    (zero or negative days would remove the whole log)."""
    refusal = Msg("retention must be {low} to {high} days, not {value}")
    require_between(retention_days, 1, MAX_RETENTION_DAYS, refusal)
    return now - timedelta(days=retention_days)


def _candidates(
    sessions: sessionmaker[Session], cutoff: datetime, shipped_only: bool
) -> Iterator[tuple[int, str, str | None, str | None, str | None]]:
    last = 0
    while True:
        with transaction(sessions) as session:
            rows = repository.retention_candidates(
                session,
                MAIN_CHAIN,
                after_seq=last,
                cutoff=cutoff,
                shipped_only=shipped_only,
                limit=PAGE,
            )
            for row in rows:
                _refuse_unless_intact(row)
            found = [(r.seq, r.hash, r.post_id, r.case_id, r.incident_id) for r in rows]
        yield from found
        if len(found) < PAGE:
            return
        last = found[-1][0]


def _refuse_unless_intact(row: AuditEvent) -> None:
    """A row is deleted on the strength of its columns (its age, the subjects a hold matches), so
    they must be what the hashed document says: a backdated timestamp or a changed case id would
    otherwise delete an event, or free a held one, and `verify` count it as a lawful gap."""
    columns = {column: getattr(row, column) for column in COPIED_COLUMNS}
    problem = row_disagreement(row.document, row.hash, columns)
    if problem is not None:
        raise Conflict(
            Msg(
                "retention refused, nothing deleted: event {seq} ({event_id}) is not what its "
                "hashed document records ({problem}); run 'veracity audit verify'",
                seq=row.seq,
                event_id=row.id,
                problem=problem,
            ),
            code="log_tampered",
        )


def plan(
    sessions: sessionmaker[Session],
    retention_days: int,
    *,
    shipped_only: bool,
    now: datetime | None = None,
) -> Run:
    """Which contiguous ranges may go. Held events split ranges and stay."""
    run = Run(
        cutoff=retention_cutoff(now or utcnow(), retention_days), retention_days=retention_days
    )
    with transaction(sessions) as session:
        held: HeldSubjects = held_subjects(session)
    start = end = -1
    end_hash = ""
    for seq, digest, post_id, case_id, incident_id in _candidates(
        sessions, run.cutoff, shipped_only
    ):
        if held.holds(post_id, case_id, incident_id):
            run.held += 1
            continue
        if seq == end + 1:
            end, end_hash = seq, digest
        else:
            if start >= 0:
                run.ranges.append((start, end, end_hash))
            start, end, end_hash = seq, seq, digest
        run.deleted += 1
    if start >= 0:
        run.ranges.append((start, end, end_hash))
    return run


def _delete_from_elasticsearch(store: ElasticsearchLog, ranges: list[tuple[int, int, str]]) -> None:
    """Find the documents of each range (point in time, by seq) and bulk-delete them by id.

    Plain search + bulk rather than `_delete_by_query`, which not every cluster ships with.
    """
    for i in range(0, len(ranges), _DELETE_BATCH):
        batch = ranges[i : i + _DELETE_BATCH]
        query = {
            "bool": {
                "filter": [{"term": {"veracity.chain.name": MAIN_CHAIN}}],
                "should": [
                    {"range": {"veracity.chain.seq": {"gte": s, "lte": e}}} for s, e, _ in batch
                ],
                "minimum_should_match": 1,
            }
        }
        pit = store.client.open_point_in_time(index=store.pattern, keep_alive="2m")["id"]
        after: list[Any] | None = None
        try:
            while True:
                resp = store.client.search(
                    pit={"id": pit, "keep_alive": "2m"},
                    query=query,
                    sort=[{"veracity.chain.seq": "asc"}, {"_shard_doc": "asc"}],
                    size=PAGE,
                    search_after=after,
                    source=False,
                )
                hits = resp["hits"]["hits"]
                if hits:
                    ops = [{"delete": {"_index": h["_index"], "_id": h["_id"]}} for h in hits]
                    result = store.client.bulk(operations=ops, refresh=False)
                    bad = [
                        item["delete"]
                        for item in result["items"]
                        if item["delete"].get("status") not in (200, 404)
                    ]
                    if bad:
                        raise RuntimeError(
                            f"retention could not delete {len(bad)} documents: {bad[:3]}"
                        )
                if len(hits) < PAGE:
                    break
                after = hits[-1]["sort"]
        finally:
            store.client.options(ignore_status=404).close_point_in_time(id=pit)
    store.refresh()


def apply(
    sessions: sessionmaker[Session],
    store: ElasticsearchLog | None,
    retention_days: int,
    actor: Actor,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
) -> Run:
    run = plan(sessions, retention_days, shipped_only=store is not None, now=now)
    if dry_run:
        return run
    if store is not None and run.ranges:
        _delete_from_elasticsearch(store, run.ranges)
    with transaction(sessions) as session:
        when = utcnow()
        for start, end, end_hash in run.ranges:
            repository.delete_range(session, run.run_id, MAIN_CHAIN, start, end, end_hash, when)
        record(
            session,
            Action.RETENTION_APPLIED,
            actor,
            Subject(other={"run_id": run.run_id}),
            reason=f"retention of {retention_days} days: {run.deleted} events removed, "
            f"{run.held} kept under legal hold",
            after=run.summary(),
        )
    run.applied = True
    return run
