"""Typed dependencies: the runtime, a database session, and who is calling with what rights."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import ApiKey, Role, User
from accounts.tokens import token_is_current
from api.errors import Refusal
from audit.events import Actor, ActorType
from core.db import transaction
from core.security import API_KEY_PREFIX, hash_api_key, verify_token
from runtime.container import Runtime


def get_runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_session(rt: RuntimeDep) -> Iterator[Session]:
    """One transaction per request: committed when the endpoint returns, else rolled back."""
    with transaction(rt.sessions) as session:
        yield session


# scope="function": the commit runs when the endpoint returns, before the response is sent.
# The default ("request") runs it after the client already has its 200, so a crash in between
# lost acknowledged writes. A failed commit now answers with an error instead of a 200.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


@dataclass(frozen=True)
class Principal:
    kind: str  # "platform" (API key) or "user"
    name: str
    roles: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    key_id: str | None = None
    user_id: str | None = None
    rate_limit_per_minute: int = 0

    @property
    def actor(self) -> Actor:
        kind = ActorType.PLATFORM if self.kind == "platform" else ActorType.HUMAN
        return Actor(
            name=self.name, type=kind, roles=self.roles or tuple(f"scope:{s}" for s in self.scopes)
        )


def _unauthorized(code: str, message: str) -> Refusal:
    return Refusal(401, code, message, headers={"WWW-Authenticate": "Bearer"})


# Declares the scheme in OpenAPI (HTTPBearer on every operation that needs a principal);
# get_principal still reads the header itself so each refusal keeps its own error code.
bearer = HTTPBearer(auto_error=False, scheme_name="HTTPBearer")


def get_principal(
    request: Request,
    rt: RuntimeDep,
    _documented: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None,
) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized(
            "missing_credentials", "missing bearer token (Authorization: Bearer KEY)"
        )
    token = token.strip()
    with rt.sessions() as session:
        if token.startswith(API_KEY_PREFIX):
            key = session.scalars(
                select(ApiKey).where(ApiKey.key_hash == hash_api_key(token))
            ).first()
            if key is None:
                raise _unauthorized("invalid_api_key", "unknown API key")
            if key.revoked_at is not None:
                raise _unauthorized("revoked_api_key", "API key has been revoked")
            return Principal(
                "platform",
                f"apikey:{key.name}",
                scopes=tuple(key.scopes),
                key_id=key.id,
                rate_limit_per_minute=key.rate_limit_per_minute,
            )
        payload = verify_token(token, rt.settings.security.secret_key)
        if payload is None:
            raise _unauthorized("invalid_token", "invalid or expired token")
        user = session.get(User, str(payload.get("sub")))
        if user is None or not user.active:
            raise _unauthorized("account_disabled", "account disabled")
        if not token_is_current(user, payload):  # signed out, or the password changed since
            raise _unauthorized("revoked_token", "token has been revoked; sign in again")
        return Principal("user", user.username, roles=(user.role,), user_id=user.id)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_scope(scope: str) -> Callable[[Principal], Principal]:
    def check(principal: PrincipalDep) -> Principal:
        if principal.kind != "platform" or scope not in principal.scopes:
            raise Refusal(
                403, "insufficient_scope", f"this call needs an API key with the '{scope}' scope"
            )
        return principal

    return check


def require_role(*roles: Role) -> Callable[[Principal], Principal]:
    allowed = {r.value for r in roles}

    def check(principal: PrincipalDep) -> Principal:
        if principal.kind != "user" or not allowed.intersection(principal.roles):
            raise Refusal(
                403, "wrong_role", f"this call needs one of the roles: {', '.join(sorted(allowed))}"
            )
        return principal

    return check


def request_id(request: Request) -> str | None:
    state = request.scope.get("state", {})
    rid = state.get("request_id") if isinstance(state, dict) else None
    return str(rid) if rid else None


RequestIdDep = Annotated[str | None, Depends(request_id)]
