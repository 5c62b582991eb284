"""Signing in and out of the UI."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from accounts.sessions import SESSION_TTL, LoginRefused, log_in, log_out
from core.web_deps import RuntimeDep, SessionDep
from review_ui.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    UiUser,
    cookie_secure,
    new_login_csrf,
    optional_user,
)
from review_ui.roles import home_for
from review_ui.templating import render

router = APIRouter()
MaybeUser = Annotated[UiUser | None, Depends(optional_user)]


def _safe_next(target: str | None, fallback: str) -> str:
    """Only same-site UI paths: never an open redirect."""
    if target and target.startswith("/ui/") and "//" not in target and "\\" not in target:
        return target
    return fallback


@router.get("/login", summary="The sign-in page")
def login_page(
    request: Request, rt: RuntimeDep, user: MaybeUser, next: str | None = None
) -> Response:
    if user is not None:
        return RedirectResponse(_safe_next(next, home_for(user.role)), status_code=303)
    return _login_form(request, rt, next=next)


def _login_form(
    request: Request, rt: RuntimeDep, *, next: str | None, error: str = "", status: int = 200
) -> Response:
    token = new_login_csrf()
    response = render(
        request, "login.html", None, status, csrf_token=token, error=error, next=next or ""
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=cookie_secure(rt),
        path="/ui/login",
    )
    return response


@router.post("/login", summary="Sign in")
def login_submit(
    request: Request,
    rt: RuntimeDep,
    session: SessionDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    try:
        opened = log_in(session, username.strip(), password)
    except LoginRefused as refused:
        session.commit()  # the failure count and its log entry stand even though sign-in failed
        status = 423 if refused.locked else 401
        return _login_form(request, rt, next=next, error=refused.message, status=status)
    response = RedirectResponse(_safe_next(next, home_for(opened.user.role)), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        max_age=int(SESSION_TTL.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=cookie_secure(rt),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/ui/login")
    return response


@router.post("/logout", summary="Sign out")
def logout(request: Request, session: SessionDep) -> Response:
    log_out(session, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
