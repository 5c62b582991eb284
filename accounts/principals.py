"""Bearer tokens to principals: a platform's API key or a signed-in person's session token.

The wiring installs `resolve_principal` on the app (`core.principal.install_resolver`).
"""

from __future__ import annotations

from accounts.models import User
from accounts.repository import api_key_hashed
from accounts.tokens import token_is_current
from core.principal import Principal, unauthorized
from core.process import Process
from core.security import API_KEY_PREFIX, hash_api_key, verify_token


def resolve_principal(rt: Process, token: str) -> Principal:
    with rt.sessions() as session:
        if token.startswith(API_KEY_PREFIX):
            key = api_key_hashed(session, hash_api_key(token))
            if key is None:
                raise unauthorized("invalid_api_key", "unknown API key")
            if key.revoked_at is not None:
                raise unauthorized("revoked_api_key", "API key has been revoked")
            return Principal(
                "platform",
                f"apikey:{key.name}",
                scopes=tuple(key.scopes),
                key_id=key.id,
                rate_limit_per_minute=key.rate_limit_per_minute,
            )
        payload = verify_token(token, rt.settings.security.secret_key)
        if payload is None:
            raise unauthorized("invalid_token", "invalid or expired token")
        user = session.get(User, str(payload.get("sub")))
        if user is None or not user.active:
            raise unauthorized("account_disabled", "account disabled")
        if not token_is_current(user, payload):  # signed out, or the password changed since
            raise unauthorized("revoked_token", "token has been revoked; sign in again")
        return Principal("user", user.username, roles=(user.role,), user_id=user.id)
