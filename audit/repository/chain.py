"""Queries on the hash chain: its head, the events' sequence numbers and hashes, and the ranges
retention deleted (the table `verify` reads to tell a lawful gap from a deleted event)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from audit.chain import GENESIS
from audit.models import AuditChain, AuditEvent, RetentionDeletion


def lock_chain_head(session: Session, name: str) -> AuditChain:
    """The chain's head row, locked FOR UPDATE; created at seq 0 the first time."""
    head = session.scalars(
        select(AuditChain).where(AuditChain.name == name).with_for_update()
    ).one_or_none()
    if head is None:
        head = AuditChain(name=name, seq=0, head_hash=GENESIS)
        session.add(head)
        session.flush()
    return head


def chain_head(session: Session, name: str) -> AuditChain | None:
    return session.get(AuditChain, name)


def event_hashes(session: Session, chain: str, seqs: Collection[int]) -> dict[int, str]:
    """The stored hash of each of `seqs` the chain holds."""
    rows = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).where(
            AuditEvent.chain == chain, AuditEvent.seq.in_(seqs)
        )
    )
    return {int(s): str(h) for s, h in rows}


def event_records(
    session: Session, chain: str, seqs: Collection[int], columns: Sequence[str]
) -> dict[int, tuple[str, dict[str, Any]]]:
    """For each of `seqs` the chain holds: its stored hash and the values of `columns`."""
    rows = session.execute(
        select(AuditEvent.seq, AuditEvent.hash, *(getattr(AuditEvent, c) for c in columns)).where(
            AuditEvent.chain == chain, AuditEvent.seq.in_(seqs)
        )
    )
    return {int(r[0]): (str(r[1]), dict(zip(columns, r[2:], strict=True))) for r in rows}


def last_shipped_seq(session: Session, chain: str) -> int:
    """The highest seq of the chain already shipped to Elasticsearch (0 if none)."""
    value = session.scalar(
        select(func.max(AuditEvent.seq)).where(
            AuditEvent.chain == chain, AuditEvent.shipped_at.is_not(None)
        )
    )
    return int(value or 0)


def retention_deletions(session: Session, chain: str) -> Sequence[RetentionDeletion]:
    """The ranges retention deleted from the chain, in sequence order."""
    return session.scalars(
        select(RetentionDeletion)
        .where(RetentionDeletion.chain == chain)
        .order_by(RetentionDeletion.start_seq)
    ).all()


def retention_candidates(
    session: Session,
    chain: str,
    *,
    after_seq: int,
    cutoff: datetime,
    shipped_only: bool,
    limit: int,
) -> list[AuditEvent]:
    """The next `limit` events after `after_seq` whose timestamp column is older than `cutoff`,
    in seq order, only those already shipped if `shipped_only`. The column is what the index
    finds; retention checks each against its hashed document before deleting it."""
    stmt = select(AuditEvent).where(
        AuditEvent.chain == chain, AuditEvent.seq > after_seq, AuditEvent.timestamp < cutoff
    )
    if shipped_only:
        stmt = stmt.where(AuditEvent.shipped_at.is_not(None))
    return list(session.scalars(stmt.order_by(AuditEvent.seq).limit(limit)))


def delete_range(
    session: Session,
    run_id: str,
    chain: str,
    start: int,
    end: int,
    end_hash: str,
    when: datetime,
) -> None:
    """Record that retention run `run_id` deleted seqs start..end, and delete them."""
    session.add(
        RetentionDeletion(
            run_id=run_id,
            chain=chain,
            start_seq=start,
            end_seq=end,
            end_hash=end_hash,
            count=end - start + 1,
            deleted_at=when,
        )
    )
    session.execute(
        delete(AuditEvent).where(
            AuditEvent.chain == chain,
            AuditEvent.seq >= start,
            AuditEvent.seq <= end,
        )
    )
