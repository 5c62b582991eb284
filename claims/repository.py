"""Queries on the claim library's tables, including what the case page reads: a post's claim
links and the claims."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from claims.models import Claim, ClaimPost


def linked_post_count(session: Session, claim_id: str) -> int:
    """How many posts are linked to the claim."""
    linked = session.scalar(
        select(func.count()).select_from(ClaimPost).where(ClaimPost.claim_id == claim_id)
    )
    return int(linked or 0)


def links_of_post(session: Session, post_id: str) -> list[ClaimPost]:
    return list(session.scalars(select(ClaimPost).where(ClaimPost.post_id == post_id)))


def claims_by_id(session: Session, claim_ids: Collection[str]) -> list[Claim]:
    return list(session.scalars(select(Claim).where(Claim.id.in_(claim_ids))))


def linked_post_ids(claim_ids: Collection[str]) -> Select[str]:
    """The ids of the posts linked to any of the claims, as a subquery to filter posts by."""
    return select(ClaimPost.post_id).where(ClaimPost.claim_id.in_(claim_ids))
