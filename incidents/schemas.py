"""Shapes for the incident endpoints."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Literal, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from core.clock import to_utc, utcnow
from core.web_schemas import IsoTime, Reason, StrictIn
from incidents.severity import GRADE_NAMES
from incidents.types import GroupKind, IncidentType, Scope


class GradeIn(StrictIn):
    grade: int = Field(ge=1, le=4, description="1 = I particularly serious … 4 = IV ordinary")
    reason: Reason


class MilestoneIn(StrictIn):
    kind: str = Field(
        description="assessment, internal_report, public_statement, first_action, containment, "
        "user_notice, regulator_notice, legal_review, recovery"
    )
    note: str = Field(default="", max_length=5000)


class LessonIn(StrictIn):
    text: str = Field(min_length=1, max_length=5000)


class PlanIn(StrictIn):
    change_note: str = Field(min_length=1, max_length=2000)
    body: str | None = Field(default=None, max_length=100_000)


class ResponseGroupIn(StrictIn):
    """A channel of a response group: `webhook` (signed JSON; url and secret), `slack` (a
    Slack-compatible incoming webhook; url) or `email` (to the group's members)."""

    role: str = Field(min_length=1, max_length=32, description="the group: leadership, pr, …")
    channel: Literal["webhook", "slack", "email"] = "webhook"
    url: str = Field(default="", pattern=r"^(https?://.*)?$", max_length=2048)
    secret: str = Field(default="", max_length=128)
    min_grade: int = Field(default=4, ge=1, le=4)


class ScopeIn(StrictIn):
    """How far it reaches, as far as the reporter knows (every field optional)."""

    affected_users: int = Field(default=0, ge=0, le=10**10)
    records: int = Field(default=0, ge=0, le=10**12, description="data records exposed")
    reach: int = Field(default=0, ge=0, le=10**12, description="views of the false information")
    regions: list[str] = Field(default_factory=list, max_length=300)
    services: list[str] = Field(default_factory=list, max_length=100)
    personal_data: bool = False
    ongoing: bool = True
    regulator: bool = False

    @field_validator("regions")
    @classmethod
    def _regions(cls, value: list[str]) -> list[str]:
        bad = [r for r in value if not _is_region(r)]
        if bad:
            raise ValueError(f"regions are ISO 3166 / language codes such as DE or pt-BR: {bad}")
        return sorted({r.upper() for r in value})

    @field_validator("services")
    @classmethod
    def _services(cls, value: list[str]) -> list[str]:
        if any(not s.strip() or len(s) > 100 for s in value):
            raise ValueError("each service is a name of 1 to 100 characters")
        return [s.strip() for s in value]

    def to_scope(self) -> Scope:
        return Scope(
            affected_users=self.affected_users,
            records=self.records,
            reach=self.reach,
            regions=tuple(self.regions),
            services=tuple(self.services),
            personal_data=self.personal_data,
            ongoing=self.ongoing,
            regulator=self.regulator,
        )


def _is_region(value: str) -> bool:
    return re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})?", value) is not None


class ReportIn(StrictIn):
    """Any member of staff reports an incident: its type, what, when, where and scope."""

    type: IncidentType
    title: str = Field(min_length=3, max_length=300)
    what: str = Field(min_length=10, max_length=10_000, description="what happened")
    when: AwareDatetime | None = Field(default=None, description="when it happened or began")
    where: str = Field(default="", max_length=300, description="system, service, place")
    scope: ScopeIn = Field(default_factory=ScopeIn)
    drill: bool = False

    @field_validator("title", "what")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("when")
    @classmethod
    def _not_future(cls, value: datetime | None) -> datetime | None:
        if value is not None and to_utc(value) > utcnow() + timedelta(minutes=5):
            raise ValueError("is in the future")
        return value


# Leadership's first grade takes what a regrade does; its own name in the API's schema.
class AssessIn(GradeIn):
    pass


class ActivateIn(StrictIn):
    reason: Reason
    owner: str | None = Field(default=None, max_length=64, description="a username; default you")


class OwnerIn(StrictIn):
    username: str = Field(min_length=1, max_length=64)


class TaskIn(StrictIn):
    group: GroupKind
    title: str = Field(min_length=1, max_length=300)
    due_in_minutes: int | None = Field(default=None, ge=1, le=60 * 24 * 90)
    assignee: str | None = Field(default=None, max_length=64)


class AssignIn(StrictIn):
    username: str = Field(min_length=1, max_length=64)


class DoneIn(StrictIn):
    note: str = Field(default="", max_length=5000)


class MemberIn(StrictIn):
    username: str = Field(min_length=1, max_length=64)
    email: str | None = Field(
        default=None, max_length=320, pattern=r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$"
    )


# What the domain sends and shows: read off the ORM rows (from_attributes), dumped to a dict.


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class IncidentPayload(_Out):
    """An incident as each response group is told about it (notices)."""

    id: str
    type: str
    title: str
    status: str
    grade: int
    grade_name: str = ""  # from the grade
    owner: str | None
    posts: int = Field(validation_alias="post_count")
    reach: int
    is_drill: bool

    @model_validator(mode="after")
    def _name_grade(self) -> Self:
        self.grade_name = GRADE_NAMES[self.grade]
        return self


class TaskPayload(_Out):
    """A task as its group is told about it; `TaskView` adds its progress."""

    id: str
    group: str
    kind: str
    title: str
    assignee: str | None
    due_at: IsoTime | None


class TaskView(TaskPayload):
    status: str
    milestone: str | None
    note: str
    created_by: str
    started_at: IsoTime | None
    done_at: IsoTime | None


class AttachmentOut(_Out):
    id: str
    title: str
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: IsoTime
