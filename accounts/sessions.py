"""Server-side browser sessions for the review UI, with a CSRF token each.

The password check, lockout and its log live in accounts/login.py, shared with the API's
token route. Signing out ends the browser session and every bearer token the user holds.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from accounts.login import (
    LOCKOUT,
    MAX_FAILURES,
    LoginRefused,
    authenticate,
    log_out_tokens,
    user_actor,
)
from accounts.models import User
from accounts.repository import revoke_live_ui_sessions
from accounts.session_models import UiSession
from core.clock import utcnow

__all__ = [
    "LOCKOUT",
    "MAX_FAILURES",
    "SESSION_TTL",
    "ActiveSession",
    "LoginRefused",
    "OpenedSession",
    "active_session",
    "csrf_matches",
    "end_ui_sessions",
    "log_in",
    "log_out",
    "user_actor",
]

SESSION_TTL = timedelta(hours=10)  # a shift plus some slack


@dataclass(frozen=True)
class OpenedSession:
    token: str  # goes in the cookie, never stored
    csrf_token: str
    user: User


@dataclass(frozen=True)
class ActiveSession:
    user: User
    csrf_token: str
    token_hash: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def log_in(
    session: Session, username: str, password: str, now: datetime | None = None
) -> OpenedSession:
    """Open a session, or raise LoginRefused. The caller commits in both cases."""
    now = now or utcnow()
    user = authenticate(session, username, password, via="ui", now=now)
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(
        UiSession(
            token_hash=_hash(token),
            user_id=user.id,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + SESSION_TTL,
        )
    )
    return OpenedSession(token, csrf, user)


def active_session(
    session: Session, token: str | None, now: datetime | None = None
) -> ActiveSession | None:
    """The live session behind a cookie value; None when absent, expired, revoked or disabled."""
    if not token:
        return None
    now = now or utcnow()
    row = session.get(UiSession, _hash(token))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return ActiveSession(user, row.csrf_token, row.token_hash)


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


def log_out(session: Session, token: str | None) -> None:
    """End this browser session and, as the sign-out means it, the user's bearer tokens."""
    if not token:
        return
    row = session.get(UiSession, _hash(token))
    if row is None or row.revoked_at is not None:
        return
    row.revoked_at = utcnow()
    user = session.get(User, row.user_id)
    if user is not None:
        log_out_tokens(session, user, "ui")


def end_ui_sessions(session: Session, user_id: str, now: datetime | None = None) -> None:
    """Revoke every live browser session of a user (password change, deactivation)."""
    revoke_live_ui_sessions(session, user_id, now or utcnow())
