"""Password sign-in with lockout, and server-side browser sessions with a CSRF token each.

Five wrong passwords in a row lock the account for fifteen minutes; a locked account refuses
even the right password until the lock runs out. Every failure and lock is in the action log.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.session_models import UiSession
from audit.events import Action, Actor, ActorType, Subject
from audit.service import record
from core.clock import utcnow
from core.security import hash_password, verify_password

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
SESSION_TTL = timedelta(hours=10)  # a shift plus some slack
_DUMMY_HASH = hash_password("timing-equaliser-not-a-password")


class LoginRefused(Exception):
    """Shown to the person as one message; the reason stays in the log."""

    def __init__(self, message: str, *, locked: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.locked = locked


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


def user_actor(user: User) -> Actor:
    return Actor(name=user.username, type=ActorType.HUMAN, roles=(user.role,))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def log_in(
    session: Session, username: str, password: str, now: datetime | None = None
) -> OpenedSession:
    """Open a session, or raise LoginRefused. The caller commits in both cases."""
    now = now or utcnow()
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        verify_password(password, _DUMMY_HASH)  # same work as a real check: no user probing
        _log_failure(session, username, "unknown user")
        raise LoginRefused("wrong username or password")
    if user.locked_until is not None and user.locked_until > now:
        _log_failure(session, username, "account locked")
        raise LoginRefused(_locked_message(user.locked_until, now), locked=True)
    if not verify_password(password, user.password_hash) or not user.active:
        return _refuse(session, user, now)
    user.failed_logins = 0
    user.locked_until = None
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
    record(session, Action.USER_LOGGED_IN, user_actor(user), Subject(other={"user": username}))
    return OpenedSession(token, csrf, user)


def _refuse(session: Session, user: User, now: datetime) -> OpenedSession:
    user.failed_logins = (user.failed_logins or 0) + 1
    _log_failure(session, user.username, "wrong password or disabled account")
    if user.failed_logins >= MAX_FAILURES:
        user.locked_until = now + LOCKOUT
        user.failed_logins = 0
        record(
            session,
            Action.USER_LOCKED,
            Actor.system("login"),
            Subject(other={"user": user.username}),
            reason=f"{MAX_FAILURES} failed sign-ins",
            after={"locked_until": user.locked_until.isoformat()},
        )
        raise LoginRefused(_locked_message(user.locked_until, now), locked=True)
    raise LoginRefused("wrong username or password")


def _locked_message(until: datetime, now: datetime) -> str:
    minutes = max(1, round((until - now).total_seconds() / 60))
    return f"too many failed sign-ins: this account is locked for {minutes} more minute(s)"


def _log_failure(session: Session, username: str, reason: str) -> None:
    record(
        session,
        Action.USER_LOGIN_FAILED,
        Actor.system("login"),
        Subject(other={"user": username[:64]}),
        reason=reason,
    )


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
    if not token:
        return
    row = session.get(UiSession, _hash(token))
    if row is None or row.revoked_at is not None:
        return
    row.revoked_at = utcnow()
    user = session.get(User, row.user_id)
    if user is not None:
        record(
            session,
            Action.USER_LOGGED_OUT,
            user_actor(user),
            Subject(other={"user": user.username}),
        )
