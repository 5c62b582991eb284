"""The pipeline's SQL: what its services, the API and the review UI ask of its tables.

Submodules: `cases` (the queue, claiming and leases, one case), `posts` (posts, their scores
and history), `decisions` (with their enforcement and QA), `actions` (enforcement actions),
`policies` (stored routing policies), `figures` (the dashboards' counts) and `console` (a
reviewer's note drafts and wellness settings)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.models import Score


def latest_score(session: Session, post_id: str) -> Score | None:
    """The post's newest score (a re-sent post is scored again; routing reads the newest)."""
    return session.scalars(
        select(Score).where(Score.post_id == post_id).order_by(Score.created_at.desc()).limit(1)
    ).first()
