"""Statements react to the pipeline (`pipeline.hooks`): a final removal of a false claim opens a
counter-statement draft for PR; a post that repeats a claim a published statement answers is
labelled with it."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.orm import Session

from core.actors import Actor
from pipeline.hooks import PerLink, on_claims_confirmed, on_decided
from pipeline.models import CaseStage, Decision, Post, ReviewCase
from statements import repository
from statements.drafts import open_draft_for_decision
from statements.models import Statement
from statements.publishers import LabelPublisher


@on_decided
def draft_after_removal(session: Session, decision: Decision, post: Post) -> None:
    case = session.get(ReviewCase, decision.case_id)
    if case is None or case.stage == CaseStage.APPEAL:  # an appeal's outcome is not a new claim
        return
    open_draft_for_decision(
        session,
        case_id=case.id,
        claim_id=decision.claim_id,
        action=decision.action,
        reason_code=decision.reason_code,
        is_drill=post.is_drill,
    )


MATCHER = Actor.system("matcher")


@on_claims_confirmed
def label_from_published(session: Session, claim_ids: Collection[str]) -> PerLink:
    """A post that repeats a claim answered by a published statement gets that statement's label
    through the enforcement path; the newest statement per claim is read once per request."""
    newest: dict[str, Statement] = {}
    if claim_ids:
        for statement in repository.published_for_claims_newest_first(session, claim_ids):
            if statement.claim_id is not None:
                newest.setdefault(statement.claim_id, statement)

    def label(claim_id: str, post: Post) -> None:
        statement = newest.get(claim_id)
        if statement is not None:
            LabelPublisher.label_post(session, statement, post.id, MATCHER)

    return label
