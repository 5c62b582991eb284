"""Posts as the case page shows them: the post itself, its author's record, related posts."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from pipeline.models import Decision, Post, ReviewCase


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
