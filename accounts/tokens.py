"""People's bearer tokens: signed and short-lived, revocable through the user's generation.

A token names the user and the token generation it was issued in; a request is refused once
the user's generation has moved on. Signing out (API or UI), a password change and
deactivation move it, so no token outlives them. Tokens minted without a generation (before
it existed) count as generation 0 and are revoked by the first bump like any other.
"""

from __future__ import annotations

from collections.abc import Mapping

from accounts.models import User
from core.security import sign_token


def issue_token(user: User, secret: str, ttl_seconds: int) -> str:
    claims: dict[str, object] = {"sub": user.id, "role": user.role, "gen": user.token_generation}
    return sign_token(claims, secret, ttl_seconds)


def token_is_current(user: User, payload: Mapping[str, object]) -> bool:
    generation = payload.get("gen", 0)
    return type(generation) is int and generation == user.token_generation


def revoke_tokens(user: User) -> None:
    """Refuse every bearer token issued to `user` so far. The caller logs why."""
    user.token_generation = (user.token_generation or 0) + 1
