"""Everything a reviewer sees about one case, gathered from the pipeline's tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import Conflict, NotFound
from pipeline.models import CaseStatus, Post, ReviewCase, Score
from pipeline.repository import latest_score
from pipeline.repository.cases import case_by_id
from pipeline.repository.posts import actions_on_author, count_author_posts, post_by_id
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
    case = case_by_id(session, case_id)
    if case is None:
        raise NotFound(f"case {case_id} does not exist")
    if case.status == CaseStatus.DECIDED:
        raise Conflict("this case is already decided", code="case_decided")
    live = case.lease_expires_at is not None and case.lease_expires_at > utcnow()
    if case.claimed_by != username or case.status != CaseStatus.CLAIMED or not live:
        raise Conflict("you no longer hold this case", code="lease_not_held")
    return case


def build_case_view(session: Session, case: ReviewCase) -> CaseView:
    post = post_by_id(session, case.post_id)
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
    return AuthorContext(
        post.author_id,
        post.author_followers,
        count_author_posts(session, post.author_id),
        actions_on_author(session, post.author_id, post.id),
    )
