"""Shapes of statements crossing the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, model_validator
from pydantic_core import PydanticCustomError

from core.web_schemas import MAX_INTEGER, NotBlank, Reason, StrictIn, said
from statements.models import StatementKind

Channel = Literal["web", "x", "banner"]
Severity = Literal["low", "moderate", "high", "critical"]
SEVERE = {"high", "critical"}


class DraftIn(StrictIn):
    kind: StatementKind
    channel: Channel = "web"
    claim_id: str | None = Field(default=None, max_length=64)
    case_id: str | None = Field(default=None, max_length=32)
    incident_id: str | None = Field(default=None, max_length=32)
    incident_severity: Severity | None = None
    legal_review: bool = False  # ask for legal approval even when the incident is not severe
    facts: dict[str, str] = Field(default_factory=dict, max_length=20)
    sources: list[HttpUrl] = Field(default_factory=list, max_length=20)
    generator: Literal["offline", "llm"] = "offline"
    # The statement's language; unset: the post's (a case's post detected as Chinese is answered
    # in Chinese), else the language of the claim or fact it states.
    language: Literal["en", "zh"] | None = None

    @model_validator(mode="after")
    def _grounded(self) -> DraftIn:
        if self.kind is StatementKind.COUNTER_STATEMENT and not (
            self.claim_id or self.case_id or self.facts.get("fact")
        ):
            raise ValueError("a counter-statement needs a claim_id, a case_id or a 'fact'")
        return self


# The version a person read before editing or approving: refused (409 stale_version) when the
# statement has changed since, so nobody signs text they never saw or saves over a correction.
SeenVersion = Annotated[
    int,
    Field(
        ge=1,
        le=MAX_INTEGER,
        description="The statement's version as you read it (its `version`); 409 stale_version "
        "when it has changed since.",
    ),
]


class EditIn(StrictIn):
    title: Annotated[str, NotBlank] = Field(min_length=1, max_length=300)
    body: Annotated[str, NotBlank] = Field(min_length=1, max_length=20_000)
    sources: list[HttpUrl] | None = Field(default=None, max_length=20)
    note: str = Field(default="", max_length=2000)
    base_version: SeenVersion


class SignOffIn(StrictIn):
    """An approval (or legal approval) of the version the approver read."""

    version: SeenVersion


WITHDRAW_REASON_MIN = 3


def _three_characters_said(text: str) -> str:
    """At least 3 characters besides the spaces and invisible characters around them."""
    if len(said(text)) < WITHDRAW_REASON_MIN:
        raise PydanticCustomError(
            "string_too_short",
            "String should have at least {min_length} characters",
            {"min_length": WITHDRAW_REASON_MIN},
        )
    return text


class WithdrawIn(StrictIn):
    reason: Annotated[
        Reason, Field(min_length=WITHDRAW_REASON_MIN), AfterValidator(_three_characters_said)
    ]


class CheckOut(BaseModel):
    passed: bool
    failures: list[dict[str, str]]
    readability: float
    # flesch_reading_ease (English), or mean_sentence_length_chars for Chinese, where the
    # Flesch formula does not apply
    readability_measure: str
    title_length: int
    body_length: int
    limits: dict[str, int]


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    title: str
    body: str
    sources: list[str]
    edited_by: str
    note: str
    created_at: datetime


class StatementFields(BaseModel):
    """A statement's own columns; StatementOut adds the check report."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    channel: str
    status: str
    title: str
    body: str
    version: int
    sources: list[str]
    claim_id: str | None
    case_id: str | None
    incident_id: str | None
    incident_severity: str | None
    requires_legal: bool
    created_by: str
    approved_by: str | None
    legal_approved_by: str | None
    published_version: int | None
    published_at: datetime | None
    withdrawn_at: datetime | None
    generator: str
    evidence: dict[str, Any]


class StatementOut(StatementFields):
    checks: CheckOut
