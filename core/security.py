"""Password hashing, API-key hashing and signed bearer tokens (no custom crypto).

Passwords are argon2id PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`): the cost travels
with each hash, so raising PASSWORD_PARAMETERS upgrades old hashes at their owner's next
sign-in (see `password_needs_rehash`). Hashes from before argon2 (`scrypt$salt$digest`, fixed
parameters) still verify and are always upgraded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane): about 35 ms here per check.
PASSWORD_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_LEGACY_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}  # the pre-argon2 format, verify only
API_KEY_PREFIX = "vk_"
USER_TOKEN_PREFIX = "vu_"  # noqa: S105 - a prefix, not a secret


def hash_password(password: str, hasher: PasswordHasher = PASSWORD_HASHER) -> str:
    return hasher.hash(password)


def verify_password(password: str, stored: str) -> bool:
    if stored.startswith("scrypt$"):
        return _verify_legacy_scrypt(password, stored)
    try:
        return PASSWORD_HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(stored: str, hasher: PasswordHasher = PASSWORD_HASHER) -> bool:
    """True for legacy scrypt hashes and for argon2 hashes weaker than `hasher` makes.

    A hash made with a higher cost is kept: lowering the parameters never weakens stored hashes.
    """
    if stored.startswith("scrypt$"):
        return True
    try:
        have = extract_parameters(stored)
    except InvalidHashError:
        return True
    return (
        have.type is not Type.ID
        or have.memory_cost < hasher.memory_cost
        or have.time_cost < hasher.time_cost
        or have.hash_len < hasher.hash_len
        or have.salt_len < hasher.salt_len
    )


def _verify_legacy_scrypt(password: str, stored: str) -> bool:
    try:
        _, salt_hex, digest_hex = stored.split("$")
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    digest = hashlib.scrypt(password.encode(), salt=salt, **_LEGACY_SCRYPT)
    return hmac.compare_digest(digest.hex(), digest_hex)


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    """Keys carry 256 bits of entropy, so a plain SHA-256 is enough to store them."""
    return hashlib.sha256(key.encode()).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_token(payload: dict[str, object], secret: str, ttl_seconds: int) -> str:
    body = dict(payload, exp=int(time.time()) + ttl_seconds)
    raw = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    mac = hmac.new(secret.encode(), raw.encode(), hashlib.sha256).digest()
    return f"{USER_TOKEN_PREFIX}{raw}.{_b64(mac)}"


def verify_token(token: str, secret: str) -> dict[str, object] | None:
    """The payload of a valid, unexpired token; None otherwise."""
    if not token.startswith(USER_TOKEN_PREFIX):
        return None
    try:
        raw, mac = token[len(USER_TOKEN_PREFIX) :].split(".")
        expected = hmac.new(secret.encode(), raw.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(_unb64(mac), expected):
            return None
        body = json.loads(_unb64(raw))
    except (ValueError, json.JSONDecodeError):
        return None
    if not isinstance(body, dict) or int(body.get("exp", 0)) < time.time():
        return None
    return body
