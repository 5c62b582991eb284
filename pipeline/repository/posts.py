"""Posts as the case page shows them: the post itself, its author's record, related posts."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from audit.models import AuditEvent
from claims.models import ClaimPost
from pipeline.models import Decision, Post, PostStatus, ReviewCase, Score


def post_by_id(session: Session, post_id: str) -> Post | None:
    return session.get(Post, post_id)


def count_author_posts(session: Session, author_id: str) -> int:
    return int(
        session.scalar(select(func.count()).select_from(Post).where(Post.author_id == author_id))
        or 0
    )


def actions_on_author(session: Session, author_id: str, except_post_id: str) -> dict[str, int]:
    """How many decisions of each action the author's other posts received."""
    rows = session.execute(
        select(Decision.action, func.count())
        .join(Post, Post.id == Decision.post_id)
        .where(Post.author_id == author_id, Post.id != except_post_id)
        .group_by(Decision.action)
    ).all()
    return {str(action): int(count) for action, count in rows}


def posts_with_case_status(
    session: Session, post_ids: Select[str], except_post_id: str, limit: int
) -> list[tuple[Post, str | None]]:
    """The posts `post_ids` selects (bar one), most viewed first, each with a case's status (a
    post with several cases comes once per case)."""
    rows = session.execute(
        select(Post, ReviewCase.status)
        .outerjoin(ReviewCase, ReviewCase.post_id == Post.id)
        .where(Post.id.in_(post_ids), Post.id != except_post_id)
        .order_by(Post.views.desc(), Post.id)
        .limit(limit)
    ).all()
    return [(post, status) for post, status in rows]


def real_posts_with_latest_score(
    session: Session, since: datetime, limit: int
) -> list[tuple[Post, Score]]:
    """The first `limit` non-drill posts received since `since`, each with its latest score."""
    latest = (
        select(Score.post_id, func.max(Score.created_at).label("at"))
        .join(Post, Post.id == Score.post_id)
        .where(Post.received_at >= since, Post.is_drill.is_(False))
        .group_by(Score.post_id)
        .subquery()
    )
    rows = session.execute(
        select(Post, Score)
        .join(latest, latest.c.post_id == Post.id)
        .join(Score, (Score.post_id == Post.id) & (Score.created_at == latest.c.at))
        .limit(limit)
    ).all()
    return [(post, score) for post, score in rows]


_Verdict = TypeVar("_Verdict", Decision, Score)


def with_posts(
    session: Session, verdict: type[_Verdict], since: datetime | None, *, include_drills: bool
) -> Iterator[tuple[_Verdict, Post]]:
    """Every decision (or score) with its post, oldest first (streamed in batches of 1000)."""
    query = select(verdict, Post).join(Post, Post.id == verdict.post_id)
    if not include_drills:
        query = query.where(Post.is_drill.is_(False))
    if since is not None:
        query = query.where(verdict.created_at >= since)
    rows = session.execute(query.order_by(verdict.created_at)).yield_per(1000)
    yield from rows


def posts_by_ids(session: Session, post_ids: Collection[str]) -> list[Post]:
    return list(session.scalars(select(Post).where(Post.id.in_(post_ids))))


def post_is_drill(session: Session, post_id: str) -> bool:
    return bool(session.scalar(select(Post.is_drill).where(Post.id == post_id)))


def scores_oldest_first(session: Session, post_ids: Collection[str]) -> list[Score]:
    """The posts' scores, oldest first (so the last one per post is its latest)."""
    return list(
        session.scalars(select(Score).where(Score.post_id.in_(post_ids)).order_by(Score.created_at))
    )


def unrouted_post_ids(
    session: Session, bands: Collection[str], updated_before: datetime, limit: int
) -> list[str]:
    """Scored posts without a case whose latest score's band (the triage band when measured)
    is in `bands`, last updated before `updated_before`."""
    latest = (
        select(Score.post_id, func.max(Score.created_at).label("at"))
        .group_by(Score.post_id)
        .subquery()
    )
    return list(
        session.scalars(
            select(Post.id)
            .join(latest, latest.c.post_id == Post.id)
            .join(Score, and_(Score.post_id == Post.id, Score.created_at == latest.c.at))
            .outerjoin(ReviewCase, ReviewCase.post_id == Post.id)
            .where(
                Post.status == PostStatus.SCORED,
                func.coalesce(Score.triage_band, Score.band).in_(bands),
                ReviewCase.id.is_(None),
                Post.updated_at < updated_before,
            )
            .limit(limit)
        )
    )


def post_events(session: Session, post_id: str) -> list[AuditEvent]:
    """The post's logged events in chain order."""
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.post_id == post_id).order_by(AuditEvent.seq)
        ).all()
    )


def claim_link(session: Session, claim_id: str, post_id: str) -> ClaimPost | None:
    """The link recording that the post repeats the claim, if there is one."""
    return session.scalars(
        select(ClaimPost).where(ClaimPost.claim_id == claim_id, ClaimPost.post_id == post_id)
    ).first()
