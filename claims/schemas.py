"""Shapes of claims crossing the API and the importers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

from claims.models import Verdict
from core.web_schemas import StrictIn


class ClaimIn(StrictIn):
    text: str = Field(min_length=3, max_length=5000)
    verdict: Verdict
    source_url: HttpUrl | None = None
    source_name: str | None = Field(default=None, max_length=200)
    explanation: str = Field(default="", max_length=20_000)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("claim text is empty or whitespace only")
        return value.strip()


class ClaimFromDecisionIn(ClaimIn):
    """A reviewer records the claim a decided post repeats; the post is linked to it."""


class ImportedClaim(BaseModel):
    """One claim read from a dataset file, before it reaches the database."""

    origin: str
    origin_ref: str
    text: str
    verdict: Verdict
    source_url: str | None = None
    source_name: str | None = None
    explanation: str = ""


class ClaimOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    text: str
    verdict: str
    source_url: str | None
    source_name: str | None
    explanation: str
    origin: str
    created_by: str
    created_at: datetime
