"""Stored routing policies: the newest, the highest version number, the history."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.models import StoredRoutingPolicy


def newest_policy(session: Session) -> StoredRoutingPolicy | None:
    return session.scalars(
        select(StoredRoutingPolicy).order_by(StoredRoutingPolicy.version.desc()).limit(1)
    ).first()


def latest_policy_version(session: Session) -> int:
    """The highest saved version number (0 before any save)."""
    return session.scalar(select(func.max(StoredRoutingPolicy.version))) or 0


def policy_history(session: Session, limit: int = 50) -> list[StoredRoutingPolicy]:
    """Saved policies, newest first."""
    return list(
        session.scalars(
            select(StoredRoutingPolicy).order_by(StoredRoutingPolicy.version.desc()).limit(limit)
        )
    )
