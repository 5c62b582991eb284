"""The action log's export and shipping loops as they were before issue 21 (commit 31b88af),
kept verbatim in behaviour so bench/action_log.py measures old and new in the same run.

Export: one document at a time through generators, `json.dumps` per document, the next page
fetched only when the last is written. Shipping: ORM rows, documents decoded and re-encoded,
the whole bulk answer parsed, one batch at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from audit.es_store import ElasticsearchLog
from audit.models import AuditEvent
from audit.store import LogStore
from core.clock import utcnow
from core.db import transaction

CHUNK_BYTES = 256 * 1024


def export_ndjson(store: LogStore, filters: Any, page_size: int) -> Iterator[bytes]:
    def lines() -> Iterator[str]:
        for doc in store.iter_events(filters, page_size=page_size):
            yield json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"

    pending: list[bytes] = []
    size = 0
    for line in lines():
        data = line.encode()
        pending.append(data)
        size += len(data)
        if size >= CHUNK_BYTES:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


def create_many(store: ElasticsearchLog, docs: list[dict[str, Any]]) -> set[str]:
    body: list[dict[str, Any]] = []
    for doc in docs:
        body.append(
            {"create": {"_index": store.index_for(doc["@timestamp"]), "_id": doc["event"]["id"]}}
        )
        body.append(doc)
    resp = store.client.bulk(operations=body, refresh=False)
    stored: set[str] = set()
    for item in resp["items"]:
        result = item["create"]
        if int(result.get("status", 500)) in (200, 201, 409):
            stored.add(str(result["_id"]))
        else:
            raise RuntimeError(f"baseline shipping refused a document: {result}")
    return stored


def ship_pending(
    factory: sessionmaker[Session], store: ElasticsearchLog, *, batch_size: int
) -> int:
    shipped = 0
    while True:
        with transaction(factory) as session:
            events = list(
                session.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.shipped_at.is_(None))
                    .order_by(AuditEvent.seq)
                    .limit(batch_size)
                )
            )
        if not events:
            return shipped
        stored = create_many(store, [e.document for e in events])
        with transaction(factory) as session:
            session.execute(
                update(AuditEvent).where(AuditEvent.id.in_(stored)).values(shipped_at=utcnow())
            )
        shipped += len(stored)
        if len(events) < batch_size:
            return shipped
