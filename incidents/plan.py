"""Lessons recorded on post-incident reports, and the versioned response plan they feed."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.events import Action, Actor, Subject
from audit.service import record
from core.errors import Invalid
from incidents.models import Lesson, ResponsePlan
from incidents.service import get_incident

INITIAL_PLAN = """# Misinformation emergency response plan (v1)
1. Report and initial assessment: detection opens an incident; on-call reviews within 1 hour.
2. Activate the response: notify response groups by grade; surge the review queue at grade II+.
3. Gather and analyse: link posts, claims and cases; watch reach and regional spread.
4. Measures: remove or label per policy; public statement within 4 hours at grade II+.
5. Recovery: restore wrongly actioned posts; close the incident when contained.
6. Post-incident report and evaluation; record lessons.
7. Drills: replay a wave at least quarterly.
8. Improve the plan from recorded lessons (this document is versioned).
"""


def record_lesson(session: Session, incident_id: str, text: str, actor: Actor) -> Lesson:
    if not text.strip():
        raise Invalid("a lesson needs text")
    incident = get_incident(session, incident_id)
    lesson = Lesson(incident_id=incident.id, text=text.strip(), author=actor.name)
    session.add(lesson)
    session.flush()
    record(
        session,
        Action.INCIDENT_LESSON_RECORDED,
        actor,
        Subject(incident_id=incident.id),
        reason=lesson.text[:500],
        is_drill=incident.is_drill,
    )
    return lesson


def current_plan(session: Session) -> ResponsePlan | None:
    return session.scalars(select(ResponsePlan).order_by(ResponsePlan.version.desc())).first()


def pending_lessons(session: Session) -> list[Lesson]:
    return list(
        session.scalars(
            select(Lesson).where(Lesson.plan_version.is_(None)).order_by(Lesson.created_at)
        ).all()
    )


def publish_plan(
    session: Session, body: str | None, change_note: str, actor: Actor
) -> ResponsePlan:
    """A new plan version; adopts every pending lesson (appended when no body is given)."""
    if not change_note.strip():
        raise Invalid("a new plan version needs a change note")
    latest = current_plan(session)
    lessons = pending_lessons(session)
    if body is None:
        base = latest.body if latest else INITIAL_PLAN
        added = "".join(f"- {lesson.text} (incident {lesson.incident_id})\n" for lesson in lessons)
        body = base + ("\n## Lessons adopted\n" + added if added else "")
    version = (session.scalar(select(func.max(ResponsePlan.version))) or 0) + 1
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
