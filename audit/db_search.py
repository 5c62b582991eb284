"""The same search, aggregations and streams over the database log (the embedded default)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from audit.events import Action
from audit.models import AuditEvent
from audit.schemas import Aggregations, Bucket, Page, SearchFilters
from audit.store import decode_cursor, earliest_posted, encode_cursor
from core.clock import as_utc
from core.db import transaction
from core.errors import Invalid

_POLICY = AuditEvent.document["veracity"]["policy_version"].as_string()
_REASON = AuditEvent.document["veracity"]["reason"].as_string()


def build_conditions(filters: SearchFilters) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if filters.since:
        conds.append(AuditEvent.timestamp >= filters.since)
    if filters.until:
        conds.append(AuditEvent.timestamp <= filters.until)
    if filters.post_id:
        conds.append(AuditEvent.post_id == filters.post_id)
    if filters.case_id:
        conds.append(AuditEvent.case_id == filters.case_id)
    if filters.incident_id:
        conds.append(AuditEvent.incident_id == filters.incident_id)
    if filters.actor:
        conds.append(AuditEvent.actor_name == filters.actor)
    if filters.actions:
        conds.append(AuditEvent.action.in_([a.value for a in filters.actions]))
    if filters.policy_version:
        conds.append(filters.policy_version == _POLICY)
    if filters.text:
        for word in filters.text.split():
            conds.append(func.lower(_REASON).contains(word.lower(), autoescape=True))
    if not filters.include_drills:
        conds.append(AuditEvent.is_drill.is_(False))
    return conds


class DatabaseSearch:
    name = "database"

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def search(self, filters: SearchFilters, *, size: int, cursor: str | None) -> Page:
        conds = build_conditions(filters)
        after = decode_cursor(cursor)
        stmt = select(AuditEvent).where(*conds)
        if after is not None:
            try:
                when, seq = datetime.fromisoformat(str(after[0])), int(after[1])
            except ValueError as exc:
                raise Invalid("cursor is not one this API issued", code="bad_cursor") from exc
            stmt = stmt.where(
                or_(
                    AuditEvent.timestamp < when,
                    and_(AuditEvent.timestamp == when, AuditEvent.seq < seq),
                )
            )
        stmt = stmt.order_by(AuditEvent.timestamp.desc(), AuditEvent.seq.desc()).limit(size)
        with transaction(self.sessions) as session:
            rows = list(session.scalars(stmt))
            total = int(
                session.scalar(select(func.count()).where(*conds).select_from(AuditEvent)) or 0
            )
        next_cursor = None
        if len(rows) == size:
            last = rows[-1]
            next_cursor = encode_cursor([as_utc(last.timestamp).isoformat(), last.seq])
        return Page(events=[r.document for r in rows], total=total, next_cursor=next_cursor)

    def count(self, filters: SearchFilters) -> int:
        stmt = select(func.count()).select_from(AuditEvent).where(*build_conditions(filters))
        with transaction(self.sessions) as session:
            return int(session.scalar(stmt) or 0)

    def aggregate(self, filters: SearchFilters) -> Aggregations:
        conds = build_conditions(filters)
        with transaction(self.sessions) as session:

            def grouped(column: Any) -> list[Bucket]:
                key = func.coalesce(column, "none")
                stmt = (
                    select(key, func.count())
                    .select_from(AuditEvent)
                    .where(*conds)
                    .group_by(key)
                    .order_by(func.count().desc(), key)
                )
                return [Bucket(key=str(k), count=int(n)) for k, n in session.execute(stmt)]

            by_action = grouped(AuditEvent.action)
            by_policy = grouped(_POLICY)
            by_actor = grouped(AuditEvent.actor_type)
        return Aggregations.counted(sum(b.count for b in by_action), by_action, by_policy, by_actor)

    def content_dates(self, post_ids: list[str]) -> dict[str, datetime]:
        if not post_ids:
            return {}
        ids = sorted(set(post_ids))
        first = (
            select(AuditEvent.post_id, func.min(AuditEvent.timestamp))
            .where(AuditEvent.post_id.in_(ids))
            .group_by(AuditEvent.post_id)
        )
        scored = select(AuditEvent.post_id, AuditEvent.document).where(
            AuditEvent.post_id.in_(ids), AuditEvent.action == Action.POST_SCORED.value
        )
        with transaction(self.sessions) as session:
            dates = {str(p): as_utc(t) for p, t in session.execute(first) if p and t}
            return earliest_posted(dates, ((str(p), d) for p, d in session.execute(scored) if p))

    def iter_events(self, filters: SearchFilters, *, page_size: int) -> Iterator[dict[str, Any]]:
        conds = build_conditions(filters)
        order = (AuditEvent.timestamp, AuditEvent.seq)
        last: tuple[datetime, int] | None = None
        while True:
            stmt: Select[AuditEvent] = select(AuditEvent).where(*conds)
            if last is not None:
                stmt = stmt.where(
                    or_(
                        AuditEvent.timestamp > last[0],
                        and_(AuditEvent.timestamp == last[0], AuditEvent.seq > last[1]),
                    )
                )
            rows = self._page(stmt.order_by(*order).limit(page_size))
            yield from (r.document for r in rows)
            if len(rows) < page_size:
                return
            last = (rows[-1].timestamp, rows[-1].seq)

    def documents_at(self, chain: str, seq: int) -> list[dict[str, Any]]:
        stmt = select(AuditEvent).where(AuditEvent.chain == chain, AuditEvent.seq == seq)
        return [r.document for r in self._page(stmt)]

    def iter_chain(self, chain: str, *, page_size: int) -> Iterator[dict[str, Any]]:
        last = 0
        while True:
            stmt = (
                select(AuditEvent)
                .where(AuditEvent.chain == chain, AuditEvent.seq > last)
                .order_by(AuditEvent.seq)
                .limit(page_size)
            )
            rows = self._page(stmt)
            yield from (r.document for r in rows)
            if len(rows) < page_size:
                return
            last = rows[-1].seq

    def _page(self, stmt: Select[AuditEvent]) -> list[AuditEvent]:
        with transaction(self.sessions) as session:
            return list(session.scalars(stmt))
