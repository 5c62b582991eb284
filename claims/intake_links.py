"""What a confirmed claim match at intake does: link the post to the claim and, when a statement
about the claim is published, label the post through the enforcement path.

Both are idempotent: the link is unique per claim and post (`service.link_post`), and the label
carries the statement publisher's own idempotency key (`LabelPublisher.label_post`), so
neither a re-sent post nor a later re-publication labels the post twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Actor
from claims.models import Claim
from claims.service import link_post
from pipeline.models import Post

if TYPE_CHECKING:
    from statements.models import Statement

MATCHER = Actor.system("matcher")


def link_and_label(session: Session, claim_id: str, post: Post, similarity: float) -> None:
    IntakeLinks(session, [claim_id]).link_and_label(claim_id, post, similarity)


class IntakeLinks:
    """`link_and_label` for one intake request: the claims its confirmed matches name, and
    their newest published statements, are read once (two queries) instead of per post."""

    def __init__(self, session: Session, claim_ids: Iterable[str]) -> None:
        from statements.models import Statement, StatementStatus

        self._session = session
        ids = sorted(set(claim_ids))
        self._claims: list[Claim] = []
        self._newest: dict[str, Statement] = {}
        if not ids:
            return
        # held here, so link_post finds them in the session's identity map (weakly referenced)
        self._claims = list(session.scalars(select(Claim).where(Claim.id.in_(ids))))
        published = session.scalars(
            select(Statement)
            .where(Statement.claim_id.in_(ids), Statement.status == StatementStatus.PUBLISHED)
            .order_by(Statement.published_at.desc())
        )
        for statement in published:
            if statement.claim_id is not None:
                self._newest.setdefault(statement.claim_id, statement)

    def link_and_label(self, claim_id: str, post: Post, similarity: float) -> None:
        from statements.publishers import LabelPublisher

        link_post(self._session, claim_id, post.id, MATCHER, similarity=similarity)
        newest = self._newest.get(claim_id)
        if newest is not None:
            LabelPublisher.label_post(self._session, newest, post.id, MATCHER)
