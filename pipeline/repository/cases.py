"""Review cases: one by id, the one a reviewer holds, the queue counted and listed, and the
reviewers' cooldowns on cases they put back."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, TextClause, and_, exists, func, select
from sqlalchemy.orm import Session

from audit.events import Action
from audit.models import AuditEvent
from core.clock import utcnow
from pipeline.models import CaseCooldown, CaseStage, CaseStatus, Post, ReviewCase


def case_by_id(session: Session, case_id: str) -> ReviewCase | None:
    return session.get(ReviewCase, case_id)


def cases_of_incident(session: Session, incident_id: str) -> list[ReviewCase]:
    """The cases tied to the incident directly (`review_cases.incident_id`), in no set order."""
    return list(session.scalars(select(ReviewCase).where(ReviewCase.incident_id == incident_id)))


def current_case_of(session: Session, username: str) -> ReviewCase | None:
    """The case this reviewer (a person) holds a live lease on (the highest priority one);
    never a drill case, which only a drill's own reviewers work."""
    return session.scalars(
        select(ReviewCase)
        .where(
            ReviewCase.claimed_by == username,
            ReviewCase.is_drill.is_(False),
            ReviewCase.status == CaseStatus.CLAIMED,
            ReviewCase.lease_expires_at > utcnow(),
        )
        .order_by(ReviewCase.priority.desc())
        .limit(1)
    ).first()


def cases_with_text(session: Session, case_ids: Collection[str]) -> list[tuple[ReviewCase, str]]:
    """The named cases that exist, each with its post's text (in no particular order)."""
    rows = session.execute(
        select(ReviewCase, Post.text)
        .join(Post, Post.id == ReviewCase.post_id)
        .where(ReviewCase.id.in_(case_ids))
    )
    return [(case, text) for case, text in rows]


def live_languages(session: Session) -> list[str]:
    """The languages of the cases not yet decided (waiting, escalated, held), drills aside."""
    langs = session.scalars(
        select(ReviewCase.lang)
        .where(
            ReviewCase.status != CaseStatus.DECIDED,
            ReviewCase.is_drill.is_(False),
            ReviewCase.lang.is_not(None),
        )
        .distinct()
        .order_by(ReviewCase.lang)
    )
    return [lang for lang in langs if lang]


def cases_per_band(
    session: Session,
    statuses: Collection[str],
    *,
    include_drills: bool = False,
    required_role: str | None = None,
) -> dict[str, int]:
    """How many cases in `statuses` (and, if given, needing `required_role`) each band holds."""
    where: list[ColumnElement[bool]] = [ReviewCase.status.in_(statuses)]
    if not include_drills:
        where.append(ReviewCase.is_drill.is_(False))
    if required_role is not None:
        where.append(ReviewCase.required_role == required_role)
    rows = session.execute(
        select(ReviewCase.band, func.count()).where(*where).group_by(ReviewCase.band)
    ).all()
    return {str(band): int(count) for band, count in rows}


def count_real_cases(session: Session, statuses: Collection[str]) -> int:
    live = [ReviewCase.status.in_(statuses), ReviewCase.is_drill.is_(False)]
    return int(session.scalar(select(func.count()).select_from(ReviewCase).where(*live)) or 0)


def real_cases_with_post(
    session: Session, statuses: Collection[str], limit: int
) -> list[tuple[ReviewCase, str, int]]:
    """The first `limit` non-drill cases in `statuses` by priority, then age, with the post's
    text and views."""
    live = [ReviewCase.status.in_(statuses), ReviewCase.is_drill.is_(False)]
    rows = session.execute(
        select(ReviewCase, Post.text, Post.views)
        .join(Post, Post.id == ReviewCase.post_id)
        .where(*live)
        .order_by(ReviewCase.priority.desc(), ReviewCase.created_at)
        .limit(limit)
    ).all()
    return [(case, text, views) for case, text, views in rows]


def oldest_real_case_at(session: Session, statuses: Collection[str]) -> datetime | None:
    return session.scalar(
        select(func.min(ReviewCase.created_at)).where(
            ReviewCase.status.in_(statuses), ReviewCase.is_drill.is_(False)
        )
    )


def holders_of_claimed_cases(session: Session) -> list[str | None]:
    """Who holds each claimed non-drill case (one entry per case)."""
    return list(
        session.scalars(
            select(ReviewCase.claimed_by).where(
                ReviewCase.status == CaseStatus.CLAIMED, ReviewCase.is_drill.is_(False)
            )
        )
    )


