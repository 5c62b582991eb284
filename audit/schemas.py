"""Shapes for searching, aggregating and exporting the action log."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from audit.events import Action
from core.clock import to_utc
from core.web_schemas import IsoTime, StrictIn

MAX_PAGE = 500


class SearchFilters(StrictIn):
    """What legal asks for; every field narrows the result, empty fields don't."""

    model_config = ConfigDict(frozen=True)

    since: datetime | None = None
    until: datetime | None = None
    post_id: str | None = Field(default=None, max_length=128)
    case_id: str | None = Field(default=None, max_length=64)
    incident_id: str | None = Field(default=None, max_length=64)
    actor: str | None = Field(default=None, max_length=128)
    actions: tuple[Action, ...] = ()
    policy_version: str | None = Field(default=None, max_length=64)
    text: str | None = Field(default=None, max_length=500)  # full text of reasons and notes
    include_drills: bool = False

    @field_validator("since", "until")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("times need a timezone (e.g. 2026-11-25T10:00:00Z)")
        if value is not None:
            to_utc(value)  # refuses an instant with no UTC datetime (0001-01-01T00:00+14:00)
        return value

    @model_validator(mode="after")
    def _ordered(self) -> SearchFilters:
        if self.since and self.until and self.since > self.until:
            raise ValueError("'since' is after 'until'")
        return self

    def described(self) -> dict[str, Any]:
        """The filters as they go into an export manifest and the `log.exported` event."""
        return self.model_dump(mode="json", exclude_defaults=True)


class Page(BaseModel):
    events: list[dict[str, Any]]
    total: int
    next_cursor: str | None = None


class Bucket(BaseModel):
    key: str
    count: int


class Aggregations(BaseModel):
    """Counts for transparency reports."""

    total: int
    by_action: list[Bucket]
    by_policy: list[Bucket]
    by_actor_type: list[Bucket]
    automated: int  # decided or done by the system on its own
    human: int

    @classmethod
    def counted(
        cls,
        total: int,
        by_action: list[Bucket],
        by_policy: list[Bucket],
        by_actor_type: list[Bucket],
    ) -> Aggregations:
        """The counts with `automated` (the "system" actor's bucket) and the human rest."""
        automated = sum(b.count for b in by_actor_type if b.key == "system")
        return cls(
            total=total,
            by_action=by_action,
            by_policy=by_policy,
            by_actor_type=by_actor_type,
            automated=automated,
            human=total - automated,
        )


class ExportFormat(enum.StrEnum):
    NDJSON = "ndjson"
    CSV = "csv"


class Manifest(BaseModel):
    export_id: str
    format: ExportFormat
    source: str
    filters: dict[str, Any]
    count: int
    bytes: int
    sha256: str
    generated_by: str
    started_at: datetime
    finished_at: datetime
    completed: bool = True


class HoldView(BaseModel):
    """A legal hold as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    subject_type: str
    subject_id: str
    reason: str
    set_by: str
    set_at: IsoTime
    released_at: IsoTime | None


class HoldList(BaseModel):
    holds: list[HoldView]
