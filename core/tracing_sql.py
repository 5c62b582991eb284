"""A client span per SQL statement, on one engine or (in a worker) on every engine.

Our own hooks on SQLAlchemy's cursor events rather than opentelemetry-instrumentation-sqlalchemy,
which refuses SQLAlchemy 2.1 and imports its asyncio extension (greenlet) even for a sync engine.
The statement text is recorded, never its parameters (they hold posts and personal data).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

_SPAN_KEY = "_veracity_otel_span"
_EVENTS = ("before_cursor_execute", "after_cursor_execute", "handle_error")


def trace_sql(target: Engine | type[Engine], provider: Any) -> None:
    from opentelemetry import trace
    from opentelemetry.trace import SpanKind, StatusCode

    tracer = trace.get_tracer("veracity.db", tracer_provider=provider)

    def before(conn: Any, _cursor: Any, statement: str, _p: Any, context: Any, _m: bool) -> None:
        engine = conn.engine
        verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "SQL"
        span = tracer.start_span(
            f"{verb} {engine.url.database or engine.dialect.name}",
            kind=SpanKind.CLIENT,
            attributes={
                "db.system": engine.dialect.name,
                "db.name": engine.url.database or "",
                "db.statement": statement[:4000],
            },
        )
        setattr(context, _SPAN_KEY, span)

    def after(_conn: Any, _cursor: Any, _s: str, _p: Any, context: Any, _m: bool) -> None:
        span = getattr(context, _SPAN_KEY, None)
        if span is not None:
            span.end()

    def failed(exc_context: Any) -> None:
        span = getattr(exc_context.execution_context, _SPAN_KEY, None)
        if span is not None:
            span.record_exception(exc_context.original_exception)
            span.set_status(StatusCode.ERROR, type(exc_context.original_exception).__name__)
            span.end()

    untrace_sql(target)
    hooks: dict[str, Any] = dict(zip(_EVENTS, (before, after, failed), strict=True))
    for name, fn in hooks.items():
        event.listen(target, name, fn)
    _installed[id(target)] = hooks


def untrace_sql(target: Engine | type[Engine]) -> None:
    for name, fn in _installed.pop(id(target), {}).items():
        event.remove(target, name, fn)


_installed: dict[int, dict[str, Any]] = {}
