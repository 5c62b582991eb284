"""What incidents read and write of the pipeline's posts, scores and review cases."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import Row, and_, or_, select, update
from sqlalchemy.orm import Session

from incidents.models import NarrativePost, ScanCursor
from pipeline.models import CaseStatus, Post, ReviewCase


def tag_waiting_cases(session: Session, post_id: str, incident_id: str) -> None:
    """File the post's undecided cases that name no incident under this one."""
    session.execute(
        update(ReviewCase)
        .where(
            ReviewCase.post_id == post_id,
            ReviewCase.status != CaseStatus.DECIDED,
            ReviewCase.incident_id.is_(None),
        )
        .values(incident_id=incident_id)
    )


def post_texts(session: Session, post_ids: Collection[str]) -> list[str]:
    return list(session.scalars(select(Post.text).where(Post.id.in_(post_ids))).all())


def unsurged_live_cases(
    session: Session, incident_id: str
) -> Sequence[Row[NarrativePost, ReviewCase]]:
    """(narrative post, its undecided case) for the incident's posts not surged yet."""
    return session.execute(
        select(NarrativePost, ReviewCase)
        .join(ReviewCase, ReviewCase.post_id == NarrativePost.post_id)
        .where(
            NarrativePost.incident_id == incident_id,
            NarrativePost.surged.is_(False),
            ReviewCase.status != CaseStatus.DECIDED,
        )
    ).all()


def cases_of_posts(session: Session, post_ids: Collection[str]) -> Sequence[ReviewCase]:
    return session.scalars(select(ReviewCase).where(ReviewCase.post_id.in_(post_ids))).all()


def posts_after(session: Session, cursor: ScanCursor | None, limit: int) -> list[Post]:
    """The next posts in the order they arrived (received time, then id) after `cursor`."""
    query = select(Post).order_by(Post.received_at, Post.id).limit(limit)
    if cursor is not None:
        query = query.where(
            or_(
                Post.received_at > cursor.received_at,
                and_(Post.received_at == cursor.received_at, Post.id > cursor.post_id),
            )
        )
    return list(session.scalars(query).all())
