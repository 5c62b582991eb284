"""Building the FastAPI application around a runtime: the one place that mounts every domain's
routes, the platform API's and the review UI's."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from accounts.principals import resolve_principal
from api import apikeys, drills, health, metrics, reviews, scoring
from api.access_log import AccessLogMiddleware
from api.errors import install_error_handlers
from api.middleware import BodyLimitMiddleware, RequestIdMiddleware, UnexpectedErrorMiddleware
from api.nul_guard import NulGuardMiddleware
from api.openapi import install_openapi
from api.security_headers import SecurityHeadersMiddleware
from api.serving import build_serving, lifespan
from audit import endpoints as audit_log
from claims import endpoints as claims_library
from core.logging import configure_logging
from core.principal import install_resolver
from core.tracing import instrument_api
from core.version import __version__
from incidents import endpoints as incidents
from incidents import report_endpoints as incident_reports
from pipeline import claim_endpoints as claims_from_decisions
from pipeline import endpoints as pipeline_admin
from review_ui import mount_ui
from review_ui.mount import nul_in_address
from runtime.container import Runtime
from statements import endpoints as statements
from webhooks import endpoints as webhooks

DESCRIPTION = """Misinformation triage: scoring for the platform, review, enforcement, the action log.

Every call but the health checks needs `Authorization: Bearer <token>`: a platform API key
(`veracity apikeys create`) or a user's token (`POST /v1/auth/token`). Every refusal is
`{"error": {"code", "message", "details"}}`; `code` is stable, `details` lists the fields of a
failed validation. Every answer carries `X-Request-ID` (yours, if you sent one), the id that the
server's log lines for the request carry as `http.request.id`."""


def create_app(rt: Runtime) -> FastAPI:
    if not logging.getLogger().handlers:  # a fresh process (a uvicorn worker): JSON lines
        configure_logging(rt.settings.log)
    app = FastAPI(title="veracity", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.state.runtime = rt
    app.state.serving = build_serving(rt)
    install_resolver(app, resolve_principal)
    install_error_handlers(app)
    install_openapi(app)
    app.include_router(health.router)
    app.include_router(scoring.router)
    app.include_router(reviews.router)
    app.include_router(claims_library.router)
    app.include_router(claims_from_decisions.router)
    app.include_router(statements.router)
    app.include_router(pipeline_admin.router)
    app.include_router(audit_log.router)
    app.include_router(metrics.router)
    app.include_router(apikeys.router)
    app.include_router(webhooks.router)
    app.include_router(incidents.router)
    app.include_router(incident_reports.router)
    app.include_router(drills.router)
    mount_ui(app)  # /ui pages and the / redirect
    # Inside the body limit: holds at most that much. A /ui address is refused as a page.
    app.add_middleware(NulGuardMiddleware, pages={"/ui": nul_in_address})
    app.add_middleware(BodyLimitMiddleware, max_bytes=rt.settings.api.max_body_bytes)
    # Inside everything that observes or marks an answer: an unhandled exception's JSON 500
    # gets the headers, request id, access log line and metrics of any other answer.
    app.add_middleware(UnexpectedErrorMiddleware)
    app.add_middleware(AccessLogMiddleware)  # inside the request id: its line carries it
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(metrics.MetricsMiddleware, metrics=app.state.serving.metrics)
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: every response, even a 413
    instrument_api(app, rt.engine, rt.settings.tracing)  # off unless TRACING__ENABLED
    return app
