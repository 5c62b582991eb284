"""Shapes for the incident endpoints."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class GradeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grade: int = Field(ge=1, le=4, description="1 = I particularly serious … 4 = IV ordinary")
    reason: str = Field(min_length=1, max_length=2000)


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


class MilestoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(description="internal_report, public_statement, first_action, containment")
    note: str = Field(default="", max_length=5000)


class LessonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=5000)


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    change_note: str = Field(min_length=1, max_length=2000)
    body: str | None = Field(default=None, max_length=100_000)


class ResponseGroupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: str = Field(min_length=1, max_length=32)
    url: str = Field(pattern=r"^https?://", max_length=2048)
    secret: str = Field(min_length=16, max_length=128)
    min_grade: int = Field(default=4, ge=1, le=4)
