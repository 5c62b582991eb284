"""Stored policy versions (any `VersionedPolicy` table: the routing policy here, the incident
thresholds in `incidents`): the newest, the highest version number, the history."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.models import StoredRoutingPolicy, VersionedPolicy

V = TypeVar("V", bound=VersionedPolicy)


def newest_version(session: Session, model: type[V]) -> V | None:
    return session.scalars(select(model).order_by(model.version.desc()).limit(1)).first()


def highest_version(session: Session, model: type[VersionedPolicy]) -> int:
    """The highest saved version number (0 before any save)."""
    return session.scalar(select(func.max(model.version))) or 0


def version_history(session: Session, model: type[V], limit: int = 50) -> list[V]:
    """Saved versions, newest first."""
    return list(session.scalars(select(model).order_by(model.version.desc()).limit(limit)))


def newest_policy(session: Session) -> StoredRoutingPolicy | None:
    return newest_version(session, StoredRoutingPolicy)


def latest_policy_version(session: Session) -> int:
    return highest_version(session, StoredRoutingPolicy)


def policy_history(session: Session, limit: int = 50) -> list[StoredRoutingPolicy]:
    return version_history(session, StoredRoutingPolicy, limit)
