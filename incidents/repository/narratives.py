"""Queries on the narrative tables: the posts counted under a narrative key."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from incidents.models import NarrativePost, PostShingleBand


def narrative_post_ids(incident_id: str) -> Select[str]:
    """The ids of the incident's narrative posts, as a subquery to filter posts by."""
    return select(NarrativePost.post_id).where(NarrativePost.incident_id == incident_id)


def narrative_incident(session: Session, post_id: str) -> str | None:
    """The incident a post's narrative is filed under, if any."""
    return session.scalar(
        select(NarrativePost.incident_id)
        .where(NarrativePost.post_id == post_id, NarrativePost.incident_id.is_not(None))
        .limit(1)
    )


def narrative_member(session: Session, key: str, post_id: str) -> NarrativePost | None:
    """The post's row under the narrative key, if it was counted there."""
    return session.scalars(
        select(NarrativePost).where(NarrativePost.key == key, NarrativePost.post_id == post_id)
    ).first()


def counted_under(session: Session, key: str, post_id: str) -> bool:
    """Whether the post was counted under the narrative key."""
    found = session.scalars(
        select(NarrativePost.id).where(NarrativePost.key == key, NarrativePost.post_id == post_id)
    ).first()
    return found is not None


def members_since(
    session: Session, key: str, is_drill: bool, since: datetime
) -> list[NarrativePost]:
    """The narrative's posts observed from `since` on, oldest first."""
    return list(
        session.scalars(
            select(NarrativePost)
            .where(
                NarrativePost.key == key,
                NarrativePost.is_drill.is_(is_drill),
                NarrativePost.observed_at >= since,
            )
            .order_by(NarrativePost.observed_at)
        ).all()
    )


def members_of_incident(session: Session, incident_id: str) -> list[NarrativePost]:
    """The incident's narrative posts, in no set order."""
    return list(
        session.scalars(select(NarrativePost).where(NarrativePost.incident_id == incident_id))
    )


def members_in_order(session: Session, incident_id: str) -> list[NarrativePost]:
    """The incident's narrative posts, oldest observed first."""
    return list(
        session.scalars(
            select(NarrativePost)
            .where(NarrativePost.incident_id == incident_id)
            .order_by(NarrativePost.observed_at)
        )
    )


def earlier_duplicate(
    session: Session, bands: list[str], now: datetime, window: timedelta
) -> str | None:
    """The key of the oldest post inside the window sharing one of the near-duplicate bands."""
    if not bands:
        return None
    return session.scalars(
        select(PostShingleBand.key)
        .where(PostShingleBand.band.in_(bands), PostShingleBand.observed_at >= now - window)
        .order_by(PostShingleBand.observed_at)
        .limit(1)
    ).first()
