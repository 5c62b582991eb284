"""/healthz and /readyz: readiness gates on the database and the broker only (Elasticsearch down
is degraded, not 503) and leaves no transaction open."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient

from classifier.reference import ReferenceClassifier
from core.settings import ElasticsearchSettings, RedisSettings
from runtime.container import Runtime, build_runtime
from runtime.web import create_app
from tests.conftest import auth, free_port, make_settings


def test_health_endpoints(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["model"]["ok"] is True


def test_readiness_check_leaves_no_transaction_open(client: TestClient, platform_key: str) -> None:
    # On SQLite an open transaction holds the write lock: after /readyz, writes must go through.
    import sqlite3

    assert client.get("/readyz").json()["checks"]["database"]["ok"] is True
    rt = client.app.state.runtime  # type: ignore[attr-defined]
    path = rt.settings.database.url.split("///", 1)[1]
    with sqlite3.connect(path, timeout=0.5) as conn:
        conn.execute("BEGIN IMMEDIATE")  # raises 'database is locked' if a check left one open
        conn.rollback()
    resp = client.post(
        "/v1/score", json={"posts": [{"id": "rz", "text": "hello"}]}, headers=auth(platform_key)
    )
    assert resp.status_code == 200


@contextmanager
def _client(sqlite_url: str, **settings: object) -> Iterator[TestClient]:
    rt: Runtime = build_runtime(
        make_settings(sqlite_url, None, **settings), classifier=ReferenceClassifier()
    )
    with TestClient(create_app(rt)) as client:
        yield client
    rt.engine.dispose()


def test_elasticsearch_unreachable_is_degraded_but_ready(rt: Runtime) -> None:
    es = ElasticsearchSettings(hosts=[f"http://127.0.0.1:{free_port()}"], request_timeout=2)
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
    redis = RedisSettings(url=f"redis://127.0.0.1:{free_port()}/0")
    with _client(rt.settings.database.url, redis=redis) as client:
        resp = client.get("/readyz")
        assert resp.status_code == 503
        body = resp.json()
        assert body["ready"] is False and body["checks"]["redis"]["ok"] is False
        assert body["checks"]["database"]["ok"] is True
