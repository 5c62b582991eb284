"""Lessons recorded on post-incident reports, and the versioned response plan they feed."""

from __future__ import annotations

from sqlalchemy.orm import Session

from audit.events import Action, Subject
from audit.service import record
from core.actors import Actor
from core.errors import Invalid
from core.messages import Msg
from incidents.events import record_event
from incidents.models import Lesson, ResponsePlan
from incidents.policy_store import (
    IncidentPolicyPatch,
    active_incident_policy,
    patched,
    save_incident_policy,
)
from incidents.repository.plans import current_plan, next_plan_version, pending_lessons
from incidents.service import get_incident
from incidents.severity import ROMAN, IncidentPolicy
from incidents.types import IncidentType, profile

# The plan's numbers are printed from the incident policy in force, never stored in its text.
THRESHOLDS_HEADING = "## Thresholds and clocks"
LESSONS_HEADING = "## Lessons adopted"

INITIAL_PLAN = """# Emergency response plan (v1)
1. Report and initial assessment: anyone reports, detection opens misinformation incidents;
   leadership assesses the grade and decides to activate within the internal-report clock.
2. Activate the response: notify response groups by grade; surge the review queue from the
   surge grade (see Thresholds and clocks).
3. Gather and analyse: link posts, claims and cases; watch reach and regional spread.
4. Measures: remove or label per policy; a public statement within its clock.
5. Recovery: restore wrongly actioned posts; close the incident when contained.
6. Post-incident report, reviewed and signed off by leadership; record lessons.
7. Drills: replay a wave at least quarterly.
8. Improve the plan from recorded lessons (this document is versioned).
"""


def record_lesson(session: Session, incident_id: str, text: str, actor: Actor) -> Lesson:
    if not text.strip():
        raise Invalid(Msg("a lesson needs text"))
    incident = get_incident(session, incident_id)
    lesson = Lesson(incident_id=incident.id, text=text.strip(), author=actor.name)
    session.add(lesson)
    session.flush()
    record_event(
        session,
        Action.INCIDENT_LESSON_RECORDED,
        actor,
        incident,
        reason=lesson.text[:500],
    )
    return lesson


def publish_plan(
    session: Session,
    body: str | None,
    change_note: str,
    actor: Actor,
    *,
    adopt_lessons: bool = True,
) -> ResponsePlan:
    """A new plan version; adopts every pending lesson (appended when no body is given)."""
    if not change_note.strip():
        raise Invalid(Msg("a new plan version needs a change note"))
    if body is not None and THRESHOLDS_HEADING.lower() in body.lower():
        raise Invalid(
            Msg(
                "the plan's thresholds and clocks are printed from the incident policy; change them "
                "with PATCH /v1/response-plan/thresholds"
            ),
            code="thresholds_in_text",
        )
    latest = current_plan(session)
    lessons = pending_lessons(session) if adopt_lessons else []
    if body is None:
        body = _with_lessons(latest.body if latest else INITIAL_PLAN, lessons)
    version = next_plan_version(session)
    plan = ResponsePlan(version=version, body=body, change_note=change_note, author=actor.name)
    session.add(plan)
    for lesson in lessons:
        lesson.plan_version = version
    record(
        session,
        Action.RESPONSE_PLAN_CHANGED,
        actor,
        Subject(other={"plan_version": str(version)}),
        reason=change_note,
        before={"version": latest.version if latest else None},
        after={"version": version, "lessons": [lesson.id for lesson in lessons]},
    )
    return plan


def _with_lessons(base: str, lessons: list[Lesson]) -> str:
    """The plan with the lessons listed under its closing "Lessons adopted" section, which is
    started when the plan does not end with one (so each publication adds no second heading)."""
    added = "".join(f"- {lesson.text} (incident {lesson.incident_id})\n" for lesson in lessons)
    if not added:
        return base
    heading = base.rfind(LESSONS_HEADING)
    if heading == -1 or "\n## " in base[heading + len(LESSONS_HEADING) :]:
        return base + "\n" + LESSONS_HEADING + "\n" + added
    return base.rstrip("\n") + "\n" + added


def _minutes(delta_seconds: float) -> str:
    minutes = delta_seconds / 60
    return f"{minutes:g} min" if minutes < 120 else f"{minutes / 60:g} h"


def thresholds_section(policy: IncidentPolicy) -> str:
    first, second, third = policy.grade_cutoffs
    clocks = "".join(
        f"- {c.name}: within {_minutes(c.within.total_seconds())}"
        f" (grade {ROMAN[c.from_grade]} or worse)\n"
        for c in policy.clocks
    )
    return (
        f"{THRESHOLDS_HEADING} (incident policy {policy.version}, in force)\n"
        f"- A narrative opens an incident at {policy.min_posts} posts within "
        f"{_minutes(policy.window.total_seconds())}, or at a reach velocity of "
        f"{policy.min_velocity:,.0f} per hour.\n"
        f"- Grade by points: I at {first}+, II at {second}+, III at {third}+, else IV.\n"
        f"- Review queue surge at grade {ROMAN[policy.surge_from_grade]} or worse "
        f"(+{policy.surge_boost:g} priority).\n"
        f"{clocks}"
        f"{_type_clocks(policy)}"
    )


def _type_clocks(policy: IncidentPolicy) -> str:
    """The other types' clocks in force (the policy's, else the type's built-in ones)."""
    lines = []
    for kind in IncidentType:
        if kind is IncidentType.MISINFORMATION:
            continue
        specs = policy.type_clocks.get(kind.value) or profile(kind).clocks
        each = "; ".join(
            f"{c.name} within {_minutes(c.within.total_seconds())} (grade {ROMAN[c.from_grade]}+)"
            for c in specs
        )
        lines.append(f"- {profile(kind).label}: {each}.\n")
    return "".join(lines)


def plan_document(session: Session, version: ResponsePlan | None = None) -> str:
    """A plan version's text followed by the thresholds and clocks now in force."""
    plan = version or current_plan(session)
    body = plan.body if plan else INITIAL_PLAN
    return body.rstrip() + "\n\n" + thresholds_section(active_incident_policy(session))


def change_thresholds(
    session: Session, patch: IncidentPolicyPatch, actor: Actor
) -> tuple[IncidentPolicy, ResponsePlan]:
    """Edit a threshold or clock of the plan: a new incident policy version (what detection
    and the clocks run on) and a new plan version naming it."""
    before = active_incident_policy(session)
    policy = save_incident_policy(session, patched(session, patch), actor, patch.note)
    latest = current_plan(session)
    note = (
        f"thresholds and clocks: incident policy {before.version} -> {policy.version}: {patch.note}"
    )
    body = latest.body if latest else INITIAL_PLAN
    made = publish_plan(session, body, note, actor, adopt_lessons=False)
    return policy, made
