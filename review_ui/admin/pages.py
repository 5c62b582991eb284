"""Admin pages: users, API keys, dead-lettered actions, the model in use."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from accounts.models import User
from accounts.repository import api_keys_newest_first, user_named, users_by_name
from accounts.service import (
    add_user,
    change_password,
    create_api_key,
    revoke_api_key,
    set_active,
    set_role,
    unlock,
)
from api.process import AppRuntimeDep
from core.clock import utcnow
from core.errors import DomainError
from core.roles import Role
from core.web_deps import SessionDep
from pipeline.actions import retry_dead
from pipeline.repository.actions import dead_letters
from review_ui.auth import UiRefused, UiUser, require_ui_role
from review_ui.form_actions import run_or_refuse
from review_ui.i18n import Msg
from review_ui.templating import render

router = APIRouter(prefix="/admin")
Admin = Annotated[UiUser, Depends(require_ui_role(Role.ADMIN))]
ADMIN_LINKS = (
    {"label": "Routing policy", "path": "/ui/admin/policy"},
    {"label": "Webhooks", "path": "/ui/admin/webhooks"},
    {"label": "Reassign cases", "path": "/ui/supervise"},
)
NOTICES = {
    "user_added": "Account created.",
    "key_revoked": "API key revoked.",
    "retried": "Action queued again; it runs once the retry is committed.",
}
USER_NOTICES = {
    "role": "Role changed; the account's sessions and tokens were ended.",
    "deactivated": "Account deactivated; its sessions and tokens were ended.",
    "activated": "Account active again.",
    "unlocked": "Lockout lifted.",
    "password": "Password reset; the account's sessions and tokens were ended.",
}


@router.get("", summary="Admin overview: users, API keys, dead letters, model")
def overview(request: Request, rt: AppRuntimeDep, session: SessionDep, user: Admin) -> Response:
    return _page(
        request, rt, session, user, notice=NOTICES.get(request.query_params.get("notice", ""), "")
    )


def _page(
    request: Request,
    rt: AppRuntimeDep,
    session: SessionDep,
    user: UiUser,
    *,
    status: int = 200,
    **extra: object,
) -> Response:
    return render(
        request,
        "admin/overview.html",
        user,
        status,
        users=users_by_name(session),
        keys=api_keys_newest_first(session),
        dead=dead_letters(session),
        roles=[r.value for r in Role],
        model_version=rt.classifier.model_version,
        model_card=_model_card(rt.settings.model_dir),
        admin_links=ADMIN_LINKS,
        **extra,
    )


def _model_card(model_dir: Path | None) -> str:
    from classifier.serving.loader import find_model_dir

    chosen = model_dir or find_model_dir()
    card = chosen / "MODEL_CARD.md" if chosen else None
    if card is None or not card.is_file():
        return ""
    return card.read_text(encoding="utf-8")[:20_000]


@router.post("/users", summary="Create an account")
def create_user(
    request: Request,
    rt: AppRuntimeDep,
    session: SessionDep,
    user: Admin,
    username: Annotated[str, Form(min_length=1, max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    role: Annotated[str, Form(max_length=32)],
) -> Response:
    return run_or_refuse(
        session,
        lambda: add_user(session, username.strip(), password, role, user.actor),
        done="/ui/admin?notice=user_added",
        refused=lambda error, status: _page(
            request, rt, session, user, status=status, user_error=error
        ),
    )


@router.post("/keys", summary="Create an API key (shown once)")
def create_key(
    request: Request,
    rt: AppRuntimeDep,
    session: SessionDep,
    user: Admin,
    name: Annotated[str, Form(min_length=1, max_length=100)],
    scopes: Annotated[list[str], Form()],
) -> Response:
    try:
        issued = create_api_key(session, name.strip(), scopes, user.actor)
    except DomainError as exc:
        session.rollback()
        return _page(request, rt, session, user, status=exc.status, key_error=exc.message)
    session.flush()
    return _page(request, rt, session, user, new_secret=issued.secret, new_key_name=issued.key.name)


@router.post("/keys/{key_id}/revoke", summary="Revoke an API key")
def revoke_key(key_id: str, session: SessionDep, user: Admin) -> Response:
    revoke_api_key(session, key_id, user.actor)
    return RedirectResponse("/ui/admin?notice=key_revoked", status_code=303)


@router.post("/dead/{action_id}/retry", summary="Retry a dead-lettered enforcement action")
def retry_action(action_id: str, session: SessionDep, user: Admin) -> Response:
    try:
        retry_dead(session, action_id, user.actor)  # enqueues the action after commit
    except DomainError as exc:
        raise UiRefused(exc.status, exc.message) from exc
    return RedirectResponse("/ui/admin?notice=retried", status_code=303)


def _account(session: SessionDep, username: str) -> User:
    found = user_named(session, username[:64])
    if found is None:
        raise UiRefused(404, Msg("No such user."))
    return found


def _user_page(
    request: Request,
    session: SessionDep,
    user: UiUser,
    username: str,
    *,
    error: str = "",
    status: int = 200,
) -> Response:
    account = _account(session, username)
    locked = account.locked_until is not None and account.locked_until > utcnow()
    return render(
        request,
        "admin/user.html",
        user,
        status,
        account=account,
        locked=locked,
        roles=[r.value for r in Role],
        notice=USER_NOTICES.get(request.query_params.get("notice", ""), ""),
        error=error,
        own=account.username == user.username,
    )


@router.get("/users/{username}", summary="One account: role, state, lockout, password")
def user_page(request: Request, username: str, session: SessionDep, user: Admin) -> Response:
    return _user_page(request, session, user, username)


def _user_change(
    request: Request,
    session: SessionDep,
    user: UiUser,
    username: str,
    change: str,
    run: Callable[[], object],
) -> Response:
    """Run one account change; a refusal re-renders the page with the reason."""
    return run_or_refuse(
        session,
        run,
        done=f"/ui/admin/users/{username}?notice={change}",
        refused=lambda error, status: _user_page(
            request, session, user, username, error=error, status=status
        ),
    )


@router.post("/users/{username}/role", summary="Change an account's role")
def change_role(
    request: Request,
    username: str,
    session: SessionDep,
    user: Admin,
    role: Annotated[str, Form(max_length=32)],
) -> Response:
    _account(session, username)
    if username == user.username and role != Role.ADMIN.value:
        error = "You cannot take the admin role from yourself; ask another admin."
        return _user_page(request, session, user, username, error=error, status=409)
    return _user_change(
        request,
        session,
        user,
        username,
        "role",
        lambda: set_role(session, username, role, user.actor),
    )


@router.post("/users/{username}/active", summary="Deactivate or reactivate an account")
def change_active(
    request: Request,
    username: str,
    session: SessionDep,
    user: Admin,
    active: Annotated[str, Form(max_length=8)],
) -> Response:
    _account(session, username)
    on = active == "yes"
    if username == user.username and not on:
        error = "You cannot deactivate your own account."
        return _user_page(request, session, user, username, error=error, status=409)
    return _user_change(
        request,
        session,
        user,
        username,
        "activated" if on else "deactivated",
        lambda: set_active(session, username, on, user.actor),
    )


@router.post("/users/{username}/unlock", summary="Lift a lockout after failed sign-ins")
def unlock_user(request: Request, username: str, session: SessionDep, user: Admin) -> Response:
    _account(session, username)
    return _user_change(
        request,
        session,
        user,
        username,
        "unlocked",
        lambda: unlock(session, username, user.actor),
    )


@router.post("/users/{username}/password", summary="Set a new password for an account")
def reset_password(
    request: Request,
    username: str,
    session: SessionDep,
    user: Admin,
    password: Annotated[str, Form(max_length=256)],
) -> Response:
    _account(session, username)
    return _user_change(
        request,
        session,
        user,
        username,
        "password",
        lambda: change_password(session, username, password, user.actor),
    )
