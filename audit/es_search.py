"""Searching, aggregating and streaming the action log from Elasticsearch."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from elasticsearch import NotFoundError

from audit.es_store import ElasticsearchLog
from audit.events import Action
from audit.schemas import Aggregations, Bucket, Page, SearchFilters
from audit.store import decode_cursor, earliest_posted, encode_cursor, search_key
from core.errors import Invalid

_NEWEST_FIRST: list[dict[str, Any]] = [{"@timestamp": "desc"}, {"veracity.chain.seq": "desc"}]
_OLDEST_FIRST: list[dict[str, Any]] = [
    {"@timestamp": "asc"},
    {"veracity.chain.seq": "asc"},
    {"_shard_doc": "asc"},
]
_BY_SEQ: list[dict[str, Any]] = [
    {"veracity.chain.seq": {"order": "asc", "missing": "_last"}},
    {"_shard_doc": "asc"},
]
# What every page of a scan asks for: no total, only the documents, their sort keys and the PIT.
_SCAN_PAGE: dict[str, Any] = {
    "track_total_hits": False,
    "filter_path": ["hits.hits._source", "hits.hits.sort", "pit_id"],
}
PIT_KEEP_ALIVE = "2m"


def build_query(filters: SearchFilters) -> dict[str, Any]:
    clauses: list[dict[str, Any]] = []
    if filters.since or filters.until:
        bounds: dict[str, str] = {}
        if filters.since:
            bounds["gte"] = filters.since.isoformat()
        if filters.until:
            bounds["lte"] = filters.until.isoformat()
        clauses.append({"range": {"@timestamp": bounds}})
    for field, value in (
        ("veracity.post_id", filters.post_id),
        ("veracity.case_id", filters.case_id),
        ("veracity.incident_id", filters.incident_id),
        ("user.name", filters.actor),
        ("veracity.policy_version", filters.policy_version),
    ):
        if value:
            clauses.append({"term": {field: value}})
    if filters.actions:
        clauses.append({"terms": {"event.action": [a.value for a in filters.actions]}})
    query: dict[str, Any] = {"filter": clauses}
    if filters.text:
        # A query without words (blank, only punctuation) filters nothing, as in the database.
        match = {"query": filters.text, "operator": "and", "zero_terms_query": "all"}
        query["must"] = [{"match": {"veracity.reason": match}}]
    if not filters.include_drills:
        query["must_not"] = [{"term": {"veracity.is_drill": True}}]
    return {"bool": query}


class ElasticsearchSearch:
    name = "elasticsearch"

    def __init__(self, log: ElasticsearchLog) -> None:
        self.log = log
        self.client = log.client

    def search(self, filters: SearchFilters, *, size: int, cursor: str | None) -> Page:
        key = search_key(self.name, filters)
        after = decode_cursor(cursor, key)
        if after is not None and not all(type(v) is int for v in after):
            # Elasticsearch sorts by epoch milliseconds and seq; anything else was a 500 there.
            raise Invalid("cursor is not one this API issued", code="bad_cursor")
        resp = self.client.search(
            index=self.log.pattern,
            query=build_query(filters),
            sort=_NEWEST_FIRST,
            size=size,
            search_after=after,
            track_total_hits=True,
        )
        hits = resp["hits"]["hits"]
        next_cursor = encode_cursor(hits[-1]["sort"], key) if len(hits) == size else None
        return Page(
            events=[h["_source"] for h in hits],
            total=int(resp["hits"]["total"]["value"]),
            next_cursor=next_cursor,
        )

    def count(self, filters: SearchFilters) -> int:
        return self.log.count(build_query(filters))

    def aggregate(self, filters: SearchFilters) -> Aggregations:
        resp = self.client.search(
            index=self.log.pattern,
            query=build_query(filters),
            size=0,
            track_total_hits=True,
            aggs={
                "action": {"terms": {"field": "event.action", "size": 200}},
                "policy": {
                    "terms": {"field": "veracity.policy_version", "size": 100, "missing": "none"}
                },
                "actor_type": {"terms": {"field": "veracity.actor_type", "size": 10}},
            },
        )
        # No index matches before the first shipment: hits but no aggregations in the answer.
        aggs = resp.get("aggregations") or {}

        def buckets(name: str) -> list[Bucket]:
            found = aggs.get(name, {}).get("buckets", [])
            return [Bucket(key=str(b["key"]), count=int(b["doc_count"])) for b in found]

        return Aggregations.counted(
            int(resp["hits"]["total"]["value"]),
            buckets("action"),
            buckets("policy"),
            buckets("actor_type"),
        )

    def content_dates(self, post_ids: list[str]) -> dict[str, datetime]:
        if not post_ids:
            return {}
        ids = sorted(set(post_ids))
        resp = self.client.search(
            index=self.log.pattern,
            query={"terms": {"veracity.post_id": ids}},
            size=0,
            aggs={
                "posts": {
                    "terms": {"field": "veracity.post_id", "size": len(ids)},
                    "aggs": {"first": {"min": {"field": "@timestamp"}}},
                }
            },
        )
        dates = {
            str(b["key"]): datetime.fromisoformat(str(b["first"]["value_as_string"]))
            for b in resp["aggregations"]["posts"]["buckets"]
        }
        scored = self.client.search(
            index=self.log.pattern,
            query={
                "bool": {
                    "filter": [
                        {"terms": {"veracity.post_id": ids}},
                        {"term": {"event.action": Action.POST_SCORED.value}},
                    ]
                }
            },
            source_includes=["veracity.post_id", "veracity.after"],
            size=10_000,  # a DSA batch holds at most 100 posts; rescoring is rare
        )
        hits = scored["hits"]["hits"]
        return earliest_posted(
            dates, ((h["_source"]["veracity"]["post_id"], h["_source"]) for h in hits)
        )

    def iter_events(self, filters: SearchFilters, *, page_size: int) -> Iterator[dict[str, Any]]:
        yield from self._scan(build_query(filters), _OLDEST_FIRST, page_size)

    def documents_at(self, chain: str, seq: int) -> list[dict[str, Any]]:
        query = {
            "bool": {
                "filter": [
                    {"term": {"veracity.chain.name": chain}},
                    {"term": {"veracity.chain.seq": seq}},
                ]
            }
        }
        resp = self.client.search(index=self.log.pattern, query=query, size=100)
        return [h["_source"] for h in resp["hits"]["hits"]]

    def iter_chain(self, chain: str, *, page_size: int) -> Iterator[dict[str, Any]]:
        # Documents without a chain at all sort last, so an inserted stray is still seen.
        query = {
            "bool": {
                "should": [
                    {"term": {"veracity.chain.name": chain}},
                    {"bool": {"must_not": {"exists": {"field": "veracity.chain.name"}}}},
                ]
            }
        }
        yield from self._scan(query, _BY_SEQ, page_size)

    def _scan(
        self, query: dict[str, Any], sort: list[dict[str, Any]], page_size: int
    ) -> Iterator[dict[str, Any]]:
        """Point-in-time + search_after: a consistent snapshot, one page in memory at a time."""
        try:
            pit = self.client.open_point_in_time(
                index=self.log.pattern,
                keep_alive=PIT_KEEP_ALIVE,
                allow_partial_search_results=False,
            )["id"]
        except NotFoundError:
            return
        after: list[Any] | None = None
        try:
            while True:
                resp = self.client.search(
                    pit={"id": pit, "keep_alive": PIT_KEEP_ALIVE},
                    query=query,
                    sort=sort,
                    size=page_size,
                    search_after=after,
                    **_SCAN_PAGE,
                )
                pit = resp.get("pit_id", pit)
                hits = resp.get("hits", {}).get("hits", [])
                full, after = len(hits) == page_size, hits[-1]["sort"] if hits else None
                for hit in hits:
                    yield hit["_source"]
                # Drop this page before fetching the next, so only one is ever held.
                del resp, hits
                if not full:
                    return
        finally:
            self.client.options(ignore_status=404).close_point_in_time(id=pit)
