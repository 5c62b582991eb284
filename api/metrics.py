"""Prometheus metrics for the API: requests, latency, model batches, queue depth, model version,
the action log's shipping lag and outbound work given up on.

Each app gets its own registry, so several apps in one process (tests) don't collide.

Several worker processes (`veracity serve --workers N`) share one directory named by
`PROMETHEUS_MULTIPROC_DIR` (the serve command makes one per run and removes it): every process
writes its values there, and /metrics, whichever worker answers it, reads them all through
`MultiProcessCollector`: counters and histograms summed, the queue depth summed over live
workers, `veracity_http_requests_by_worker` one series per live worker (`pid`). A worker that
stops drops its live gauges (`mark_process_dead`, from the app's lifespan).
"""

from __future__ import annotations

import os
import time

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.middleware import HttpMiddleware
from audit.operations import outbox_lag
from pipeline.repository.actions import dead_letter_count
from statements.repository import dead_delivery_count
from webhooks.repository import failed_delivery_count

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 24, 32, 64, 128, 256)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> str | None:
    """The shared metrics directory when this process is one of several workers, else None."""
    return os.environ.get(MULTIPROC_ENV) or None


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
            multiprocess_mode="livesum",
        )
        self.worker_requests = Gauge(
            "veracity_http_requests_by_worker",
            "HTTP requests answered by this worker process since it started (label pid when "
            "several workers serve)",
            registry=self.registry,
            multiprocess_mode="liveall",
        )
        self.posts_scored = Counter(
            "veracity_posts_scored",
            "Posts returned by /v1/score, by whether the stored result was reused",
            ["cached"],
            registry=self.registry,
        )
        # A gauge with the `_info` name and a version label, as an Info metric is exposed:
        # Info has no multi-process mode.
        self.model = Gauge(
            "veracity_model_info",
            "The model serving scores",
            ["version"],
            registry=self.registry,
            multiprocess_mode="livemax",
        )
        # Set by whichever worker answers /metrics: the latest reading counts.
        self.outbox_unshipped = Gauge(
            "veracity_action_log_unshipped_events",
            "Action-log events written but not yet in Elasticsearch",
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )
        self.outbox_lag = Gauge(
            "veracity_action_log_shipping_lag_seconds",
            "Age of the oldest action-log event not yet in Elasticsearch",
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )
        self.given_up = Gauge(
            "veracity_outbound_given_up",
            "Outbound work whose retries are spent, waiting for an admin: takedowns (dead letters), "
            "webhook deliveries (failed), statement deliveries (dead)",
            ["kind"],
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )

    def observe_batch(self, size: int, depth_after: int) -> None:
        self.batch_size.observe(size)
        self.queue_depth.set(depth_after)

    def serving_model(self, version: str) -> None:
        self.model.labels(version).set(1)

    def render(self) -> bytes:
        path = multiprocess_dir()
        if path is None:
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        MultiProcessCollector(merged, path=path)  # type: ignore[no-untyped-call]
        return generate_latest(merged)

    def process_exiting(self) -> None:
        """Drop this worker's live gauges from the shared directory (no-op in one process)."""
        path = multiprocess_dir()
        if path is not None:
            mark_process_dead(os.getpid(), path)  # type: ignore[no-untyped-call]


class MetricsMiddleware(HttpMiddleware):
    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        super().__init__(app)
        self.metrics = metrics

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
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
            self.metrics.worker_requests.inc()


router = APIRouter(tags=["health"])


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
def metrics(request: Request) -> Response:
    registry: ApiMetrics = request.app.state.serving.metrics
    lag = outbox_lag(request.app.state.runtime)  # None: the log is the database, nothing ships
    registry.outbox_unshipped.set(lag.unshipped if lag else 0)
    registry.outbox_lag.set(lag.oldest_age_seconds if lag else 0.0)
    with request.app.state.runtime.sessions() as session:
        registry.given_up.labels("takedown").set(dead_letter_count(session))
        registry.given_up.labels("webhook").set(failed_delivery_count(session))
        registry.given_up.labels("statement").set(dead_delivery_count(session))
    return Response(registry.render(), media_type=CONTENT_TYPE_LATEST)
