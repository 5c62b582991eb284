"""One password check for every door: the review UI's sign-in and `POST /v1/auth/token`.

Five wrong passwords in a row lock the account for fifteen minutes, whichever door they came
through; a locked account refuses even the right password until the lock runs out. Every
failure and lock is in the action log, with the door but never the password. An unknown
username costs the same password check as a known one, so response times do not tell which
usernames exist. A successful sign-in upgrades a hash made with older or weaker parameters.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.orm import Session

from accounts.models import User
from accounts.repository import user_named
from accounts.tokens import revoke_tokens
from audit.events import Action, Subject
from audit.service import record
from core.actors import Actor, ActorType
from core.clock import utcnow
from core.security import hash_password, password_needs_rehash, verify_password

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
WRONG_CREDENTIALS = "wrong username or password"
_DUMMY_HASH = hash_password("timing-equaliser-not-a-password")

Door = Literal["ui", "api"]


class LoginRefused(Exception):
    """Shown to the person as one message; the reason stays in the log."""

    def __init__(self, message: str, *, locked: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.locked = locked


def user_actor(user: User) -> Actor:
    return Actor(name=user.username, type=ActorType.HUMAN, roles=(user.role,))


def log_out_tokens(session: Session, user: User, via: Door) -> None:
    """Every bearer token of the user stops working; logged as the user's sign-out."""
    revoke_tokens(user)
    record(
        session,
        Action.USER_LOGGED_OUT,
        user_actor(user),
        Subject(other={"user": user.username}),
        after={"via": via, "tokens_revoked": True},
    )


def authenticate(
    session: Session, username: str, password: str, *, via: Door, now: datetime | None = None
) -> User:
    """The user, or LoginRefused. The caller commits in both cases (failures must stand)."""
    now = now or utcnow()
    user = user_named(session, username, for_update=True)
    if user is None:
        verify_password(password, _DUMMY_HASH)  # same work as a real check: no user probing
        _log_failure(session, username, "unknown user", via)
        raise LoginRefused(WRONG_CREDENTIALS)
    if user.locked_until is not None and user.locked_until > now:
        _log_failure(session, username, "account locked", via)
        raise LoginRefused(_locked_message(user.locked_until, now), locked=True)
    if not verify_password(password, user.password_hash) or not user.active:
        _refuse(session, user, now, via)
    user.failed_logins = 0
    user.locked_until = None
    rehashed = password_needs_rehash(user.password_hash)
    if rehashed:
        user.password_hash = hash_password(password)
    record(
        session,
        Action.USER_LOGGED_IN,
        user_actor(user),
        Subject(other={"user": username}),
        after={"via": via, "password_rehashed": rehashed},
    )
    return user


def _refuse(session: Session, user: User, now: datetime, via: Door) -> None:
    user.failed_logins = (user.failed_logins or 0) + 1
    _log_failure(session, user.username, "wrong password or disabled account", via)
    if user.failed_logins >= MAX_FAILURES:
        user.locked_until = now + LOCKOUT
        user.failed_logins = 0
        record(
            session,
            Action.USER_LOCKED,
            Actor.system("login"),
            Subject(other={"user": user.username}),
            reason=f"{MAX_FAILURES} failed sign-ins",
            after={"locked_until": user.locked_until.isoformat(), "via": via},
        )
        raise LoginRefused(_locked_message(user.locked_until, now), locked=True)
    raise LoginRefused(WRONG_CREDENTIALS)


def _locked_message(until: datetime, now: datetime) -> str:
    minutes = max(1, round((until - now).total_seconds() / 60))
    return f"too many failed sign-ins: this account is locked for {minutes} more minute(s)"


def _log_failure(session: Session, username: str, reason: str, via: Door) -> None:
    record(
        session,
        Action.USER_LOGIN_FAILED,
        Actor.system("login"),
        Subject(other={"user": username[:64]}),
        reason=reason,
        after={"via": via},
    )
