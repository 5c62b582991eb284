"""Incident thresholds and clocks in the database, versioned like the routing policy
(`pipeline.policy_store`): the newest saved version is in force, the built-in `IncidentPolicy`
until an admin saves one. The detection scan runs on it and the response plan prints its
numbers from it, so the plan and the running rules cannot disagree. It holds every type's
clocks: false information's (`clocks`) and the other types' (`type_clocks`, by type; a version
saved before they were stored reads today's built-in ones, `type_rules.py`)."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from sqlalchemy.orm import Session

from audit.events import Action, Subject
from audit.service import record
from core.actors import Actor
from core.errors import Invalid
from core.messages import Msg
from core.web_schemas import StrictIn
from incidents.material_models import StoredIncidentPolicy
from incidents.repository.plans import latest_stored_policy, next_policy_version
from incidents.severity import ClockSpec, IncidentPolicy
from incidents.types import IncidentType, profile
from pipeline.schemas import MAX_VELOCITY, MAX_WEIGHT

# The plan steps an incident records; a clock waits for one of them (it is met by it).
MILESTONES = (
    "assessment",
    "internal_report",
    "public_statement",
    "first_action",
    "containment",
    "user_notice",
    "regulator_notice",
    "legal_review",
    "recovery",
)
# Validation context for a version read back from the database: it is taken as it was saved
# (versions saved before a check existed still load; the next edit must pass every check).
STORED = {"stored": True}


def _stored(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("stored"))


def _finite_up_to(limit: float) -> AfterValidator:
    """Infinity and NaN parse as floats (1e309 is Infinity) but disable a trigger or make
    priorities infinite, and PostgreSQL's JSON refuses them: only finite numbers to `limit`."""

    def check(value: float, info: ValidationInfo) -> float:
        if _stored(info) or (math.isfinite(value) and value <= limit):
            return value
        raise ValueError(f"must be a finite number no greater than {limit:g}")

    return AfterValidator(check)


class ClockBody(StrictIn):
    name: str = Field(min_length=1, max_length=64)
    milestone: str = Field(min_length=1, max_length=32)
    within_minutes: float = Field(gt=0, le=7 * 24 * 60)
    from_grade: int = Field(default=4, ge=1, le=4, description="started at this grade or worse")

    @field_validator("milestone")
    @classmethod
    def _known_step(cls, milestone: str, info: ValidationInfo) -> str:
        """A clock waiting for a step nobody can record is never met."""
        if _stored(info) or milestone in MILESTONES:
            return milestone
        raise ValueError(
            f"milestone {milestone!r} is not a plan step; steps are {list(MILESTONES)}"
        )


def _clock_body(spec: ClockSpec) -> ClockBody:
    return ClockBody.model_validate(
        {
            "name": spec.name,
            "milestone": spec.milestone,
            "within_minutes": spec.within.total_seconds() / 60,
            "from_grade": spec.from_grade,
        },
        context=STORED,
    )


def _spec(body: ClockBody) -> ClockSpec:
    return ClockSpec(
        body.name, body.milestone, timedelta(minutes=body.within_minutes), body.from_grade
    )


# The types whose clocks `type_clocks` holds (false information's are `clocks`).
OTHER_TYPES = tuple(t.value for t in IncidentType if t is not IncidentType.MISINFORMATION)


def default_type_clocks() -> dict[str, list[ClockBody]]:
    """Each other type's built-in clocks (`type_rules.py`)."""
    return {t: [_clock_body(c) for c in profile(t).clocks] for t in OTHER_TYPES}


class IncidentPolicyBody(StrictIn):
    window_hours: float = Field(gt=0, le=72)
    min_posts: int = Field(ge=1, le=100_000)
    min_velocity: Annotated[
        float,
        Field(gt=0, description="reach per hour that opens an incident"),
        _finite_up_to(MAX_VELOCITY),
    ]
    grade_cutoffs: tuple[int, int, int] = Field(description="points for I, II, III")
    surge_from_grade: int = Field(ge=1, le=4)
    surge_boost: Annotated[float, Field(ge=0), _finite_up_to(MAX_WEIGHT)]
    clocks: list[ClockBody] = Field(min_length=1, max_length=12)
    type_clocks: dict[str, list[ClockBody]] = Field(
        default_factory=default_type_clocks, description="the other types' clocks, by type"
    )

    @model_validator(mode="after")
    def _ordered(self) -> IncidentPolicyBody:
        first, second, third = self.grade_cutoffs
        if not first > second > third > 0:
            raise ValueError("grade cutoffs must fall strictly: I > II > III > 0")
        return self

    @model_validator(mode="after")
    def _every_type(self) -> IncidentPolicyBody:
        unknown = sorted(set(self.type_clocks) - set(OTHER_TYPES))
        if unknown:
            raise ValueError(f"type_clocks names {unknown}; types are {list(OTHER_TYPES)}")
        if any(not 1 <= len(c) <= 12 for c in self.type_clocks.values()):
            raise ValueError("each type keeps 1 to 12 clocks")
        # A type not named keeps its built-in clocks.
        self.type_clocks = default_type_clocks() | self.type_clocks
        return self


class IncidentPolicyPatch(StrictIn):
    """The fields an edit changes; the rest are kept from the policy in force."""

    window_hours: float | None = None
    min_posts: int | None = None
    min_velocity: float | None = None
    grade_cutoffs: tuple[int, int, int] | None = None
    surge_from_grade: int | None = None
    surge_boost: float | None = None
    clocks: list[ClockBody] | None = None
    # Only the types named change; the others keep the clocks in force.
    type_clocks: dict[str, list[ClockBody]] | None = None
    note: str = Field(min_length=1, max_length=2000, description="why (kept in the log)")


def body_of(policy: IncidentPolicy) -> IncidentPolicyBody:
    """A policy in force as an edit body (taken as saved: see `STORED`)."""
    return IncidentPolicyBody.model_validate(
        {
            "window_hours": policy.window.total_seconds() / 3600,
            "min_posts": policy.min_posts,
            "min_velocity": policy.min_velocity,
            "grade_cutoffs": policy.grade_cutoffs,
            "surge_from_grade": policy.surge_from_grade,
            "surge_boost": policy.surge_boost,
            "clocks": [_clock_body(c).model_dump() for c in policy.clocks],
            "type_clocks": {
                t: [_clock_body(c).model_dump() for c in cs] for t, cs in policy.type_clocks.items()
            },
        },
        context=STORED,
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
        clocks=tuple(_spec(c) for c in body.clocks),
        type_clocks={t: tuple(_spec(c) for c in cs) for t, cs in body.type_clocks.items()},
    )


def _version(number: int) -> str:
    return f"incident-v{number}"


def active_incident_policy(session: Session) -> IncidentPolicy:
    row = latest_stored_policy(session)
    if row is None:
        return IncidentPolicy()
    body = IncidentPolicyBody.model_validate(row.body, context=STORED)
    return policy_of(body, _version(row.version))


def save_incident_policy(
    session: Session, body: IncidentPolicyBody, actor: Actor, note: str
) -> IncidentPolicy:
    before = active_incident_policy(session)
    number = next_policy_version(session)
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
    if "type_clocks" in changes:
        changes["type_clocks"] = current["type_clocks"] | changes["type_clocks"]
    try:
        return IncidentPolicyBody.model_validate(current | changes)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise Invalid(
            Msg("bad incident policy: {problems}", problems=problems), code="bad_policy"
        ) from exc
