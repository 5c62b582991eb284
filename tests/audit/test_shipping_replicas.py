"""Shippers on several replicas (and threads) share the outbox on PostgreSQL: each batch is
claimed while in flight, so no event is sent twice, and every event lands in the index its own
timestamp names, sent as the outbox stored it."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, select

from audit.es_store import ElasticsearchLog, Outgoing, make_client
from audit.events import Action, Subject
from audit.models import AuditEvent
from audit.service import record
from audit.shipping import ship_pending
from classifier.reference import ReferenceClassifier
from core.actors import Actor
from core.db import transaction
from runtime.container import Runtime, build_runtime
from tests.audit.factories import write_events
from tests.conftest import make_settings

pytestmark = pytest.mark.services


class CountingLog(ElasticsearchLog):
    """Real Elasticsearch, counting every id each request carried."""

    def __init__(self, url: str, prefix: str) -> None:
        super().__init__(make_client([url], timeout=30), prefix)
        self.sent: Counter[str] = Counter()
        self.lock = threading.Lock()

    def create_serialized(self, docs: Sequence[Outgoing]) -> tuple[set[str], dict[str, str]]:
        with self.lock:
            self.sent.update(d.id for d in docs)
        return super().create_serialized(docs)


@pytest.fixture
def pg_rt(postgres_url: str) -> Iterator[Runtime]:
    runtime = build_runtime(make_settings(postgres_url), classifier=ReferenceClassifier())
    yield runtime
    runtime.engine.dispose()


def test_shippers_running_together_send_each_event_once(
    pg_rt: Runtime, elasticsearch_url: str, es_prefix: str
) -> None:
    for _ in range(3):
        write_events(pg_rt, 1000)
    store = CountingLog(elasticsearch_url, es_prefix)
    store.ensure_template()
    results = []

    def replica() -> None:  # another process would do the same through its own connections
        results.append(ship_pending(pg_rt.sessions, store, batch_size=200, concurrency=2))

    replicas = [threading.Thread(target=replica) for _ in range(2)]
    for t in replicas:
        t.start()
    for t in replicas:
        t.join()
    assert sum(r.shipped for r in results) == 3000
    assert all(r.failed == 0 and r.error is None for r in results)
    assert len(store.sent) == 3000
    assert set(store.sent.values()) == {1}, "an event was sent by two shippers"
    store.refresh()
    assert store.count() == 3000
    with pg_rt.sessions() as s:
        left = s.scalar(select(func.count()).where(AuditEvent.shipped_at.is_(None)))
    assert left == 0


def test_an_event_goes_to_the_month_of_its_own_timestamp_as_stored(
    pg_rt: Runtime, elasticsearch_url: str, es_prefix: str
) -> None:
    # 00:30 on 1 February in Berlin is still January in UTC: the document's own timestamp
    # (as written) names the index, as it always did, so a retry finds the same index.
    berlin = timezone(timedelta(hours=1))
    with transaction(pg_rt.sessions) as session:
        event = record(
            session,
            Action.CASE_DECIDED,
            Actor.system("test"),
            Subject(post_id="p-ü"),
            reason="«cure» = fake",
            at=datetime(2026, 2, 1, 0, 30, tzinfo=berlin),
        )
    doc: dict[str, Any] = dict(event.document)  # as committed: chained
    assert doc["veracity"]["chain"]["seq"] == event.seq
    store = ElasticsearchLog(make_client([elasticsearch_url]), es_prefix)
    store.ensure_template()
    assert ship_pending(pg_rt.sessions, store).shipped == 1
    store.refresh()
    hit = store.client.search(index=store.pattern, size=1)["hits"]["hits"][0]
    assert hit["_index"] == f"{es_prefix}-actions-2026.02"
    assert hit["_id"] == doc["event"]["id"]
    assert hit["_source"] == doc
    assert Outgoing.from_text("x", '{"a": 1, "@timestamp": "2025-12-31T23:00:00+00:00"}') == (
        Outgoing(
            "x", "2025-12-31T23:00:00+00:00", '{"a":1,"@timestamp":"2025-12-31T23:00:00+00:00"}'
        )
    )


def test_the_template_gives_a_replica_when_a_second_node_exists(
    elasticsearch_url: str, es_prefix: str
) -> None:
    store = ElasticsearchLog(make_client([elasticsearch_url]), es_prefix)
    store.ensure_template()
    template = store.client.indices.get_index_template(name=f"{es_prefix}-actions")
    settings = template["index_templates"][0]["index_template"]["template"]["settings"]
    assert settings["index"]["auto_expand_replicas"] == "0-1"
    store.client.indices.create(index=store.index_for("2026-03-01T00:00:00+00:00"))
    health = store.client.cluster.health(
        index=store.pattern, wait_for_status="green", timeout="20s"
    )
    assert health["status"] == "green", "a single node keeps no replica it cannot place"
