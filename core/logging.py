"""Process logging: one JSON object per line with ECS field names, or plain text on a terminal.

Every line carries what it happened under: the HTTP request id (`http.request.id`, the same
value the API returns as X-Request-ID), the Celery task id and name, and the trace and span ids
when tracing is on, so a log search can follow one request or task across processes.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import sys
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from pydantic import BaseModel

ECS_VERSION = "8.11.0"
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
task_var: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar(
    "celery_task", default=None
)


class LogSettings(BaseModel):
    # auto: JSON unless stderr is a terminal (a person reading `make demo` gets text).
    format: Literal["auto", "json", "text"] = "auto"
    level: str = "INFO"
    service_name: str = "veracity"


@contextlib.contextmanager
def bound_request(request_id: str) -> Iterator[None]:
    token = request_id_var.set(request_id)
    try:
        yield
    finally:
        request_id_var.reset(token)


def _trace_ids() -> tuple[str, str] | None:
    try:
        from opentelemetry import trace
    except ImportError:  # tracing is an optional extra
        return None
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None
    return format(ctx.trace_id, "032x"), format(ctx.span_id, "016x")


class EcsJsonFormatter(logging.Formatter):
    def __init__(self, service_name: str = "veracity") -> None:
        super().__init__()
        self.service_name = service_name

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "@timestamp": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "log.level": record.levelname.lower(),
            "message": record.getMessage(),
            "ecs.version": ECS_VERSION,
            "service.name": self.service_name,
            "log.logger": record.name,
            "process.pid": record.process,
        }
        if (request_id := request_id_var.get()) is not None:
            doc["http.request.id"] = request_id
        if (task := task_var.get()) is not None:
            doc["celery.task.id"], doc["celery.task.name"] = task
        if (ids := _trace_ids()) is not None:
            doc["trace.id"], doc["span.id"] = ids
        extra = getattr(record, "ecs", None)  # `extra={"ecs": {...}}`: more ECS fields
        if isinstance(extra, dict):
            doc.update(extra)
        if record.exc_info and record.exc_info[0] is not None:
            doc["error.type"] = record.exc_info[0].__name__
            doc["error.message"] = str(record.exc_info[1])
            doc["error.stack_trace"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(doc, default=str, ensure_ascii=False)


class _ContextTextFormatter(logging.Formatter):
    """The plain format, with the request or task id when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        rid, task = request_id_var.get(), task_var.get()
        tag = f" [req {rid}]" if rid else (f" [task {task[0]}]" if task else "")
        return line + tag


_HANDLER_NAME = "veracity"


def configure_logging(
    settings: LogSettings | None = None, *, stream: TextIO | None = None, verbose: bool = False
) -> logging.Handler:
    """Install (or replace) the one root handler; safe to call again in the same process."""
    settings = settings or LogSettings()
    out = stream or sys.stderr
    use_json = settings.format == "json" or (settings.format == "auto" and not out.isatty())
    handler = logging.StreamHandler(out)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(
        EcsJsonFormatter(settings.service_name)
        if use_json
        else _ContextTextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else settings.level.upper())
    # uvicorn's own loggers propagate here (serve passes log_config=None).
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    return handler


def connect_celery_signals() -> None:
    """In a worker: our handler instead of Celery's, and the task id on every line."""
    from celery import signals

    def _setup(**_: Any) -> None:
        from core.settings import get_settings

        configure_logging(get_settings().log)

    def _prerun(task_id: str | None = None, task: Any = None, **_: Any) -> None:
        task_var.set((task_id or "", getattr(task, "name", "") or ""))

    def _postrun(task_id: str | None = None, task: Any = None, state: Any = None, **_: Any) -> None:
        # Logged before the tracing hook (connected later) ends the task's span: one line per
        # task that carries the task id and, when tracing, its trace id.
        logging.getLogger("veracity.tasks").info(
            "task %s finished: %s",
            getattr(task, "name", ""),
            state,
            extra={"ecs": {"event.outcome": "success" if state == "SUCCESS" else "failure"}},
        )
        task_var.set(None)

    # weak=False: the receivers are closures that would otherwise be collected at once.
    signals.setup_logging.connect(_setup, weak=False)
    signals.task_prerun.connect(_prerun, weak=False)
    signals.task_postrun.connect(_postrun, weak=False)
