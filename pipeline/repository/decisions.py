"""Decisions as reviewers and supervisors read them: one with its enforcement, the recent
ones with what became of each, and counts per reviewer and action."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import case as when
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.console_models import QaReview
from pipeline.models import Decision, EnforcementAction, Post, ReviewCase


def decision_by_id(session: Session, decision_id: str) -> Decision | None:
    return session.get(Decision, decision_id)


def enforcement_of(session: Session, decision_id: str) -> EnforcementAction | None:
    """The decision's enforcement action (the first found), if it has one."""
    return session.scalars(
        select(EnforcementAction).where(EnforcementAction.decision_id == decision_id)
    ).first()


def recent_human_decisions(
    session: Session, limit: int, decided_by: str = ""
) -> list[tuple[Decision, str, str | None]]:
    """The newest human decisions on real posts (only `decided_by`'s when given), each with its
    post's text and its case's status."""
    query = (
        select(Decision, Post.text, ReviewCase.status)
        .join(Post, Post.id == Decision.post_id)
        .outerjoin(ReviewCase, ReviewCase.id == Decision.case_id)
        .where(Decision.decider_type == "human", Post.is_drill.is_(False))
        .order_by(Decision.created_at.desc(), Decision.id.desc())
        .limit(limit)
    )
    if decided_by:
        query = query.where(Decision.decided_by == decided_by)
    return [(d, text, status) for d, text, status in session.execute(query).all()]


def latest_human_decision_ids(session: Session, post_ids: Collection[str]) -> dict[str, str]:
    """Each post's latest human decision id."""
    latest: dict[str, str] = {}
    for post_id, decision_id in session.execute(
        select(Decision.post_id, Decision.id)
        .where(Decision.post_id.in_(post_ids))
        .where(Decision.decider_type == "human")
        .order_by(Decision.created_at, Decision.id)
    ):
        latest[post_id] = decision_id  # the last one wins
    return latest


def enforcement_of_decisions(
    session: Session, decision_ids: Collection[str]
) -> list[EnforcementAction]:
    return list(
        session.scalars(
            select(EnforcementAction).where(EnforcementAction.decision_id.in_(decision_ids))
        )
    )


def undone_action_ids(session: Session, action_ids: Collection[str]) -> set[str | None]:
    """Those of `action_ids` that a later action undoes."""
    return set(
        session.scalars(
            select(EnforcementAction.undoes_id).where(EnforcementAction.undoes_id.in_(action_ids))
        )
    )


def qa_reviews_of(session: Session, decision_ids: Collection[str]) -> dict[str, QaReview]:
    """The QA review of each decision that has one, by the decision's id."""
    return {
        q.original_decision_id: q
        for q in session.scalars(
            select(QaReview).where(QaReview.original_decision_id.in_(decision_ids))
        )
    }


def human_decisions_per_action(
    session: Session, decided_by: str, since: datetime
) -> dict[str, int]:
    """How many human decisions of each action `decided_by` made since `since`."""
    return {
        str(action): int(count)
        for action, count in session.execute(
            select(Decision.action, func.count())
            .where(
                Decision.decided_by == decided_by,
                Decision.decider_type == "human",
                Decision.created_at >= since,
            )
            .group_by(Decision.action)
        )
    }


def human_decisions_per_reviewer(session: Session, since: datetime) -> list[tuple[str, str, int]]:
    """(reviewer, action, count) of the human decisions on real posts since `since`."""
    return [
        (who, action, int(count))
        for who, action, count in session.execute(
            select(Decision.decided_by, Decision.action, func.count())
            .join(Post, Post.id == Decision.post_id)
            .where(
                Decision.created_at >= since,
                Decision.decider_type == "human",
                Post.is_drill.is_(False),
            )
            .group_by(Decision.decided_by, Decision.action)
        )
    ]


def posts_decided_for_claim(session: Session, claim_id: str, actions: Collection[str]) -> list[str]:
    """The posts with a decision of one of `actions` for the claim (each once)."""
    return list(
        session.scalars(
            select(Decision.post_id)
            .where(Decision.claim_id == claim_id, Decision.action.in_(actions))
            .distinct()
        )
    )


def latest_human_decision(session: Session, post_id: str) -> Decision | None:
    return session.scalars(
        select(Decision)
        .where(Decision.post_id == post_id, Decision.decider_type == "human")
        .order_by(Decision.created_at.desc(), Decision.id.desc())
        .limit(1)
    ).first()


def latest_decision_on_case_by(
    session: Session, case_id: str, decided_by: str | None
) -> Decision | None:
    return session.scalars(
        select(Decision)
        .where(Decision.case_id == case_id, Decision.decided_by == decided_by)
        .order_by(Decision.created_at.desc())
        .limit(1)
    ).first()


def latest_decision_on_post_by(
    session: Session, post_id: str, decided_by: str | None, until: datetime
) -> Decision | None:
    """`decided_by`'s newest decision on the post made at or before `until`."""
    return session.scalars(
        select(Decision)
        .where(Decision.post_id == post_id, Decision.decided_by == decided_by)
        .where(Decision.created_at <= until)
        .order_by(Decision.created_at.desc())
        .limit(1)
    ).first()


def decided_on_other_case(session: Session, post_id: str, case_id: str, decided_by: str) -> bool:
    """Whether `decided_by` decided the post on a case other than `case_id`."""
    found = session.scalars(
        select(Decision.id)
        .where(
            Decision.post_id == post_id,
            Decision.case_id != case_id,
            Decision.decided_by == decided_by,
        )
        .limit(1)
    ).first()
    return found is not None


def qa_agreement_per_reviewer(session: Session) -> list[tuple[str, int, int]]:
    """(original reviewer, QA reviews, of which agreeing) over every QA review."""
    rows = session.execute(
        select(
            QaReview.original_reviewer,
            func.count(),
            func.sum(when((QaReview.agrees.is_(True), 1), else_=0)),
        ).group_by(QaReview.original_reviewer)
    ).all()
    return [(str(who), int(n), int(agreed or 0)) for who, n, agreed in rows]
