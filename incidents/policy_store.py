"""Incident thresholds and clocks in the database, versioned like the routing policy
(`pipeline.policy_store`): the newest saved version is in force, the built-in `IncidentPolicy`
until an admin saves one. The detection scan runs on it and the response plan prints its
numbers from it, so the plan and the running rules cannot disagree."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.events import Action, Actor, Subject
from audit.service import record
from core.errors import Invalid
from incidents.material_models import StoredIncidentPolicy
from incidents.severity import ClockSpec, IncidentPolicy


class ClockBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    milestone: str = Field(min_length=1, max_length=32)
    within_minutes: float = Field(gt=0, le=7 * 24 * 60)
    from_grade: int = Field(default=4, ge=1, le=4, description="started at this grade or worse")


class IncidentPolicyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    window_hours: float = Field(gt=0, le=72)
    min_posts: int = Field(ge=1, le=100_000)
    min_velocity: float = Field(gt=0, description="reach per hour that opens an incident")
    grade_cutoffs: tuple[int, int, int] = Field(description="points for I, II, III")
    surge_from_grade: int = Field(ge=1, le=4)
    surge_boost: float = Field(ge=0)
    clocks: list[ClockBody] = Field(min_length=1, max_length=12)

    @model_validator(mode="after")
    def _ordered(self) -> IncidentPolicyBody:
        first, second, third = self.grade_cutoffs
        if not first > second > third > 0:
            raise ValueError("grade cutoffs must fall strictly: I > II > III > 0")
        return self


class IncidentPolicyPatch(BaseModel):
    """The fields an edit changes; the rest are kept from the policy in force."""

    model_config = ConfigDict(extra="forbid")
    window_hours: float | None = None
    min_posts: int | None = None
    min_velocity: float | None = None
    grade_cutoffs: tuple[int, int, int] | None = None
    surge_from_grade: int | None = None
    surge_boost: float | None = None
    clocks: list[ClockBody] | None = None
    note: str = Field(min_length=1, max_length=2000, description="why (kept in the log)")


def body_of(policy: IncidentPolicy) -> IncidentPolicyBody:
    return IncidentPolicyBody(
        window_hours=policy.window.total_seconds() / 3600,
        min_posts=policy.min_posts,
        min_velocity=policy.min_velocity,
        grade_cutoffs=policy.grade_cutoffs,
        surge_from_grade=policy.surge_from_grade,
        surge_boost=policy.surge_boost,
        clocks=[
            ClockBody(
                name=c.name,
                milestone=c.milestone,
                within_minutes=c.within.total_seconds() / 60,
                from_grade=c.from_grade,
            )
            for c in policy.clocks
        ],
    )


def policy_of(body: IncidentPolicyBody, version: str) -> IncidentPolicy:
    return replace(
        IncidentPolicy(),
        version=version,
        window=timedelta(hours=body.window_hours),
        min_posts=body.min_posts,
        min_velocity=body.min_velocity,
        grade_cutoffs=body.grade_cutoffs,
        surge_from_grade=body.surge_from_grade,
        surge_boost=body.surge_boost,
        clocks=tuple(
            ClockSpec(c.name, c.milestone, timedelta(minutes=c.within_minutes), c.from_grade)
            for c in body.clocks
        ),
    )


def _version(number: int) -> str:
    return f"incident-v{number}"


def active_incident_policy(session: Session) -> IncidentPolicy:
    row = session.scalars(
        select(StoredIncidentPolicy).order_by(StoredIncidentPolicy.version.desc()).limit(1)
    ).first()
    if row is None:
        return IncidentPolicy()
    return policy_of(IncidentPolicyBody.model_validate(row.body), _version(row.version))


def save_incident_policy(
    session: Session, body: IncidentPolicyBody, actor: Actor, note: str
) -> IncidentPolicy:
    before = active_incident_policy(session)
    number = (session.scalar(select(func.max(StoredIncidentPolicy.version))) or 0) + 1
    session.add(
        StoredIncidentPolicy(
            version=number, body=body.model_dump(mode="json"), author=actor.name, note=note
        )
    )
    session.flush()  # a concurrent save of the same version fails here on the primary key
    policy = policy_of(body, _version(number))
    record(
        session,
        Action.INCIDENT_POLICY_CHANGED,
        actor,
        Subject(other={"policy": "incidents"}),
        reason=note,
        policy_version=policy.version,
        before={"version": before.version, "policy": body_of(before).model_dump(mode="json")},
        after={"version": policy.version, "policy": body.model_dump(mode="json")},
    )
    return policy


def patched(session: Session, patch: IncidentPolicyPatch) -> IncidentPolicyBody:
    """The policy in force with the patch's fields changed (validated as a whole)."""
    current: dict[str, Any] = body_of(active_incident_policy(session)).model_dump()
    changes = patch.model_dump(exclude_none=True, exclude={"note"})
    try:
        return IncidentPolicyBody.model_validate(current | changes)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise Invalid(f"bad incident policy: {problems}", code="bad_policy") from exc


def history(session: Session, limit: int = 50) -> list[StoredIncidentPolicy]:
    return list(
        session.scalars(
            select(StoredIncidentPolicy).order_by(StoredIncidentPolicy.version.desc()).limit(limit)
        )
    )
