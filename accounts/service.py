"""Creating users and API keys, revoking keys; each change is logged."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from accounts.models import ApiKey, User
from accounts.repository import api_keys_with_prefix, user_named
from accounts.sessions import end_ui_sessions
from accounts.tokens import revoke_tokens
from audit.events import Action, Subject
from audit.service import record
from core.actors import Actor
from core.clock import utcnow
from core.errors import Conflict, Invalid, NotFound, require_between
from core.messages import Msg
from core.roles import Role, Scope
from core.security import hash_api_key, hash_password, new_api_key

MIN_PASSWORD = 10
# The bounds sign-in (`POST /v1/auth/token`, api/reviews.py) and `POST /v1/admin/apikeys`
# (api/schemas.py ApiKeyIn) accept, so every door creates only what the others can use.
MAX_USERNAME = 64
MAX_KEY_NAME = 100
MAX_RATE_LIMIT = 10_000_000  # per minute; 0: unlimited


def _check_role(role: str) -> None:
    if role not in {r.value for r in Role}:
        raise Invalid(
            Msg(
                "unknown role '{role}'; one of: {choices}",
                role=role,
                choices=", ".join(r.value for r in Role),
            )
        )


def _check_length(field: Msg, value: str, most: int) -> None:
    if not 1 <= len(value) <= most:
        raise Invalid(
            Msg("{field} must be 1 to {most} characters", field=field, most=most),
        )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(
            Msg("password must have at least {min_password} characters", min_password=MIN_PASSWORD)
        )


def add_user(session: Session, username: str, password: str, role: str, actor: Actor) -> User:
    _check_length(Msg("username"), username, MAX_USERNAME)
    if username != username.strip():  # the sign-in page strips what is typed: never a match
        raise Invalid(Msg("username must not start or end with a space (or a tab or line break)"))
    _check_role(role)
    _check_password(password)
    if user_named(session, username) is not None:
        raise Conflict(Msg("user '{username}' already exists", username=username))
    user = User(username=username, password_hash=hash_password(password), role=role)
    session.add(user)
    session.flush()
    record(
        session, Action.USER_CREATED, actor, Subject(other={"user": username}), after={"role": role}
    )
    return user


def _user(session: Session, username: str) -> User:
    user = user_named(session, username)
    if user is None:
        raise NotFound(Msg("no user '{username}'", username=username))
    return user


def _user_changed(
    session: Session,
    actor: Actor,
    username: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any],
) -> None:
    record(
        session,
        Action.USER_CHANGED,
        actor,
        Subject(other={"user": username}),
        before=before,
        after=after,
    )


def _sign_out_everywhere(session: Session, user: User) -> None:
    revoke_tokens(user)
    end_ui_sessions(session, user.id)


def change_password(session: Session, username: str, password: str, actor: Actor) -> User:
    """A new password; every session and token of the old one ends (they may be a thief's)."""
    _check_password(password)
    user = _user(session, username)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    _sign_out_everywhere(session, user)
    _user_changed(
        session, actor, username, after={"password": "changed", "sessions_and_tokens": "revoked"}
    )
    return user


def set_active(session: Session, username: str, active: bool, actor: Actor) -> User:
    """Disable (or re-enable) an account; disabling ends its sessions and tokens at once."""
    user = _user(session, username)
    if user.active == active:
        return user
    user.active = active
    if not active:
        _sign_out_everywhere(session, user)
    _user_changed(session, actor, username, before={"active": not active}, after={"active": active})
    return user


def set_role(session: Session, username: str, role: str, actor: Actor) -> User:
    """A new role; sessions and tokens issued under the old one end (they carry its rights)."""
    _check_role(role)
    user = _user(session, username)
    if user.role == role:
        return user
    before = user.role
    user.role = role
    _sign_out_everywhere(session, user)
    _user_changed(
        session,
        actor,
        username,
        before={"role": before},
        after={"role": role, "sessions_and_tokens": "revoked"},
    )
    return user


def unlock(session: Session, username: str, actor: Actor) -> User:
    """Lift a lockout after failed sign-ins (the password is unchanged)."""
    user = _user(session, username)
    before = {"locked_until": user.locked_until.isoformat() if user.locked_until else None}
    user.failed_logins = 0
    user.locked_until = None
    _user_changed(
        session, actor, username, before=before, after={"locked_until": None, "failed_logins": 0}
    )
    return user


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str  # shown once, never stored


def create_api_key(
    session: Session,
    name: str,
    scopes: Iterable[str],
    actor: Actor,
    *,
    rate_limit_per_minute: int = 6000,
) -> IssuedKey:
    _check_length(Msg("API key name"), name, MAX_KEY_NAME)
    require_between(
        rate_limit_per_minute,
        0,
        MAX_RATE_LIMIT,
        Msg("the rate limit must be {low} (unlimited) to {high} requests per minute, not {value}"),
    )
    wanted = sorted(set(scopes))
    known = sorted(s.value for s in Scope)
    unknown = [s for s in wanted if s not in known]
    if unknown or not wanted:
        raise Invalid(
            Msg(
                "scopes must be a non-empty subset of {choices}; got {wanted}",
                choices=known,
                wanted=wanted,
            )
        )
    secret = new_api_key()
    key = ApiKey(
        name=name,
        key_hash=hash_api_key(secret),
        prefix=secret[:10],
        scopes=wanted,
        rate_limit_per_minute=rate_limit_per_minute,
    )
    session.add(key)
    session.flush()
    _key_event(
        session, Action.API_KEY_CREATED, actor, key, {"scopes": wanted, "prefix": key.prefix}
    )
    return IssuedKey(key, secret)


def _key_event(
    session: Session, action: Action, actor: Actor, key: ApiKey, after: dict[str, Any] | None = None
) -> None:
    """Log an event about an API key, named by its id and name (never its secret)."""
    record(
        session, action, actor, Subject(other={"api_key": key.id, "name": key.name}), after=after
    )


def revoke_api_key(session: Session, key_id_or_prefix: str, actor: Actor) -> ApiKey:
    """Revoke the key with this id or, failing that, the one key shown with this prefix; a
    prefix two keys share is refused (naming both) rather than revoking either."""
    key = session.get(ApiKey, key_id_or_prefix)
    if key is None:
        found = api_keys_with_prefix(session, key_id_or_prefix)
        if len(found) > 1:
            raise Conflict(
                Msg(
                    "{count} API keys share the prefix '{prefix}': revoke by id ({ids})",
                    count=len(found),
                    prefix=key_id_or_prefix,
                    ids=", ".join(k.id for k in found),
                ),
                code="ambiguous_prefix",
            )
        key = found[0] if found else None
    if key is None:
        raise NotFound(Msg("no API key '{key_id_or_prefix}'", key_id_or_prefix=key_id_or_prefix))
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        _key_event(session, Action.API_KEY_REVOKED, actor, key)
    return key
