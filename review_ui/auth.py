"""Who is signed in to the UI, what they may see, and the CSRF check on every unsafe request."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from accounts.sessions import active_session, csrf_matches
from core.actors import Actor, ActorType
from core.roles import Role
from core.settings import Environment
from core.web_deps import RuntimeDep, SessionDep
from review_ui.i18n import Msg

SESSION_COOKIE = "veracity_session"
LOGIN_CSRF_COOKIE = "veracity_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_PATH = "/ui/login"


class UiRedirect(Exception):
    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class UiRefused(Exception):
    """Rendered as an HTML page with this status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class UiUser:
    id: str
    username: str
    role: str
    csrf_token: str
    language: str | None = None  # "en" or "zh"; None: the browser's Accept-Language decides

    @property
    def actor(self) -> Actor:
        return Actor(name=self.username, type=ActorType.HUMAN, roles=(self.role,))


def cookie_secure(rt: RuntimeDep) -> bool:
    return rt.settings.environment is not Environment.DEVELOPMENT


def optional_user(request: Request, session: SessionDep) -> UiUser | None:
    found = active_session(session, request.cookies.get(SESSION_COOKIE))
    # End the read at once: on SQLite every transaction holds the write lock, and pages that
    # read through other sessions (the action log, exports) must not wait on this one.
    session.commit()
    if found is None:
        return None
    user = found.user
    return UiUser(user.id, user.username, user.role, found.csrf_token, user.language)


def signed_in(request: Request, user: Annotated[UiUser | None, Depends(optional_user)]) -> UiUser:
    if user is None:
        target = request.url.path
        raise UiRedirect(f"{LOGIN_PATH}?next={target}" if target.startswith("/ui/") else LOGIN_PATH)
    return user


SignedIn = Annotated[UiUser, Depends(signed_in)]


def require_ui_role(*roles: Role) -> Callable[[UiUser], UiUser]:
    allowed = {r.value for r in roles}

    def check(user: SignedIn) -> UiUser:
        if user.role not in allowed:
            raise UiRefused(403, Msg("This page is not part of your role's work."))
        return user

    return check


async def csrf_guard(
    request: Request, user: Annotated[UiUser | None, Depends(optional_user)]
) -> None:
    """Every state-changing request carries the session's token (the login form: a cookie pair)."""
    if request.method in SAFE_METHODS:
        return
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        form = await request.form()
        field = form.get(CSRF_FIELD)
        given = field if isinstance(field, str) else None
    if request.url.path == LOGIN_PATH:
        expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    else:
        expected = user.csrf_token if user else None
    if not expected or not csrf_matches(expected, given):
        raise UiRefused(
            403, Msg("The form's security token is missing or wrong. Reload and retry.")
        )


def new_login_csrf() -> str:
    return secrets.token_urlsafe(32)
