"""The same search, aggregations and streams over the database log (the embedded default)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from audit.models import AuditEvent
from audit.repository import search as repository
from audit.schemas import Aggregations, Bucket, Page, SearchFilters
from audit.store import decode_cursor, earliest_posted, encode_cursor, search_key
from core.clock import as_utc, to_utc
from core.db import transaction
from core.errors import Invalid

_Key = TypeVar("_Key")


def _position(after: list[Any]) -> tuple[datetime, int]:
    """(timestamp, seq) of a cursor's position: an aware time that is a UTC datetime (a naive
    or out-of-range one was a 500 from the UTC column) and an integer seq."""
    when, seq = after
    try:
        at = datetime.fromisoformat(when) if isinstance(when, str) else None
        if at is None or at.tzinfo is None or type(seq) is not int:
            raise ValueError(when)
        return to_utc(at), seq
    except ValueError as exc:
        raise Invalid("cursor is not one this API issued", code="bad_cursor") from exc


class DatabaseSearch:
    name = "database"

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def search(self, filters: SearchFilters, *, size: int, cursor: str | None) -> Page:
        key = search_key(self.name, filters)
        after = decode_cursor(cursor, key)
        before = None if after is None else _position(after)
        with transaction(self.sessions) as session:
            rows = repository.newest_first(session, filters, before=before, limit=size)
            total = repository.count(session, filters)
        next_cursor = None
        if len(rows) == size:
            last = rows[-1]
            next_cursor = encode_cursor([as_utc(last.timestamp).isoformat(), last.seq], key)
        return Page(events=[r.document for r in rows], total=total, next_cursor=next_cursor)

    def count(self, filters: SearchFilters) -> int:
        with transaction(self.sessions) as session:
            return repository.count(session, filters)

    def aggregate(self, filters: SearchFilters) -> Aggregations:
        with transaction(self.sessions) as session:
            by_action, by_policy, by_actor = (
                [Bucket(key=k, count=n) for k, n in repository.counts_by(session, filters, group)]
                for group in ("action", "policy", "actor_type")
            )
        return Aggregations.counted(sum(b.count for b in by_action), by_action, by_policy, by_actor)

    def content_dates(self, post_ids: list[str]) -> dict[str, datetime]:
        if not post_ids:
            return {}
        ids = sorted(set(post_ids))
        with transaction(self.sessions) as session:
            first = repository.first_event_times(session, ids)
            dates = {p: as_utc(t) for p, t in first.items()}
            return earliest_posted(dates, repository.scored_documents(session, ids))

    def iter_events(self, filters: SearchFilters, *, page_size: int) -> Iterator[dict[str, Any]]:
        return self._keyset_pages(
            lambda session, after: repository.oldest_first(
                session, filters, after=after, limit=page_size
            ),
            None,
            lambda last: (last.timestamp, last.seq),
            page_size,
        )

    def documents_at(self, chain: str, seq: int) -> list[dict[str, Any]]:
        with transaction(self.sessions) as session:
            return [r.document for r in repository.events_at(session, chain, seq)]

    def iter_chain(self, chain: str, *, page_size: int) -> Iterator[dict[str, Any]]:
        return self._keyset_pages(
            lambda session, after: repository.chain_page(
                session, chain, after_seq=after, limit=page_size
            ),
            0,
            lambda last: last.seq,
            page_size,
        )

    def _keyset_pages(
        self,
        page: Callable[[Session, _Key], list[AuditEvent]],
        key: _Key,
        key_of: Callable[[AuditEvent], _Key],
        page_size: int,
    ) -> Iterator[dict[str, Any]]:
        """Each page's documents, a transaction per page, each page starting after the key of
        the last event before it; a short page is the last."""
        while True:
            with transaction(self.sessions) as session:
                rows = page(session, key)
            yield from (r.document for r in rows)
            if len(rows) < page_size:
                return
            key = key_of(rows[-1])
