"""The API process's serving machinery: the model batcher, the rate limiter and metrics.

They live on `app.state` (one set per app) and are reached through the dependencies below.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, TypedDict

from fastapi import Depends, FastAPI, Request

from api.batcher import DynamicBatcher, EncoderBatcher
from api.metrics import ApiMetrics
from api.process import AppProcess
from api.ratelimit import RateLimiter, make_limiter
from core.principal import Principal
from core.refusal import Refusal
from pipeline.signals import IntakeSignals


@dataclass
class Serving:
    batcher: DynamicBatcher
    limiter: RateLimiter
    metrics: ApiMetrics
    admission: threading.BoundedSemaphore
    admission_wait_seconds: float
    # language, claim matches, check-worthiness at intake (loaded once with the app); their
    # encoder pass goes through `encoder`, a second batcher beside the classifier's
    signals: IntakeSignals | None = None
    encoder: EncoderBatcher | None = None


class _QueueLimits(TypedDict):
    """The classifier's and the encoder's batchers queue under the same limits."""

    max_batch: int
    max_wait_seconds: float
    max_queued_texts: int
    max_queue_seconds: float


def build_serving(rt: AppProcess) -> Serving:
    """The batcher and admission limits come from `API__*` settings (core.settings.ApiSettings)."""
    api = rt.settings.api
    metrics = ApiMetrics()
    limits = _QueueLimits(
        max_batch=api.model_batch,
        max_wait_seconds=api.batch_wait_ms / 1000,
        max_queued_texts=api.max_queued_texts,
        max_queue_seconds=api.max_queue_seconds,
    )
    batcher = DynamicBatcher(rt.classifier, **limits, observer=metrics.observe_batch)
    signals, encoder = rt.intake_signals, None
    if signals is not None and signals.embedder is not None:
        encoder = EncoderBatcher(signals.embedder, **limits)
        signals = signals.with_encoder(encoder)
    metrics.serving_model(rt.classifier.model_version)
    admission = threading.BoundedSemaphore(api.max_in_flight)
    return Serving(
        batcher,
        make_limiter(rt.settings.redis.url),
        metrics,
        admission,
        api.admission_wait_seconds,
        signals,
        encoder,
    )


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    serving: Serving = app.state.serving
    serving.batcher.stop()
    if serving.encoder is not None:
        serving.encoder.stop()
    serving.metrics.process_exiting()


def get_serving(request: Request) -> Serving:
    serving: Serving = request.app.state.serving
    return serving


ServingDep = Annotated[Serving, Depends(get_serving)]


def rate_limited(check: Callable[..., Principal]) -> Callable[..., Principal]:
    """Wrap an auth check: after it passes, count the call against the key's per-minute limit."""

    # A default, not Annotated: `check` is local, so a string annotation could not resolve it.
    def limited(serving: ServingDep, principal: Principal = Depends(check)) -> Principal:
        if principal.key_id is None:
            return principal
        verdict = serving.limiter.hit(principal.key_id, principal.rate_limit_per_minute)
        if not verdict.allowed:
            raise Refusal(
                429,
                "rate_limited",
                f"rate limit of {principal.rate_limit_per_minute} requests per minute reached",
                headers={"Retry-After": str(verdict.retry_after)},
            )
        return principal

    return limited
