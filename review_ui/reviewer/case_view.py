"""Everything a reviewer sees about one case, gathered from the pipeline's tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import Conflict, NotFound
from pipeline.models import CaseStatus, Decision, Post, ReviewCase, Score
from pipeline.repository import latest_score
from review_ui.reviewer.highlight import Run, is_media_url, is_sensitive_text, reason_runs


@dataclass(frozen=True)
class AuthorContext:
    author_id: str | None
    followers: int
    posts_seen: int
    prior_actions: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseView:
    case: ReviewCase
    post: Post
    score: Score | None
    runs: list[Run]
    reasons: list[dict[str, object]]
    sensitive: bool
    media_url: str | None
    author: AuthorContext
    due_at: datetime
    lease_expires_at: datetime | None


def held_by(session: Session, case_id: str, username: str) -> ReviewCase:
    """The case, if this reviewer holds a live lease on it (read-only twin of queue.held_case)."""
    case = session.get(ReviewCase, case_id)
    if case is None:
        raise NotFound(f"case {case_id} does not exist")
    if case.status == CaseStatus.DECIDED:
        raise Conflict("this case is already decided", code="case_decided")
    live = case.lease_expires_at is not None and case.lease_expires_at > utcnow()
    if case.claimed_by != username or case.status != CaseStatus.CLAIMED or not live:
        raise Conflict("you no longer hold this case", code="lease_not_held")
    return case


def current_case_of(session: Session, username: str) -> ReviewCase | None:
    return session.scalars(
        select(ReviewCase)
        .where(
            ReviewCase.claimed_by == username,
            ReviewCase.status == CaseStatus.CLAIMED,
            ReviewCase.lease_expires_at > utcnow(),
        )
        .order_by(ReviewCase.priority.desc())
        .limit(1)
    ).first()


def build_case_view(session: Session, case: ReviewCase) -> CaseView:
    post = session.get(Post, case.post_id)
    if post is None:
        raise NotFound(f"the post of case {case.id} is gone")
    score = latest_score(session, post.id)
    reasons = sorted(
        list(score.reasons) if score else [],
        key=lambda r: -abs(float(r.get("weight", 0) or 0)),  # type: ignore[arg-type]
    )
    return CaseView(
        case=case,
        post=post,
        score=score,
        runs=reason_runs(post.text, reasons),
        reasons=reasons,
        # Media is blurred by the reviewer's wellness settings (case_page), not through here.
        sensitive=is_sensitive_text(post.text),
        media_url=post.url if is_media_url(post.url) else None,
        author=author_context(session, post),
        due_at=case.due_at,
        lease_expires_at=case.lease_expires_at,
    )


def author_context(session: Session, post: Post) -> AuthorContext:
    if not post.author_id:
        return AuthorContext(None, post.author_followers, 0)
    posts_seen = session.scalar(
        select(func.count()).select_from(Post).where(Post.author_id == post.author_id)
    )
    rows = session.execute(
        select(Decision.action, func.count())
        .join(Post, Post.id == Decision.post_id)
        .where(Post.author_id == post.author_id, Post.id != post.id)
        .group_by(Decision.action)
    ).all()
    return AuthorContext(
        post.author_id,
        post.author_followers,
        int(posts_seen or 0),
        {str(action): int(count) for action, count in rows},
    )
