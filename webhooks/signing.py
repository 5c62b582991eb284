"""Signing webhook bodies, and the check a receiver runs. Standard library only: copy it freely.

Header: `Veracity-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
While a rotated secret's grace period lasts there is one `v1=` per secret (new first); a
receiver accepts the request when any of them matches its secret.
A receiver recomputes the HMAC over the raw body it got, compares in constant time, and
rejects timestamps more than five minutes away from its clock, so a captured request
cannot be replayed later. Deduplicate on the `Veracity-Event-Id` header as well.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Veracity-Signature"
TOLERANCE_SECONDS = 300


def _mac(secret: str, t: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str | list[str], body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    secrets = [secret] if isinstance(secret, str) else secret
    return ",".join([f"t={t}", *(f"v1={_mac(s, t, body)}" for s in secrets)])


def verify_signature(
    secret: str,
    body: bytes,
    header: str,
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True when `header` signs `body` with `secret` and its timestamp is fresh."""
    pairs = [item.strip().split("=", 1) for item in header.split(",") if "=" in item]
    stamps = [value for key, value in pairs if key == "t"]
    try:
        t = int(stamps[0]) if len(stamps) == 1 else None
    except ValueError:
        return False
    current = time.time() if now is None else now
    if t is None or abs(current - t) > tolerance:
        return False
    expected = _mac(secret, t, body)
    # Compare against every v1 (no early exit), each in constant time.
    return sum(hmac.compare_digest(expected, value) for key, value in pairs if key == "v1") > 0
