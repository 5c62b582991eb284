"""/metrics speaks Prometheus: requests by route, latency, batch sizes, queue depth, model."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import auth


def test_metrics_count_requests_batches_and_name_the_model(
    client: TestClient, platform_key: str
) -> None:
    posts = [{"id": f"x{i}", "text": f"text {i}"} for i in range(3)]
    assert (
        client.post("/v1/score", json={"posts": posts}, headers=auth(platform_key)).status_code
        == 200
    )
    client.post("/v1/score", json={"posts": []}, headers=auth(platform_key))
    body = client.get("/metrics").text
    assert 'veracity_http_requests_total{method="POST",route="/v1/score",status="200"} 1.0' in body
    assert 'veracity_http_requests_total{method="POST",route="/v1/score",status="422"} 1.0' in body
    assert (
        'veracity_http_request_duration_seconds_bucket{le="0.15",method="POST",route="/v1/score"}'
        in body
    )
    assert "veracity_model_batch_size_sum 3.0" in body
    assert "veracity_model_queue_depth 0.0" in body
    assert 'veracity_model_info{version="reference-0"} 1.0' in body
    assert 'veracity_posts_scored_total{cached="false"} 3.0' in body


def _gauge(text: str, name: str) -> float:
    return next(
        float(line.split()[-1]) for line in text.splitlines() if line.startswith(name + " ")
    )


def test_the_shipping_lag_is_zero_where_the_database_is_the_log(
    client: TestClient, platform_key: str
) -> None:
    """The embedded default keeps the log in the database: nothing is shipped, so nothing lags
    (the gauges used to count every event ever written, and an alert on them fired for nothing);
    where Elasticsearch is the log they read `audit.operations.outbox_lag` (tests/audit)."""
    client.post(
        "/v1/score", json={"posts": [{"id": "lag-1", "text": "hello"}]}, headers=auth(platform_key)
    )
    text = client.get("/metrics").text
    assert _gauge(text, "veracity_action_log_unshipped_events") == 0
    assert _gauge(text, "veracity_action_log_shipping_lag_seconds") == 0
