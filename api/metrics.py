"""Prometheus metrics for the API: requests, latency, model batches, queue depth, model version.

Each app gets its own registry, so several apps in one process (tests) don't collide.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from audit.shipping import shipping_lag

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 24, 32, 64, 128, 256)


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "veracity_http_requests",
            "HTTP requests by route template, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "veracity_http_request_duration_seconds",
            "Time to answer, by route template",
            ["route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.batch_size = Histogram(
            "veracity_model_batch_size",
            "Texts per classifier call made by the batcher",
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "veracity_model_queue_depth",
            "Texts waiting for the classifier",
            registry=self.registry,
        )
        self.posts_scored = Counter(
            "veracity_posts_scored",
            "Posts returned by /v1/score, by whether the stored result was reused",
            ["cached"],
            registry=self.registry,
        )
        self.model = Info("veracity_model", "The model serving scores", registry=self.registry)
        self.outbox_unshipped = Gauge(
            "veracity_action_log_unshipped_events",
            "Action-log events written but not yet in Elasticsearch",
            registry=self.registry,
        )
        self.outbox_lag = Gauge(
            "veracity_action_log_shipping_lag_seconds",
            "Age of the oldest action-log event not yet in Elasticsearch",
            registry=self.registry,
        )

    def observe_batch(self, size: int, depth_after: int) -> None:
        self.batch_size.observe(size)
        self.queue_depth.set(depth_after)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = str(scope.get("method", ""))
            self.metrics.requests.labels(route, method, str(status)).inc()
            self.metrics.latency.labels(route, method).observe(time.perf_counter() - start)


router = APIRouter(tags=["health"])


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
def metrics(request: Request) -> Response:
    registry: ApiMetrics = request.app.state.serving.metrics
    lag = shipping_lag(request.app.state.runtime.sessions)
    registry.outbox_unshipped.set(lag.unshipped)
    registry.outbox_lag.set(lag.oldest_age_seconds)
    return Response(registry.render(), media_type=CONTENT_TYPE_LATEST)
