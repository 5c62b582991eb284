"""Queries on the claim library's tables."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claims.models import ClaimPost


def linked_post_count(session: Session, claim_id: str) -> int:
    """How many posts are linked to the claim."""
    linked = session.scalar(
        select(func.count()).select_from(ClaimPost).where(ClaimPost.claim_id == claim_id)
    )
    return int(linked or 0)
