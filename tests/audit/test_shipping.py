"""The outbox ships to real Elasticsearch exactly once, also across an outage (a retry after lost
bookkeeping: test_elasticsearch_log.py::test_a_retried_shipment_never_duplicates)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

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
