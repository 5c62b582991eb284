"""Queries on the claim library's tables, including what the case page reads: a post's claim
links and the claims."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from claims.models import Claim, ClaimPost


@dataclass(frozen=True)
class ClaimFilter:
    """What a library listing narrows to; None (or empty) leaves that part open."""

    query: str | None = None  # in the text or explanation, any case
    verdict: str | None = None
    origin: str | None = None
    retired: bool | None = None  # None: both live and retired claims

    def apply(self, stmt: Select[Any]) -> Select[Any]:
        if self.query:  # taken literally: % and _ are characters, not LIKE wildcards
            query = self.query.lower()
            stmt = stmt.where(
                or_(
                    func.lower(Claim.text).contains(query, autoescape=True),
                    func.lower(Claim.explanation).contains(query, autoescape=True),
                )
            )
        if self.verdict:
            stmt = stmt.where(Claim.verdict == self.verdict)
        if self.origin:
            stmt = stmt.where(Claim.origin == self.origin)
        if self.retired is not None:
            stmt = stmt.where(
                Claim.retired_at.is_not(None) if self.retired else Claim.retired_at.is_(None)
            )
        return stmt


def claims_newest_first(
    session: Session, where: ClaimFilter, *, limit: int, offset: int
) -> list[Claim]:
    stmt = where.apply(select(Claim).order_by(Claim.created_at.desc(), Claim.id))
    return list(session.scalars(stmt.limit(limit).offset(offset)))


def claim_count(session: Session, where: ClaimFilter) -> int:
    return int(session.scalar(where.apply(select(func.count()).select_from(Claim))) or 0)


def present_claim_ids(session: Session, claim_ids: Collection[str]) -> list[str]:
    """Those of `claim_ids` that are in the library."""
    return list(session.scalars(select(Claim.id).where(Claim.id.in_(claim_ids))))


def live_claims_by_id(session: Session, verdicts: Collection[str] | None = None) -> Sequence[Claim]:
    """Claims not retired (retired ones are not matched), optionally only `verdicts`, by id."""
    where = [Claim.retired_at.is_(None)]
    if verdicts is not None:
        where.insert(0, Claim.verdict.in_(list(verdicts)))
    return session.scalars(select(Claim).where(*where).order_by(Claim.id)).all()


def live_library_version(session: Session) -> tuple[int, datetime | None, datetime | None]:
    """Live claims: how many, the newest `created_at` and the newest `updated_at`."""
    count, added, edited = session.execute(
        select(func.count(Claim.id), func.max(Claim.created_at), func.max(Claim.updated_at)).where(
            Claim.retired_at.is_(None)
        )
    ).one()
    return int(count or 0), added, edited


def post_ids_of_claim(session: Session, claim_id: str) -> list[str]:
    """The posts linked to the claim, in the order they were linked."""
    return list(
        session.scalars(
            select(ClaimPost.post_id)
            .where(ClaimPost.claim_id == claim_id)
            .order_by(ClaimPost.created_at, ClaimPost.post_id)
        )
    )


def linked_post_count(session: Session, claim_id: str) -> int:
    """How many posts are linked to the claim."""
    linked = session.scalar(
        select(func.count()).select_from(ClaimPost).where(ClaimPost.claim_id == claim_id)
    )
    return int(linked or 0)


def newest_claim_of_post(session: Session, post_id: str) -> Claim | None:
    """The claim most recently linked to the post, if any."""
    return session.scalars(
        select(Claim)
        .join(ClaimPost, ClaimPost.claim_id == Claim.id)
        .where(ClaimPost.post_id == post_id)
        .order_by(ClaimPost.created_at.desc())
    ).first()


def links_of_post(session: Session, post_id: str) -> list[ClaimPost]:
    return list(session.scalars(select(ClaimPost).where(ClaimPost.post_id == post_id)))


def claims_by_id(session: Session, claim_ids: Collection[str]) -> list[Claim]:
    return list(session.scalars(select(Claim).where(Claim.id.in_(claim_ids))))


def linked_post_ids(claim_ids: Collection[str]) -> Select[str]:
    """The ids of the posts linked to any of the claims, as a subquery to filter posts by."""
    return select(ClaimPost.post_id).where(ClaimPost.claim_id.in_(claim_ids))
