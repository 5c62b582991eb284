"""The outbox ships to real Elasticsearch exactly once, also across an outage and retries."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from audit.es_store import ElasticsearchLog, make_client
from audit.events import Action, Subject
from audit.models import AuditEvent
from audit.service import record
from audit.shipping import ship_pending
from core.actors import Actor
from core.db import transaction
from runtime.container import Runtime
from tests.conftest import free_port

pytestmark = pytest.mark.services


def _write_events(rt: Runtime, n: int) -> None:
    with transaction(rt.sessions) as session:
        for i in range(n):
            record(
                session,
                Action.CASE_DECIDED,
                Actor.system("test"),
                Subject(post_id=f"p{i}"),
                reason="test",
            )


def _unshipped(rt: Runtime) -> int:
    with rt.sessions() as s:
        return (
            s.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.shipped_at.is_(None))
            )
            or 0
        )


def test_events_wait_while_elasticsearch_is_down_then_ship_exactly_once(
    rt: Runtime, elasticsearch_url: str, es_prefix: str
) -> None:
    _write_events(rt, 25)
    down = ElasticsearchLog(
        make_client([f"http://127.0.0.1:{free_port()}"], timeout=1.0), es_prefix
    )
    result = ship_pending(rt.sessions, down)
    assert result.error is not None
    assert result.shipped == 0
    assert _unshipped(rt) == 25, "nothing is lost or marked shipped while Elasticsearch is down"

    store = ElasticsearchLog(make_client([elasticsearch_url]), es_prefix)
    store.ensure_template()
    assert ship_pending(rt.sessions, store).shipped == 25
    assert ship_pending(rt.sessions, store).shipped == 0, "a second run finds nothing to ship"
    store.refresh()
    assert store.count() == 25
    assert _unshipped(rt) == 0


def test_a_retried_shipment_never_duplicates(
    rt: Runtime, elasticsearch_url: str, es_prefix: str
) -> None:
    store = ElasticsearchLog(make_client([elasticsearch_url]), es_prefix)
    store.ensure_template()
    _write_events(rt, 10)
    ship_pending(rt.sessions, store)
    # Lose the bookkeeping, as if the shipper died after Elasticsearch stored the batch.
    with transaction(rt.sessions) as session:
        session.execute(update(AuditEvent).values(shipped_at=None))
    again = ship_pending(rt.sessions, store)
    assert again.shipped == 10
    assert again.failed == 0
    store.refresh()
    assert store.count() == 10
    ids = {hit["_id"] for hit in store.client.search(index=store.pattern, size=100)["hits"]["hits"]}
    with rt.sessions() as s:
        assert ids == set(s.scalars(select(AuditEvent.id)))


def test_the_index_template_refuses_undeclared_fields(
    rt: Runtime, elasticsearch_url: str, es_prefix: str
) -> None:
    store = ElasticsearchLog(make_client([elasticsearch_url]), es_prefix)
    store.ensure_template()
    _write_events(rt, 1)
    with rt.sessions() as s:
        doc = dict(s.scalars(select(AuditEvent)).one().document)
    doc["surprise"] = "field"
    stored, failed = store.create_many([doc])
    assert not stored
    assert failed, "strict mapping: an unknown field is refused, not silently mapped"
