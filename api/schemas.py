"""Response shapes of the API's own routes, and the error body every refusal uses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from accounts.models import Scope
from api.errors import ErrorResponse as ErrorResponse  # the one error body, re-exported

# Row offsets beyond this are refused with 422: the databases take at most 64-bit integers
# (a larger one was a 500), and no listing here comes near 2**31 rows.
MAX_OFFSET = 2**31 - 1


def refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the refusals a route can answer with."""
    text = {
        400: "Malformed JSON or bad encoding",
        401: "Missing, unknown or revoked credentials",
        403: "Wrong scope or role",
        404: "Not found",
        409: "Conflict with the current state",
        413: "Request body too large",
        422: "Validation failed (code names the rule: empty_batch, batch_too_large, ...)",
        429: "Rate limited; see Retry-After",
        503: "Overloaded; see Retry-After",
    }
    return {s: {"model": ErrorResponse, "description": text[s]} for s in statuses}


class HistoryEntry(BaseModel):
    at: datetime
    action: str
    actor: str
    actor_type: str


class PostStatusOut(BaseModel):
    id: str
    status: str
    score: float | None
    band: str | None
    model_version: str | None
    history: list[HistoryEntry]


class ApiKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    scopes: list[Scope] = Field(min_length=1, max_length=len(Scope))
    rate_limit_per_minute: int = Field(default=6000, ge=0, le=10_000_000)  # 0: unlimited


class ApiKeyOut(BaseModel):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    rate_limit_per_minute: int
    created_at: datetime
    revoked_at: datetime | None


class IssuedApiKeyOut(ApiKeyOut):
    key: str  # shown once
