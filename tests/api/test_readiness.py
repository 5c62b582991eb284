"""/readyz gates on the database and the broker only; Elasticsearch down is degraded, not 503."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient

from classifier.reference import ReferenceClassifier
from core.settings import ElasticsearchSettings, RedisSettings
from runtime.container import Runtime, build_runtime
from runtime.web import create_app
from tests.conftest import make_settings


def _closed_port_url(scheme: str) -> str:
    """An address on loopback where nothing listens (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"{scheme}://127.0.0.1:{port}"


@contextmanager
def _client(sqlite_url: str, **settings: object) -> Iterator[TestClient]:
    rt: Runtime = build_runtime(
        make_settings(sqlite_url, None, **settings), classifier=ReferenceClassifier()
    )
    with TestClient(create_app(rt)) as client:
        yield client
    rt.engine.dispose()


def test_elasticsearch_unreachable_is_degraded_but_ready(rt: Runtime) -> None:
    es = ElasticsearchSettings(hosts=[_closed_port_url("http")], request_timeout=2)
    with _client(rt.settings.database.url, elasticsearch=es) as client:
        resp = client.get("/readyz")
        body = resp.json()
        assert resp.status_code == 200, body
        assert body["ready"] is True and body["degraded"] == ["elasticsearch"]
        assert body["checks"]["elasticsearch"]["ok"] is False
        assert body["checks"]["elasticsearch"]["error"]
        assert body["checks"]["database"]["ok"] is True


def test_elasticsearch_up_is_not_degraded(rt: Runtime, elasticsearch_url: str) -> None:
    es = ElasticsearchSettings(hosts=[elasticsearch_url])
    with _client(rt.settings.database.url, elasticsearch=es) as client:
        body = client.get("/readyz").json()
        assert body["ready"] is True and body["degraded"] == []
        assert body["checks"]["elasticsearch"]["ok"] is True


def test_configured_broker_unreachable_is_not_ready(rt: Runtime) -> None:
    redis = RedisSettings(url=_closed_port_url("redis") + "/0")
    with _client(rt.settings.database.url, redis=redis) as client:
        resp = client.get("/readyz")
        assert resp.status_code == 503
        body = resp.json()
        assert body["ready"] is False and body["checks"]["redis"]["ok"] is False
        assert body["checks"]["database"]["ok"] is True
