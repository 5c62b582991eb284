"""Reading the action log: one interface, two implementations (Elasticsearch and the database).

Legal's search, the transparency aggregations, exports and `verify` go through `LogStore`, so
the embedded default (the database is the log) offers exactly what production does.
"""

from __future__ import annotations

import base64
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


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def decode_cursor(cursor: str | None) -> list[Any] | None:
    if not cursor:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, json.JSONDecodeError) as exc:
        raise Invalid("cursor is not one this API issued", code="bad_cursor") from exc
    if not isinstance(values, list) or len(values) != 2 or not all(map(_sort_value, values)):
        raise Invalid("cursor is not one this API issued", code="bad_cursor")
    return values


def _sort_value(value: Any) -> bool:
    """A timestamp or seq as the stores sort by; a huge int was a 500 (64-bit columns)."""
    if isinstance(value, str):
        return len(value) <= 64
    return type(value) is int and -(2**63) <= value < 2**63
