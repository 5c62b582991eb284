"""Who is calling, with what rights, and the role and scope checks routes declare.

Turning a bearer token into a principal needs the accounts' tables, which sit above this
layer; the wiring installs that resolver on the app (`install_resolver`), so every domain can
check roles without importing accounts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from core.actors import Actor, ActorType
from core.process import Process
from core.refusal import Refusal
from core.roles import Role
from core.web_deps import RuntimeDep


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


class PrincipalResolver(Protocol):
    def __call__(self, rt: Process, token: str) -> Principal:
        """The principal a bearer token names; raises `Refusal` (401) when it names none."""
        ...


def install_resolver(app: FastAPI, resolver: PrincipalResolver) -> None:
    app.state.principal_resolver = resolver


def unauthorized(code: str, message: str) -> Refusal:
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
        raise unauthorized(
            "missing_credentials", "missing bearer token (Authorization: Bearer KEY)"
        )
    resolver: PrincipalResolver = request.app.state.principal_resolver
    return resolver(rt, token.strip())


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


# The role gates several domains' routes share (one dependency each, one OpenAPI security).
Admin = Annotated[Principal, Depends(require_role(Role.ADMIN))]
AnyStaff = Annotated[Principal, Depends(require_role(*Role))]
Reviewer = Annotated[Principal, Depends(require_role(Role.REVIEWER, Role.SENIOR_REVIEWER))]
Supervisor = Annotated[Principal, Depends(require_role(Role.SENIOR_REVIEWER, Role.ADMIN))]
Leadership = Annotated[Principal, Depends(require_role(Role.LEADERSHIP))]
Overseer = Annotated[Principal, Depends(require_role(Role.LEADERSHIP, Role.ADMIN))]
