"""Tracing, when turned on: a request's span, its database statements and the tasks it sends
share one trace, in the API process and in a real Celery worker; log lines carry the ids."""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opentelemetry.instrumentation.celery import CeleryInstrumentor
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)
from opentelemetry.trace import SpanKind

from classifier.reference import ReferenceClassifier
from core import dispatch
from core.logging import LogSettings, configure_logging
from core.migrate import upgrade
from core.settings import RedisSettings
from core.tracing import TracingSettings, tracer_provider
from runtime.celery_dispatch import CeleryDispatcher
from runtime.container import Runtime, build_runtime
from runtime.web import create_app
from tests.conftest import (
    CELERY_WORKER,
    TEST_PROCESS_ENV,
    auth,
    child_env,
    make_settings,
    new_api_key,
    wait_for,
)
from tests.core.remote import QuietHandler, serve_in_thread

REPO = Path(__file__).resolve().parents[2]
REDIS_DB = 10  # the own_redis fixture's database, no other suite's
FALSE_POST = "The miracle cure they don't want you to know: garlic water kills the virus!!"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    tracer_provider(TracingSettings(enabled=True), exporter=exporter)
    yield exporter
    CeleryInstrumentor().uninstrument()  # type: ignore[no-untyped-call]
    exporter.shutdown()


def _traced(rt: Runtime) -> TestClient:
    rt.settings.tracing = TracingSettings(enabled=True)
    return TestClient(create_app(rt))


def test_tracing_is_off_by_default(rt: Runtime, client: TestClient) -> None:
    assert rt.settings.tracing.enabled is False
    assert not CeleryInstrumentor().is_instrumented_by_opentelemetry  # type: ignore[no-untyped-call]


def test_a_request_and_its_database_statements_share_one_trace_and_the_log_line_has_it(
    rt: Runtime, spans: InMemorySpanExporter
) -> None:
    buf = io.StringIO()
    handler = configure_logging(LogSettings(format="json"), stream=buf)
    try:
        with _traced(rt) as client:
            resp = client.post(
                "/v1/score",
                json={"posts": [{"id": "t1", "text": FALSE_POST}]},
                headers=auth(new_api_key(rt)),
            )
    finally:
        import logging

        logging.getLogger().removeHandler(handler)
    assert resp.status_code == 200, resp.text
    finished = spans.get_finished_spans()
    (server,) = [s for s in finished if s.kind == SpanKind.SERVER]
    assert server.name == "POST /v1/score"
    trace_id = server.context.trace_id
    queries = [s for s in finished if s.attributes and s.attributes.get("db.system") == "sqlite"]
    assert queries, [s.name for s in finished]
    in_request = [s for s in queries if s.context.trace_id == trace_id]
    assert in_request, "the request's statements are spans of its trace"
    assert all(s.parent is not None for s in in_request)
    assert any(s.attributes and "INSERT" in str(s.attributes["db.statement"]) for s in in_request)
    access = [
        json.loads(line)
        for line in buf.getvalue().splitlines()
        if '"url.path": "/v1/score"' in line
    ]
    assert access[0]["trace.id"] == format(trace_id, "032x")
    assert access[0]["http.request.id"] == resp.headers["x-request-id"]


class _Collector(QuietHandler):
    """A local OTLP/HTTP collector: keeps the spans that the worker exports."""

    received: list[Any]

    def do_POST(self) -> None:  # noqa: N802 - http.server calls it by this name
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        for resource_spans in request.resource_spans:
            for scope_spans in resource_spans.scope_spans:
                self.received.extend(scope_spans.spans)
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.end_headers()


@pytest.fixture
def collector() -> Iterator[tuple[list[Any], str]]:
    received: list[Any] = []
    handler = type("Collector", (_Collector,), {"received": received})
    server, base = serve_in_thread(handler)
    yield received, f"{base}/v1/traces"
    server.shutdown()


@pytest.mark.services
@pytest.mark.slow
def test_a_task_sent_by_a_request_continues_its_trace_in_a_real_worker(
    postgres_url: str,
    own_redis: str,
    receiver: tuple[Any, str],
    spans: InMemorySpanExporter,
    collector: tuple[list[Any], str],
    tmp_path: Path,
) -> None:
    received, endpoint = collector
    upgrade(postgres_url)
    settings = make_settings(postgres_url, receiver[1], redis=RedisSettings(url=own_redis))
    rt = build_runtime(settings, classifier=ReferenceClassifier())
    rt.dispatcher = CeleryDispatcher(own_redis)
    dispatch.install(rt.sessions, rt.dispatcher)
    env = child_env(
        drop=("DATABASE__", "REDIS__"),
        **TEST_PROCESS_ENV,
        DATABASE__URL=postgres_url,
        REDIS__URL=own_redis,
        PLATFORM__TAKEDOWN_URL=receiver[1],
        TRACING__ENABLED="true",
        TRACING__OTLP_ENDPOINT=endpoint,
        TRACING__SERVICE_NAME="veracity-worker",
        OTEL_BSP_SCHEDULE_DELAY="200",  # export within a fifth of a second
        LOG__FORMAT="json",
    )
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [*CELERY_WORKER, "-Q", "veracity", "--concurrency", "1", "--loglevel", "INFO"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            with _traced(rt) as client:
                resp = client.post(
                    "/v1/score",
                    json={"posts": [{"id": "w1", "text": FALSE_POST, "views": 1200}]},
                    headers=auth(new_api_key(rt)),
                )
            assert resp.status_code == 200, resp.text

            def task_span_exported() -> bool:
                return any(s.name == "run/pipeline.route_post" for s in received)

            wait_for(task_span_exported, timeout=60, what="the worker's task span")
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            rt.engine.dispose()
    finished = spans.get_finished_spans()
    (server,) = [s for s in finished if s.kind == SpanKind.SERVER]
    publish = [s for s in finished if s.name == "apply_async/pipeline.route_post"]
    assert publish and publish[0].context.trace_id == server.context.trace_id
    run = next(s for s in received if s.name == "run/pipeline.route_post")
    assert int.from_bytes(run.trace_id, "big") == server.context.trace_id
    worker_queries = [s for s in received if s.trace_id == run.trace_id and s.name != run.name]
    assert worker_queries, "the worker's database statements are in the same trace"
    lines = [json.loads(x) for x in log_path.read_text().splitlines() if x.startswith("{")]
    in_task = [d for d in lines if d.get("celery.task.name") == "pipeline.route_post"]
    assert in_task, log_path.read_text()[-3000:]
    assert in_task[0]["trace.id"] == run.trace_id.hex()
    assert in_task[0]["service.name"] == "veracity"
