"""Smoke test: the real services started by scripts/services/all.sh answer.

Each test skips only when its VERACITY_TEST_* variable is absent; when the
variable is set, the service must be up.
"""

import os

import pytest

pytestmark = pytest.mark.services


def _url(var: str) -> str:
    url = os.environ.get(var)
    if not url:
        pytest.skip(f"{var} is not set (start services with scripts/services/all.sh start)")
    return url


def test_redis_ping() -> None:
    import redis

    client = redis.Redis.from_url(_url("VERACITY_TEST_REDIS_URL"), socket_timeout=5)
    try:
        assert client.ping() is True
    finally:
        client.close()


def test_postgres_select_1() -> None:
    import psycopg

    url = _url("VERACITY_TEST_POSTGRES_URL").replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(url, connect_timeout=5) as conn:
        assert conn.execute("select 1").fetchone() == (1,)


def test_elasticsearch_cluster_health() -> None:
    from elasticsearch import Elasticsearch

    # Not .info()/.ping(): the integ-test-zip server has no handler for GET /.
    with Elasticsearch(_url("VERACITY_TEST_ELASTICSEARCH_URL"), request_timeout=40) as es:
        health = es.cluster.health(wait_for_status="yellow", timeout="30s")
    assert health["status"] in ("yellow", "green"), health
