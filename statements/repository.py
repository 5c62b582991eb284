"""Queries on the statements tables."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from statements.models import Statement


def statements_newest_first(session: Session, *, limit: int) -> Sequence[Statement]:
    return session.scalars(
        select(Statement).order_by(Statement.created_at.desc()).limit(limit)
    ).all()


def needing_legal_newest_first(session: Session, *, limit: int) -> Sequence[Statement]:
    """Statements that need legal approval, whatever their state."""
    return session.scalars(
        select(Statement)
        .where(Statement.requires_legal.is_(True))
        .order_by(Statement.created_at.desc())
        .limit(limit)
    ).all()


def for_incident(session: Session, incident_id: str) -> Sequence[Statement]:
    """An incident's statements, oldest first."""
    return session.scalars(
        select(Statement).where(Statement.incident_id == incident_id).order_by(Statement.created_at)
    ).all()
