"""Starting a serving process: the app plus its pipeline (Celery dispatch or in-process)."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from classifier.serving.threads import size_for_serving
from core import dispatch
from core.outbound import policy_from
from core.settings import Settings, get_settings
from runtime.container import Runtime, build_runtime
from runtime.inprocess import Housekeeper, start_inprocess_pipeline
from runtime.web import create_app
from statements.config import check_outbound, get_statement_settings

log = logging.getLogger(__name__)


def start_pipeline(rt: Runtime) -> Housekeeper | None:
    """Celery when a broker is configured; otherwise tasks and housekeeping run in-process."""
    if rt.settings.pipeline_mode == "celery":
        from runtime.celery_dispatch import CeleryDispatcher

        rt.dispatcher = CeleryDispatcher(rt.settings.redis.url or "")
        dispatch.install(rt.sessions, rt.dispatcher)
        return None
    start_inprocess_pipeline(rt)
    keeper = Housekeeper(rt)
    keeper.start()
    return keeper


def create_served_app(settings: Settings | None = None) -> FastAPI:
    threads = size_for_serving(processes=1)  # `veracity serve --workers N` named it already
    rt = build_runtime(settings or get_settings())
    check_outbound(get_statement_settings(), policy_from(rt.settings))  # names a refused URL
    start_pipeline(rt)
    _ = rt.classifier  # load the model once, before the first request
    log.info(
        "serving with model %s, pipeline %s, %d ONNX Runtime thread(s) per model",
        rt.classifier.model_version,
        rt.settings.pipeline_mode,
        threads,
    )
    return create_app(rt)
