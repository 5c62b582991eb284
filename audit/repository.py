"""Queries on the action-log table that read events by what they record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Action
from audit.models import AuditEvent


def export_events_newest_first(session: Session, *, limit: int) -> Sequence[AuditEvent]:
    """The latest `log.exported` events (one per finished export), newest first."""
    return session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == Action.LOG_EXPORTED.value)
        .order_by(AuditEvent.seq.desc())
        .limit(limit)
    ).all()


def export_manifest(session: Session, export_id: str) -> dict[str, Any] | None:
    """A finished export's manifest as its `log.exported` event stored it; None if none."""
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == Action.LOG_EXPORTED.value,
            AuditEvent.document["veracity"]["subject"]["export_id"].as_string() == export_id,
        )
    ).first()
    if event is None:
        return None
    veracity: Any = event.document["veracity"]
    return dict(veracity["after"])
