"""Reading the action log: one interface, two implementations (Elasticsearch and the database).

Legal's search, the transparency aggregations, exports and `verify` go through `LogStore`, so
the embedded default (the database is the log) offers exactly what production does.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, Protocol

from audit.schemas import Aggregations, Page, SearchFilters
from core.errors import Invalid


class LogStore(Protocol):
    name: str

    def search(self, filters: SearchFilters, *, size: int, cursor: str | None) -> Page:
        """Newest first, a page at a time; `cursor` continues after the last page."""
        ...

    def aggregate(self, filters: SearchFilters) -> Aggregations: ...

    def count(self, filters: SearchFilters) -> int: ...

    def iter_events(self, filters: SearchFilters, *, page_size: int) -> Iterator[dict[str, Any]]:
        """Every matching event, oldest first, with memory bounded by one page."""
        ...

    def iter_chain(self, chain: str, *, page_size: int) -> Iterator[dict[str, Any]]:
        """Every stored document of a chain in sequence order, unfiltered (for `verify`)."""
        ...

    def documents_at(self, chain: str, seq: int) -> list[dict[str, Any]]:
        """The stored documents of a chain with this seq (more than one only if tampered)."""
        ...

    def content_dates(self, post_ids: list[str]) -> dict[str, datetime]:
        """Each post's content date, for DSA statements: when the platform says it was posted
        (`posted_at` in its `post.scored` events), else when the log first mentions it."""
        ...


def earliest_posted(
    dates: dict[str, datetime], scored: Iterable[tuple[str, dict[str, Any]]]
) -> dict[str, datetime]:
    """`dates` (first mentions) moved back to the `posted_at` of (post id, scored document)."""
    for post_id, doc in scored:
        stated = ((doc.get("veracity") or {}).get("after") or {}).get("posted_at")
        if not stated:
            continue
        when = datetime.fromisoformat(str(stated))
        if post_id not in dates or when < dates[post_id]:
            dates[post_id] = when
    return dates


_NOT_ISSUED = "cursor is not one this API issued"


def search_key(store: str, filters: SearchFilters) -> str:
    """What a cursor belongs to: the store and the filters of the search that issued it (not
    its page size). Another search given it would start at that position and skip every one of
    its own events newer than it."""
    described = filters.described()
    described["actions"] = sorted(described.get("actions", []))
    text = json.dumps([store, described], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_cursor(values: list[Any], key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([*values, key]).encode()).decode()


def decode_cursor(cursor: str | None, key: str) -> list[Any] | None:
    """The position a cursor of the search `key` (`search_key`) continues after."""
    if not cursor:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, json.JSONDecodeError) as exc:
        raise Invalid(_NOT_ISSUED, code="bad_cursor") from exc
    if not isinstance(values, list) or len(values) != 3 or not all(map(_sort_value, values[:2])):
        raise Invalid(_NOT_ISSUED, code="bad_cursor")
    if values[2] != key:
        raise Invalid(
            "cursor belongs to another search (other filters or another log store); "
            "search again without it",
            code="bad_cursor",
        )
    return values[:2]


def _sort_value(value: Any) -> bool:
    """A timestamp or seq as the stores sort by; a huge int was a 500 (64-bit columns)."""
    if isinstance(value, str):
        return len(value) <= 64
    return type(value) is int and -(2**63) <= value < 2**63
