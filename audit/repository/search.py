"""Queries behind the database log store (`audit.db_search`): legal's filters as conditions,
pages in either time order, counts and groupings, and the chain read in sequence order."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from audit.events import Action
from audit.models import AuditEvent
from audit.schemas import SearchFilters

_POLICY = AuditEvent.document["veracity"]["policy_version"].as_string()
_REASON = AuditEvent.document["veracity"]["reason"].as_string()
GROUPS: dict[str, Any] = {
    "action": AuditEvent.action,
    "policy": _POLICY,
    "actor_type": AuditEvent.actor_type,
}


# Han ideographs, hiragana and emoji (and other pictographs), each a word of its own (as
# Elasticsearch's standard tokenizer has them), then runs of other letters, digits and
# underscores.
_SINGLE = (
    "\u3040-\u309f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
    "\u00a9\u00ae\u2600-\u27bf\U0001f000-\U0001faff"
)
_WORDS = re.compile(f"[{_SINGLE}]|[^\\W{_SINGLE}]+")


def search_words(text: str) -> list[str]:
    """The words of a full-text query, lower case, as Elasticsearch's `match` splits it: so the
    database log finds what Elasticsearch finds (punctuation between words does not count, and
    a query without words filters nothing). A word also matches inside a longer one here."""
    return _WORDS.findall(text.lower())


def _in_millisecond(at: datetime, microsecond: int) -> datetime:
    """`at` moved to that microsecond (0 to 999) of its millisecond."""
    return at.replace(microsecond=at.microsecond // 1000 * 1000 + microsecond)


def build_conditions(filters: SearchFilters) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    # Elasticsearch keeps times to the millisecond, so a bound there takes in the whole of
    # its millisecond: here too, or the two stores would disagree about the events near it.
    if filters.since:
        conds.append(AuditEvent.timestamp >= _in_millisecond(filters.since, 0))
    if filters.until:
        conds.append(AuditEvent.timestamp <= _in_millisecond(filters.until, 999))
    for column, value in (
        (AuditEvent.post_id, filters.post_id),
        (AuditEvent.case_id, filters.case_id),
        (AuditEvent.incident_id, filters.incident_id),
        (AuditEvent.actor_name, filters.actor),
    ):
        if value:
            conds.append(column == value)
    if filters.actions:
        conds.append(AuditEvent.action.in_([a.value for a in filters.actions]))
    if filters.policy_version:
        conds.append(filters.policy_version == _POLICY)
    for word in search_words(filters.text or ""):
        conds.append(func.lower(_REASON).contains(word, autoescape=True))
    if not filters.include_drills:
        conds.append(AuditEvent.is_drill.is_(False))
    return conds


def newest_first(
    session: Session, filters: SearchFilters, *, before: tuple[datetime, int] | None, limit: int
) -> list[AuditEvent]:
    """Up to `limit` matching events, newest first, from just before (timestamp, seq) `before`."""
    stmt = select(AuditEvent).where(*build_conditions(filters))
    if before is not None:
        when, seq = before
        stmt = stmt.where(
            or_(
                AuditEvent.timestamp < when,
                and_(AuditEvent.timestamp == when, AuditEvent.seq < seq),
            )
        )
    stmt = stmt.order_by(AuditEvent.timestamp.desc(), AuditEvent.seq.desc()).limit(limit)
    return list(session.scalars(stmt))


def oldest_first(
    session: Session, filters: SearchFilters, *, after: tuple[datetime, int] | None, limit: int
) -> list[AuditEvent]:
    """Up to `limit` matching events, oldest first, from just after (timestamp, seq) `after`."""
    stmt = select(AuditEvent).where(*build_conditions(filters))
    if after is not None:
        stmt = stmt.where(
            or_(
                AuditEvent.timestamp > after[0],
                and_(AuditEvent.timestamp == after[0], AuditEvent.seq > after[1]),
            )
        )
    return list(session.scalars(stmt.order_by(AuditEvent.timestamp, AuditEvent.seq).limit(limit)))


def count(session: Session, filters: SearchFilters) -> int:
    stmt = select(func.count()).select_from(AuditEvent).where(*build_conditions(filters))
    return int(session.scalar(stmt) or 0)


def counts_by(session: Session, filters: SearchFilters, group: str) -> list[tuple[str, int]]:
    """Matching events counted by one of `GROUPS` ("none" where it is unset), most first."""
    key = func.coalesce(GROUPS[group], "none")
    stmt = (
        select(key, func.count())
        .select_from(AuditEvent)
        .where(*build_conditions(filters))
        .group_by(key)
        .order_by(func.count().desc(), key)
    )
    return [(str(k), int(n)) for k, n in session.execute(stmt)]


def first_event_times(session: Session, post_ids: Collection[str]) -> dict[str, datetime]:
    """When the log first mentions each of the posts."""
    stmt = (
        select(AuditEvent.post_id, func.min(AuditEvent.timestamp))
        .where(AuditEvent.post_id.in_(post_ids))
        .group_by(AuditEvent.post_id)
    )
    return {str(p): t for p, t in session.execute(stmt) if p and t}


def scored_documents(session: Session, post_ids: Collection[str]) -> list[tuple[str, Any]]:
    """(post, document) of every `post.scored` event of the posts."""
    stmt = select(AuditEvent.post_id, AuditEvent.document).where(
        AuditEvent.post_id.in_(post_ids), AuditEvent.action == Action.POST_SCORED.value
    )
    return [(str(p), d) for p, d in session.execute(stmt) if p]


def events_at(session: Session, chain: str, seq: int) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.chain == chain, AuditEvent.seq == seq)
    return list(session.scalars(stmt))


def chain_page(session: Session, chain: str, *, after_seq: int, limit: int) -> list[AuditEvent]:
    """The chain's next `limit` events after `after_seq`, in sequence order."""
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.chain == chain, AuditEvent.seq > after_seq)
        .order_by(AuditEvent.seq)
        .limit(limit)
    )
    return list(session.scalars(stmt))
