"""Talking to the platform's enforcement endpoint, behind a small interface.

`HttpPlatformClient` posts JSON with an `Idempotency-Key` header through an injectable httpx
transport, so tests can use a real local receiver or a request-to-response function.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from core.outbound import OutboundPolicy, gated_client
from core.retry import parse_retry_after


class TransientPlatformError(Exception):
    """Worth retrying: timeouts, connection errors, 5xx, 429."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds the platform asked us to wait (Retry-After)


class PermanentPlatformError(Exception):
    """Retrying will not help: the platform refused the request (4xx other than 429)."""


@dataclass(frozen=True)
class EnforcementRequest:
    action_id: str
    post_id: str
    action: str
    params: dict[str, Any]
    idempotency_key: str
    is_drill: bool = False  # sent on every call as `drill`, so the platform can tell


class PlatformClient(Protocol):
    def enforce(self, request: EnforcementRequest) -> str:
        """Carry out the action; returns the platform's reference for it."""
        ...


class HttpPlatformClient:
    def __init__(
        self,
        url: str,
        *,
        outbound: OutboundPolicy,
        timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._url = outbound.check(url)  # and every request passes the gate again
        self._client = gated_client(outbound, timeout=timeout, transport=transport)

    def enforce(self, request: EnforcementRequest) -> str:
        payload = {
            "action_id": request.action_id,
            "post_id": request.post_id,
            "action": request.action,
            "params": request.params,
            "drill": request.is_drill,
        }
        try:
            resp = self._client.post(
                self._url, json=payload, headers={"Idempotency-Key": request.idempotency_key}
            )
        except httpx.TransportError as exc:  # timeouts and refused connections
            raise TransientPlatformError(f"{type(exc).__name__}: {exc}") from exc
        if resp.status_code == 429 or resp.status_code >= 500:
            raise TransientPlatformError(
                f"platform answered {resp.status_code}",
                parse_retry_after(resp.headers.get("retry-after")),
            )
        if not resp.is_success:  # 4xx, or a redirect (never followed); the status only
            raise PermanentPlatformError(f"platform refused with {resp.status_code}")
        body = resp.json() if resp.content else {}
        return str(body.get("reference", request.idempotency_key))

    def close(self) -> None:
        self._client.close()


class DrillGate:
    """Drill actions reach the platform only where it asked for them (PLATFORM__SEND_DRILL_ACTIONS),
    and then flagged; otherwise they stop here, confirmed locally, so a drill never acts on a
    real post by mistake."""

    def __init__(self, inner: PlatformClient, *, send_drills: bool) -> None:
        self.inner = inner
        self.send_drills = send_drills

    def enforce(self, request: EnforcementRequest) -> str:
        if request.is_drill and not self.send_drills:
            return f"drill-not-sent-{request.idempotency_key}"
        return self.inner.enforce(request)


class ConsolePlatformClient:
    """For a deployment with no platform endpoint configured: prints, and says so."""

    def enforce(self, request: EnforcementRequest) -> str:
        print(
            f"[platform:console] {request.action} post={request.post_id} "
            f"key={request.idempotency_key}{' drill' if request.is_drill else ''}"
        )
        return f"console-{request.idempotency_key}"
