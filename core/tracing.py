"""OpenTelemetry tracing for the API (FastAPI), the database (SQLAlchemy) and Celery tasks.

Off by default (`TRACING__ENABLED=true` turns it on; needs the `[otel]` extra). Spans go to an
OTLP/HTTP collector (`TRACING__OTLP_ENDPOINT`, else the standard OTEL_EXPORTER_OTLP_* variables,
else http://localhost:4318/v1/traces). A request's trace continues into the tasks it enqueues:
the Celery instrumentation carries the context in the message headers.
"""

from __future__ import annotations

import threading
from typing import Any

from pydantic import BaseModel, Field

from core.tracing_sql import trace_sql

_lock = threading.Lock()
_provider: Any = None


class TracingSettings(BaseModel):
    enabled: bool = False
    otlp_endpoint: str | None = None
    service_name: str = "veracity"
    sample_ratio: float = Field(default=1.0, ge=0.0, le=1.0)  # of new traces; parents decide


class TracingUnavailable(RuntimeError):
    pass


def tracer_provider(settings: TracingSettings, exporter: Any = None) -> Any:
    """The process's provider (made once; None when tracing is off). `exporter` (tests: an
    in-memory one) is added to it, exporting each span as it ends."""
    global _provider
    if not settings.enabled:
        return None
    with _lock:
        if _provider is None:
            _provider = _make_provider(settings, exporter)
        elif exporter is not None:
            from opentelemetry.sdk.trace.export import SimpleSpanProcessor

            _provider.add_span_processor(SimpleSpanProcessor(exporter))
    return _provider


def _make_provider(settings: TracingSettings, exporter: Any) -> Any:
    try:
        from opentelemetry import trace
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
        from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
    except ImportError as exc:
        raise TracingUnavailable(
            "TRACING__ENABLED=true needs the tracing packages: pip install '.[otel]'"
        ) from exc
    provider = TracerProvider(
        resource=Resource.create({"service.name": settings.service_name}),
        sampler=ParentBased(TraceIdRatioBased(settings.sample_ratio)),
    )
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(settings.otlp_endpoint)))
    trace.set_tracer_provider(provider)  # the log formatter and any manual spans use it
    return provider


def instrument_celery(provider: Any) -> None:
    """Publish spans in a producer, run spans in a worker, linked through message headers."""
    from opentelemetry.instrumentation.celery import CeleryInstrumentor

    inst = CeleryInstrumentor()  # type: ignore[no-untyped-call]
    if not inst.is_instrumented_by_opentelemetry:
        inst.instrument(tracer_provider=provider)


def instrument_api(app: Any, engine: Any, settings: TracingSettings) -> bool:
    """Trace `app`'s requests, its database and the tasks it enqueues; False when off."""
    provider = tracer_provider(settings)
    if provider is None:
        return False
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls="/metrics")
    trace_sql(engine, provider)
    instrument_celery(provider)
    return True


def connect_celery_tracing() -> None:
    """In each worker process (after the fork: exporter threads do not survive one), trace
    tasks and the engine the tasks create; flush before the process exits."""
    from celery import signals

    def _init(**_: Any) -> None:
        from core.settings import get_settings

        provider = tracer_provider(get_settings().tracing)
        if provider is None:
            return
        from sqlalchemy.engine import Engine

        instrument_celery(provider)
        trace_sql(Engine, provider)  # every engine, so the one the task runtime makes later

    def _shutdown(**_: Any) -> None:
        if _provider is not None:
            _provider.force_flush()

    signals.worker_process_init.connect(_init, weak=False)
    signals.worker_process_shutdown.connect(_shutdown, weak=False)
