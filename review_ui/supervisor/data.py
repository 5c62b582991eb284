"""What the supervise page and the dashboards show about the queue and the people working it:
readable open cases with who may take each, per-reviewer figures and the oldest item's age."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from accounts.models import User
from accounts.repository import active_users_in_roles
from audit.repository import escalations_per_actor
from core.clock import as_utc, utcnow
from pipeline import qa
from pipeline.models import UNDECIDED_STATUSES, CaseStage, ReviewCase
from pipeline.repository.cases import (
    count_real_cases,
    holders_of_claimed_cases,
    oldest_real_case_at,
    real_cases_with_post,
)
from pipeline.repository.decisions import human_decisions_per_reviewer
from review_ui.roles import REVIEWERS

CASE_WORKER_ROLES = (*(r.value for r in REVIEWERS), "legal")
GENERAL = {r.value for r in REVIEWERS}
EXCERPT = 110


@dataclass(frozen=True)
class OpenCase:
    case: ReviewCase
    excerpt: str
    views: int
    eligible: list[User]


@dataclass(frozen=True)
class ReviewerFigures:
    """One reviewer's row on the supervisor page: cases held now, decisions of the last 24 h
    (removals and escalations among them), and their QA agreement."""

    username: str
    role: str
    holding: int = 0
    decided_24h: int = 0
    removals_24h: int = 0
    escalated_24h: int = 0
    by_action: dict[str, int] = field(default_factory=dict)
    qa_percent: float | None = None
    qa_reviewed: int = 0


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


def workers(session: Session) -> list[User]:
    return active_users_in_roles(session, CASE_WORKER_ROLES)


def eligible_for(case: ReviewCase, people: list[User]) -> list[User]:
    """Who may hold this case: its required role (else any reviewer), never the first reviewer
    of a blind review."""
    roles = {case.required_role} if case.required_role else GENERAL
    blind = case.stage in (CaseStage.SECOND, CaseStage.QA)
    return [
        u for u in people if u.role in roles and not (blind and u.username == case.first_reviewer)
    ]


def open_cases(session: Session, limit: int) -> tuple[list[OpenCase], int]:
    total = count_real_cases(session, UNDECIDED_STATUSES)
    rows = real_cases_with_post(session, UNDECIDED_STATUSES, limit)
    people = workers(session)
    return [
        OpenCase(case, _excerpt(text), views, eligible_for(case, people))
        for case, text, views in rows
    ], total


def oldest_age(session: Session, now: datetime | None = None) -> timedelta | None:
    oldest = oldest_real_case_at(session, UNDECIDED_STATUSES)
    return None if oldest is None else (now or utcnow()) - as_utc(oldest)


def age_text(age: timedelta | None) -> str:
    if age is None:
        return "—"
    minutes = int(age.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours < 48 else f"{hours // 24} days"


def reviewer_figures(session: Session, now: datetime | None = None) -> list[ReviewerFigures]:
    since = (now or utcnow()) - timedelta(hours=24)
    holding = Counter(holders_of_claimed_cases(session))
    decided: dict[str, Counter[str]] = {}
    for who, action, count in human_decisions_per_reviewer(session, since):
        decided.setdefault(who, Counter())[action] = count
    escalated = escalations_per_actor(session, since)
    _, agreement = qa.agreement(session)
    out = []
    for user in workers(session):
        mine = decided.get(user.username, Counter())
        agreed = agreement.get(user.username)
        out.append(
            ReviewerFigures(
                user.username,
                user.role,
                holding.get(user.username, 0),
                sum(mine.values()),
                mine.get("remove", 0),
                int(escalated.get(user.username, 0)),
                dict(mine),
                agreed.percent if agreed else None,
                agreed.reviewed if agreed else 0,
            )
        )
    return out
