"""Posts linked to the claims they repeat: a confirmed claim match at intake, or a reviewer
turning a decision into a library claim. Each link is logged.

Idempotent: the link is unique per claim and post, so a re-sent post is not linked twice. When a
statement about the claim is published, statements label the post (`statements.listeners`,
through `pipeline.hooks.on_claims_confirmed`), with the publisher's own idempotency key.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from audit.events import Action, Subject
from audit.service import record
from claims.models import Claim, ClaimPost, Origin
from claims.repository import claims_by_id
from claims.schemas import ClaimIn
from claims.service import add_claim, get_claim
from core.actors import Actor
from core.db import get_or_not_found
from core.messages import Msg
from pipeline import hooks
from pipeline.models import Decision, Post
from pipeline.repository.posts import claim_link

MATCHER = Actor.system("matcher")


def link_post(
    session: Session,
    claim_id: str,
    post_id: str,
    actor: Actor,
    *,
    similarity: float | None = None,
    decision_id: str | None = None,
) -> ClaimPost:
    """Record that a post repeats a claim (idempotent: an existing link is returned)."""
    get_claim(session, claim_id)
    get_or_not_found(session, Post, post_id, Msg("no post '{post_id}'", post_id=post_id))
    existing = claim_link(session, claim_id, post_id)
    if existing is not None:
        return existing
    link = ClaimPost(
        claim_id=claim_id,
        post_id=post_id,
        linked_by=actor.name,
        similarity=similarity,
        decision_id=decision_id,
    )
    session.add(link)
    session.flush()
    record(
        session,
        Action.CLAIM_POST_LINKED,
        actor,
        Subject(claim_id=claim_id, post_id=post_id),
        after={"similarity": similarity, "decision_id": decision_id},
    )
    return link


def add_claim_from_decision(
    session: Session, decision_id: str, claim_in: ClaimIn, actor: Actor
) -> tuple[Claim, ClaimPost]:
    """A reviewer turns what they just decided into a library claim, linked to the post."""
    decision = get_or_not_found(
        session, Decision, decision_id, Msg("no decision '{decision_id}'", decision_id=decision_id)
    )
    claim = add_claim(session, claim_in, actor, origin=Origin.REVIEWER)
    link = link_post(session, claim.id, decision.post_id, actor, decision_id=decision.id)
    return claim, link


class IntakeLinks:
    """Links for one intake request: the claims its confirmed matches name are read once (one
    query, held so `link_post` finds them in the identity map), and what listens to confirmed
    matches (statements' labels) is prepared once for them."""

    def __init__(self, session: Session, claim_ids: Iterable[str]) -> None:
        self._session = session
        ids = sorted(set(claim_ids))
        self._claims = claims_by_id(session, ids) if ids else []
        self._confirmed = hooks.claims_confirmed(session, ids)

    def link(self, claim_id: str, post: Post, similarity: float) -> None:
        link_post(self._session, claim_id, post.id, MATCHER, similarity=similarity)
        self._confirmed(claim_id, post)
