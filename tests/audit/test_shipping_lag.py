"""Shipping lag for /metrics, and backing off when Elasticsearch pushes back (429)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from audit.es_store import ElasticsearchLog, Outgoing, make_client
from audit.operations import outbox_lag
from audit.shipping import ship_pending, shipping_lag
from core.clock import utcnow
from runtime.container import Runtime
from tests.audit.factories import write_events
from tests.conftest import es_runtime


class RejectingLog(ElasticsearchLog):
    """Stores the first `accept` documents, then answers like a full write queue."""

    def __init__(self, accept: int) -> None:
        super().__init__(make_client(["http://127.0.0.1:9"]), "unused")
        self.accept = accept
        self.stored: list[str] = []

    def create_serialized(self, docs: Sequence[Outgoing]) -> tuple[set[str], dict[str, str]]:
        ok = [d.id for d in docs[: self.accept - len(self.stored)]]
        self.stored += ok
        rejected = {
            d.id: "{'type': 'es_rejected_execution_exception', 'status': 429}"
            for d in docs[len(ok) :]
        }
        return set(ok), rejected


def test_lag_reports_how_many_wait_and_for_how_long(rt: Runtime) -> None:
    assert shipping_lag(rt.sessions).unshipped == 0
    write_events(rt, 3, at=utcnow() - timedelta(minutes=5))
    write_events(rt, 2)
    lag = shipping_lag(rt.sessions)
    assert lag.unshipped == 5
    assert 290 < lag.oldest_age_seconds < 400


def test_shipping_backs_off_when_elasticsearch_rejects_and_loses_nothing(rt: Runtime) -> None:
    write_events(rt, 30)
    store = RejectingLog(accept=12)
    result = ship_pending(rt.sessions, store, batch_size=10)
    assert result.error == "backpressure"
    assert (result.shipped, result.failed, result.remaining) == (12, 0, 18)
    store.accept = 30
    result = ship_pending(rt.sessions, store, batch_size=10)
    assert (result.shipped, result.remaining, result.error) == (18, 0, None)
    assert len(set(store.stored)) == 30


def test_the_outbox_lag_is_none_where_the_database_is_the_log(rt: Runtime) -> None:
    write_events(rt, 3, at=utcnow() - timedelta(minutes=5))
    assert rt.action_log is None
    assert outbox_lag(rt) is None


@pytest.mark.services
def test_the_outbox_lag_counts_what_waits_for_elasticsearch(
    sqlite_url: str, elasticsearch_url: str, es_prefix: str
) -> None:
    for es_rt in es_runtime(sqlite_url, elasticsearch_url, es_prefix):
        write_events(es_rt, 4, at=utcnow() - timedelta(minutes=5))
        lag = outbox_lag(es_rt)
        assert lag is not None and lag.unshipped == 4
        assert lag.oldest_age_seconds > 290
