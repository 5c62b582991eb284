"""Admin: the routing policy, edited through a preview of what it would have sent to review.

A candidate is saved only from its preview page: the save form carries the previewed policy
(not the editable fields) and the version it was compared with, so what is saved is exactly
what the admin saw counted, and a save racing another admin's is refused.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.responses import Response

from api.process import AppProcess, AppRuntimeDep
from classifier.thresholds import Thresholds
from core.clock import utcnow
from pipeline import policy_store
from pipeline.repository.policies import policy_history
from pipeline.routing import RoutingPolicy
from pipeline.schemas import PolicyUpdate
from review_ui.admin.policy_form import (
    FIELDS,
    LEVEL_CHOICES,
    PolicyFormError,
    describe,
    flatten,
    parse,
)
from review_ui.form_fields import Note
from review_ui.i18n import Msg
from review_ui.page import AdminPage, UiPage

router = APIRouter(prefix="/admin/policy")
WINDOWS = (1, 6, 24, 72, 168)
COUNTS = (
    ("to_review", Msg("Sent to review")),
    ("urgent", Msg("…of them urgent")),
    ("review", Msg("…of them review")),
    ("ignore", Msg("Not queued")),
    ("reduce_reach", Msg("Reach reduced while queued")),
    ("claim_matched", Msg("Matched a debunked claim")),
    ("not_checkworthy", Msg("Not queued: no check-worthy claim")),
    ("unsupported_language", Msg("Language with no model")),
)


async def form_values(request: Request) -> dict[str, str]:
    """The submitted form as strings (already parsed once by the CSRF check, so cached)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


FormValues = Annotated[dict[str, str], Depends(form_values)]


def _window(raw: str) -> int:
    try:
        hours = int(raw)
    except ValueError:
        hours = 24
    return hours if hours in WINDOWS else 24


def _page(
    page: UiPage,
    rt: AppProcess,
    *,
    values: dict[str, str] | None = None,
    status: int = 200,
    window: int = 24,
    **extra: Any,
) -> Response:
    active = policy_store.active_policy(page.session, rt.policy)
    return page.render(
        "admin/policy.html",
        status,
        active=active,
        values=values or flatten(active.to_body()),
        fields=FIELDS,
        levels=LEVEL_CHOICES,
        windows=WINDOWS,
        window=window,
        count_rows=COUNTS,
        history=policy_history(page.session, limit=20),
        thresholds=_thresholds(rt),
        notice=page.notice({"saved": Msg("Policy saved; new posts route under it now.")}),
        **extra,
    )


def _thresholds(rt: AppProcess) -> Thresholds:
    """The model's score bands: fixed per model (chosen on dev), shown beside the routing."""
    return rt.classifier.thresholds


@router.get("", summary="The routing policy, its history, and the form to change it")
def policy_page(rt: AppRuntimeDep, page: AdminPage) -> Response:
    return _page(page, rt)


@router.post("/preview", summary="Count what a candidate policy would have sent to review")
def preview(rt: AppRuntimeDep, page: AdminPage, form: FormValues) -> Response:
    window = _window(form.get("since_hours", "24"))
    try:
        body = parse(form)
    except PolicyFormError as exc:
        return _page(page, rt, values=form, status=422, window=window, error=str(exc))
    active = policy_store.active_policy(page.session, rt.policy)
    candidate = RoutingPolicy.from_body(body.model_dump(), "candidate")
    since = utcnow() - timedelta(hours=window)
    return _page(
        page,
        rt,
        values=form,
        window=window,
        preview={
            "current": policy_store.preview(page.session, active, since),
            "candidate": policy_store.preview(page.session, candidate, since),
        },
        candidate_json=json.dumps(body.model_dump(), sort_keys=True),
        changed=_changes(active.to_body(), body.model_dump()),
    )


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, str, str]]:
    old, new = flatten(before), flatten(after)
    return [
        (f.label, old[f.name] or "off", new[f.name] or "off")
        for f in FIELDS
        if old[f.name] != new[f.name]
    ]


@router.post("", summary="Save the previewed policy as a new version")
def save(
    rt: AppRuntimeDep,
    page: AdminPage,
    policy_json: Annotated[str, Form(max_length=20_000)],
    base_version: Annotated[str, Form(max_length=32)],
    note: Note = "",
) -> Response:
    try:
        update = PolicyUpdate.model_validate({"policy": json.loads(policy_json), "note": note})
    except (ValueError, ValidationError) as exc:
        message = describe(exc) if isinstance(exc, ValidationError) else "unreadable policy"
        return _page(page, rt, status=422, error=Msg("Not saved: {reason}", reason=message))
    values = flatten(update.policy.model_dump())
    if not update.note.strip():
        error = "Say why the policy changes (the note is kept in the action log)."
        return _page(page, rt, values=values, status=422, error=error)
    if policy_store.active_policy(page.session, rt.policy).version != base_version:
        error = "Another admin saved a policy since your preview. Preview again."
        return _page(page, rt, values=values, status=409, error=error)
    policy_store.save_policy(
        page.session, update.policy, page.actor, note=update.note.strip(), fallback=rt.policy
    )
    return RedirectResponse("/ui/admin/policy?notice=saved", status_code=303)
