"""Queries on the statements tables, and what statements read of the pipeline's."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from pipeline.models import Decision, EnforcementAction
from statements.models import (
    DeliveryStatus,
    Statement,
    StatementDelivery,
    StatementKind,
    StatementStatus,
    StatementVersion,
)


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


def version_numbered(session: Session, statement_id: str, number: int) -> StatementVersion | None:
    return session.scalars(
        select(StatementVersion).where(
            StatementVersion.statement_id == statement_id, StatementVersion.number == number
        )
    ).first()


def versions_in_order(session: Session, statement_id: str) -> list[StatementVersion]:
    return list(
        session.scalars(
            select(StatementVersion)
            .where(StatementVersion.statement_id == statement_id)
            .order_by(StatementVersion.number)
        )
    )


def published_with_versions(
    session: Session, *, limit: int, statement_id: str | None = None
) -> list[tuple[Statement, StatementVersion]]:
    """Published, not withdrawn statements with their published version, newest first."""
    query = (
        select(Statement, StatementVersion)
        .join(
            StatementVersion,
            (StatementVersion.statement_id == Statement.id)
            & (StatementVersion.number == Statement.published_version),
        )
        .where(
            Statement.published_version.is_not(None),
            Statement.status != StatementStatus.WITHDRAWN,
        )
        .order_by(Statement.published_at.desc())
        .limit(limit)
    )
    if statement_id:
        query = query.where(Statement.id == statement_id)
    return [(s, v) for s, v in session.execute(query)]


def published_for_claims_newest_first(
    session: Session, claim_ids: Collection[str]
) -> Sequence[Statement]:
    return session.scalars(
        select(Statement)
        .where(
            Statement.claim_id.in_(sorted(claim_ids)),
            Statement.status == StatementStatus.PUBLISHED,
        )
        .order_by(Statement.published_at.desc())
    ).all()


def unwithdrawn_for_incident(session: Session, incident_id: str, kind: str) -> Statement | None:
    """The incident's statement of `kind` that is not withdrawn, if any."""
    return session.scalars(
        select(Statement).where(
            Statement.incident_id == incident_id,
            Statement.kind == kind,
            Statement.status != StatementStatus.WITHDRAWN,
        )
    ).first()


def counter_statement_in(
    session: Session, statuses: Collection[str], *, claim_id: str | None, case_id: str
) -> Statement | None:
    """A counter-statement in one of `statuses` about the claim, or (no claim) the case."""
    query = select(Statement).where(
        Statement.kind == StatementKind.COUNTER_STATEMENT.value, Statement.status.in_(statuses)
    )
    if claim_id:
        query = query.where(Statement.claim_id == claim_id)
    else:
        query = query.where(Statement.case_id == case_id)
    return session.scalars(query.limit(1)).first()


def pending_due_delivery_ids(
    session: Session, now: datetime, *, statement_id: str | None = None
) -> list[str]:
    """Pending deliveries with no next attempt set or one at or before `now`, oldest first."""
    query = select(StatementDelivery.id).where(
        StatementDelivery.status == DeliveryStatus.PENDING,
        or_(
            StatementDelivery.next_attempt_at.is_(None),
            StatementDelivery.next_attempt_at <= now,
        ),
    )
    if statement_id:
        query = query.where(StatementDelivery.statement_id == statement_id)
    return list(session.scalars(query.order_by(StatementDelivery.created_at)))


def delivery_key_taken(session: Session, idempotency_key: str) -> bool:
    return (
        session.scalars(
            select(StatementDelivery.id).where(StatementDelivery.idempotency_key == idempotency_key)
        ).first()
        is not None
    )


# What statements read of the pipeline's tables.


def decisions_oldest_first(session: Session, case_id: str) -> Sequence[Decision]:
    return session.scalars(
        select(Decision).where(Decision.case_id == case_id).order_by(Decision.created_at)
    ).all()


def label_requests(session: Session, key_prefix: str) -> Sequence[EnforcementAction]:
    """Every `label` enforcement action whose idempotency key starts with `key_prefix`."""
    return session.scalars(
        select(EnforcementAction).where(
            EnforcementAction.action == "label",
            EnforcementAction.idempotency_key.startswith(key_prefix),
        )
    ).all()


def dead_delivery_count(session: Session) -> int:
    """Statement deliveries whose attempts are spent: the statement did not reach its channel."""
    dead = StatementDelivery.status == DeliveryStatus.DEAD
    return session.scalar(select(func.count()).where(dead)) or 0
