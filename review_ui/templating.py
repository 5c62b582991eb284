"""Rendering pages: one Jinja environment, the signed-in user's navigation, no caching."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from review_ui.auth import CSRF_FIELD, UiUser
from review_ui.roles import sections_for

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
# CSP, framing, nosniff and referrer policy come from api.security_headers for every response.
PAGE_HEADERS = {"Cache-Control": "no-store"}


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


TEMPLATES.env.filters["when"] = _when


def render(
    request: Request,
    template: str,
    user: UiUser | None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    context.update(
        user=user,
        nav=sections_for(user.role) if user else [],
        csrf_field=CSRF_FIELD,
        csrf_token=user.csrf_token if user else context.get("csrf_token", ""),
        current_path=request.url.path,
    )
    return TEMPLATES.TemplateResponse(
        request, template, context, status_code=status_code, headers=PAGE_HEADERS
    )