def open_case_of_post(
    session: Session, post_id: str, *, for_update: bool = False
) -> ReviewCase | None:
    """The post's case still in review, if any (a pending QA sample does not count);
    `for_update` locks it, so a claim being made commits first and is seen."""
    query = select(ReviewCase).where(
        ReviewCase.post_id == post_id,
        ReviewCase.status != CaseStatus.DECIDED,
        ReviewCase.stage != CaseStage.QA,
    )
    if for_update:  # and read as committed, not as this session last saw it
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).first()


def routed_case_of_post(session: Session, post_id: str) -> ReviewCase | None:
    """The case routing opened for the post, waiting or decided, if any: its first case that is
    not a QA sample or an appeal (`pipeline.qa` and `pipeline.appeals` open those for a post
    already decided; routing never opens one, and opens only one case per post)."""
    return session.scalars(
        select(ReviewCase)
        .where(
            ReviewCase.post_id == post_id,
            ReviewCase.stage.not_in((CaseStage.QA, CaseStage.APPEAL)),
        )
        .order_by(ReviewCase.created_at)
        .limit(1)
    ).first()


def posts_with_undecided_case(session: Session, post_ids: Collection[str]) -> set[str]:
    return set(
        session.scalars(
            select(ReviewCase.post_id)
            .where(ReviewCase.post_id.in_(post_ids), ReviewCase.status != "decided")
            .distinct()
        )
    )


def post_has_case(session: Session, post_id: str) -> bool:
    found = session.scalar(select(ReviewCase.id).where(ReviewCase.post_id == post_id).limit(1))
    return found is not None


def lock_expired_leases(session: Session, now: datetime, limit: int) -> Sequence[ReviewCase]:
    """Up to `limit` claimed cases whose lease ran out, locked (rows another transaction holds
    are skipped)."""
    return session.scalars(
        select(ReviewCase)
        .where(ReviewCase.status == CaseStatus.CLAIMED, ReviewCase.lease_expires_at < now)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def lock_next_case(
    session: Session, conditions: Sequence[ColumnElement[bool] | TextClause]
) -> ReviewCase | None:
    """The highest-priority, then oldest, case meeting all `conditions`, locked; rows another
    transaction holds are skipped, so concurrent claims never get the same case."""
    return session.scalars(
        select(ReviewCase)
        .where(and_(*conditions))
        .order_by(ReviewCase.priority.desc(), ReviewCase.created_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()


def lock_undecided_drill_cases(session: Session, post_ids: Collection[str]) -> Sequence[ReviewCase]:
    """The undecided drill cases of these posts (waiting or held), locked; never a real case."""
    return session.scalars(
        select(ReviewCase)
        .where(
            ReviewCase.post_id.in_(post_ids),
            ReviewCase.is_drill.is_(True),
            ReviewCase.status != CaseStatus.DECIDED,
        )
        .with_for_update()
    ).all()


def lease_extensions_used(session: Session, case_id: str, actor_name: str) -> int:
    """How often `actor_name` extended the lease on the case since it was last claimed or
    reassigned."""
    since = session.scalar(
        select(func.max(AuditEvent.timestamp)).where(
            AuditEvent.case_id == case_id,
            AuditEvent.action.in_([Action.CASE_CLAIMED.value, Action.CASE_REASSIGNED.value]),
        )
    )
    used = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.case_id == case_id,
            AuditEvent.action == Action.CASE_LEASE_EXTENDED.value,
            AuditEvent.actor_name == actor_name,
            *([AuditEvent.timestamp >= since] if since is not None else []),
        )
    )
    return int(used or 0)


def cooling_down(actor_name: str, now: datetime) -> ColumnElement[bool]:
    """A WHERE condition on ReviewCase: `actor_name` put the case back and its cooldown runs."""
    return exists().where(
        CaseCooldown.case_id == ReviewCase.id,
        CaseCooldown.username == actor_name,
        CaseCooldown.ends_at > now,
    )


def start_cooldown(session: Session, case_id: str, actor_name: str, ends_at: datetime) -> None:
    """`actor_name` is not offered the case until `ends_at`, or later where a cooldown of
    theirs already runs longer (a release never shortens a skip)."""
    row = session.get(CaseCooldown, (case_id, actor_name))
    if row is None:
        session.add(CaseCooldown(case_id=case_id, username=actor_name, ends_at=ends_at))
    else:
        row.ends_at = max(row.ends_at, ends_at)
