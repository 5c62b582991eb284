"""What a confirmed claim match at intake does: link the post to the claim and, when a statement
about the claim is published, label the post through the enforcement path.

Both are idempotent: the link is unique per claim and post (`service.link_post`), and the label
carries the statement publisher's own idempotency key (`LabelPublisher.label_post`), so
neither a re-sent post nor a later re-publication labels the post twice.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Actor
from claims.service import link_post
from pipeline.models import Post

MATCHER = Actor.system("matcher")


def link_and_label(session: Session, claim_id: str, post: Post, similarity: float) -> None:
    from statements.models import Statement, StatementStatus
    from statements.publishers import LabelPublisher

    link_post(session, claim_id, post.id, MATCHER, similarity=similarity)
    newest = session.scalars(
        select(Statement)
        .where(Statement.claim_id == claim_id, Statement.status == StatementStatus.PUBLISHED)
        .order_by(Statement.published_at.desc())
        .limit(1)
    ).first()
    if newest is not None:
        LabelPublisher.label_post(session, newest, post.id, MATCHER)
