"""Response shapes of the API's own routes, and the error body every refusal uses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.roles import Scope
from core.web_schemas import StrictIn


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


class CasePostView(BaseModel):
    """The post as a claimed case shows it (`POST /v1/cases/claim`)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    text: str
    author_id: str | None
    author_name: str | None
    views: int
    shares: int


class CaseScoreView(BaseModel):
    """The post's latest machine score as a claimed case shows it."""

    model_config = ConfigDict(from_attributes=True)

    score: float
    band: str
    reasons: list[dict[str, Any]]
    model_version: str


class ApiKeyIn(StrictIn):
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
