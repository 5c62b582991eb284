"""Queries on the response plan's versions, the lessons that feed it, and the stored incident
policy versions."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents.material_models import StoredIncidentPolicy
from incidents.models import Incident, Lesson, ResponsePlan
from pipeline.repository.policies import highest_version, newest_version, version_history


def current_plan(session: Session) -> ResponsePlan | None:
    return session.scalars(select(ResponsePlan).order_by(ResponsePlan.version.desc())).first()


def plan_history(session: Session, limit: int = 50) -> list[ResponsePlan]:
    return list(
        session.scalars(select(ResponsePlan).order_by(ResponsePlan.version.desc()).limit(limit))
    )


def next_plan_version(session: Session) -> int:
    return (session.scalar(select(func.max(ResponsePlan.version))) or 0) + 1


def pending_lessons(session: Session) -> list[Lesson]:
    """Lessons of real incidents no plan version adopted yet, oldest first; a drill's lesson
    stays in its drill report and never enters the response plan."""
    return list(
        session.scalars(
            select(Lesson)
            .join(Incident, Incident.id == Lesson.incident_id)
            .where(Lesson.plan_version.is_(None), Incident.is_drill.is_(False))
            .order_by(Lesson.created_at, Lesson.id)
        ).all()
    )


def lessons_of_incident(session: Session, incident_id: str) -> list[Lesson]:
    return list(session.scalars(select(Lesson).where(Lesson.incident_id == incident_id)))


def latest_stored_policy(session: Session) -> StoredIncidentPolicy | None:
    return newest_version(session, StoredIncidentPolicy)


def next_policy_version(session: Session) -> int:
    return highest_version(session, StoredIncidentPolicy) + 1


def policy_history(session: Session, limit: int = 50) -> list[StoredIncidentPolicy]:
    return version_history(session, StoredIncidentPolicy, limit)
