"""Response shapes of the API's own routes, and the error body every refusal uses."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from core.roles import Scope


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
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    prefix: str
    scopes: list[str]
    rate_limit_per_minute: int
    created_at: datetime
    revoked_at: datetime | None


class IssuedApiKeyOut(ApiKeyOut):
    key: str  # shown once
