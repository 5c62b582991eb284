"""The action log in Elasticsearch: an explicit index template and create-only bulk writes."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch

_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_BULK_FIELDS = ["items.*._id", "items.*.status", "items.*.error"]
# `record()` writes "@timestamp" first and the database keeps a JSON column's text as written.
_LEADING_TIMESTAMP = re.compile(r'\A\{\s*"@timestamp"\s*:\s*"([^"\\]+)"')


@dataclass(frozen=True, slots=True)  # one per shipped event: thousands in a batch
class Outgoing:
    """One document ready to send: its id, its timestamp (which picks the index) and its JSON."""

    id: str
    timestamp: str
    source: str

    @classmethod
    def from_text(cls, event_id: str, text: str) -> Outgoing:
        """From the outbox's stored JSON text, parsing it only if it does not lead with the
        timestamp (so the index is always the one the document's own timestamp names)."""
        found = _LEADING_TIMESTAMP.match(text)
        if found and "\n" not in text:  # one document, one line of the bulk body
            return cls(event_id, found.group(1), text)
        doc = json.loads(text)
        return cls(event_id, str(doc["@timestamp"]), _JSON.encode(doc))


_KW = {"type": "keyword"}
_KW_TEXT = {"type": "keyword", "fields": {"text": {"type": "text"}}}

MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "@timestamp": {"type": "date"},
        "event": {
            "properties": {"id": _KW, "action": _KW, "kind": _KW, "outcome": _KW},
        },
        "user": {"properties": {"name": _KW, "roles": _KW}},
        "http": {"properties": {"request": {"properties": {"id": _KW}}}},
        "veracity": {
            "properties": {
                "actor_type": _KW,
                "post_id": _KW,
                "case_id": _KW,
                "action_id": _KW,
                "statement_id": _KW,
                "incident_id": _KW,
                "claim_id": _KW,
                "subject": {"type": "object", "enabled": False},
                "reason": {
                    "type": "text",
                    "fields": {"keyword": {"type": "keyword", "ignore_above": 1024}},
                },
                "policy_version": _KW,
                "model_version": _KW,
                "score": {"type": "float"},
                "before": {"type": "object", "enabled": False},
                "after": {"type": "object", "enabled": False},
                "is_drill": {"type": "boolean"},
                "chain": {
                    "properties": {
                        "name": _KW,
                        "seq": {"type": "long"},
                        "prev_hash": _KW,
                        "hash": _KW,
                    }
                },
            }
        },
    },
}


class ElasticsearchLog:
    def __init__(self, client: Elasticsearch, prefix: str = "veracity") -> None:
        self.client = client
        self.prefix = prefix
        self._template_ready = False

    @property
    def pattern(self) -> str:
        return f"{self.prefix}-actions-*"

    def index_for(self, timestamp_iso: str) -> str:
        """Monthly indices; an event's index follows from its own timestamp, so retries agree."""
        return f"{self.prefix}-actions-{timestamp_iso[:7].replace('-', '.')}"

    def ensure_template(self) -> None:
        self.client.indices.put_index_template(
            name=f"{self.prefix}-actions",
            index_patterns=[self.pattern],
            template={
                # One replica once a second data node exists (a log that survives losing a
                # node), none on a single node (which would otherwise stay yellow).
                "settings": {"number_of_shards": 1, "index.auto_expand_replicas": "0-1"},
                "mappings": MAPPINGS,
            },
            priority=200,
        )

    def ensure_template_once(self) -> None:
        """Before the first write of this process: indices never start with dynamic mappings."""
        if not self._template_ready:
            self.ensure_template()
            self._template_ready = True

    def create_many(self, docs: Sequence[dict[str, Any]]) -> tuple[set[str], dict[str, str]]:
        """Create each document under its own id. Returns (stored ids, failures by id).

        A 409 means an earlier attempt already stored it: that counts as stored.
        """
        return self.create_serialized(
            [Outgoing(d["event"]["id"], d["@timestamp"], _JSON.encode(d)) for d in docs]
        )

    def create_serialized(self, docs: Sequence[Outgoing]) -> tuple[set[str], dict[str, str]]:
        """`create_many` for documents already in JSON: the outbox's text goes out as stored,
        in one request body, with only the fields of the answer it reads."""
        if not docs:
            return set(), {}
        lines: list[str] = []
        for doc in docs:
            action = {"create": {"_index": self.index_for(doc.timestamp), "_id": doc.id}}
            lines.append(_JSON.encode(action))
            lines.append(doc.source)
        lines.append("")
        body: Any = "\n".join(lines)  # the client passes a ready NDJSON body through as is
        resp = self.client.bulk(operations=body, refresh=False, filter_path=_BULK_FIELDS)
        stored: set[str] = set()
        failed: dict[str, str] = {}
        for item in resp.get("items", []):
            result = item["create"]
            status = int(result.get("status", 500))
            if status in (200, 201, 409):
                stored.add(str(result["_id"]))
            else:
                failed[str(result["_id"])] = str(result.get("error", status))
        return stored, failed

    def refresh(self) -> None:
        self.client.indices.refresh(index=self.pattern)

    def count(self, query: dict[str, Any] | None = None) -> int:
        resp = self.client.count(index=self.pattern, query=query or {"match_all": {}})
        return int(resp["count"])


def make_client(hosts: list[str], timeout: float = 10.0) -> Elasticsearch:
    return Elasticsearch(hosts, request_timeout=timeout, retry_on_timeout=False, max_retries=0)
