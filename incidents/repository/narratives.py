"""Queries on the narrative tables: the posts counted under a narrative key.

A drill is a tenant of its own: every lookup or move by narrative key is limited to one tenant
(`is_drill`), so a real post never joins a drill narrative nor the other way round. The
near-duplicate bands carry no flag of their own; they take their post's (`_of_tenant`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, delete, exists, select, update
from sqlalchemy.orm import Session

from incidents.models import NarrativeCentroid, NarrativePost, PostShingleBand
from pipeline.models import Post


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


def _under(key: str, is_drill: bool) -> ColumnElement[bool]:
    """The tenant's posts counted under the narrative key."""
    return and_(NarrativePost.key == key, NarrativePost.is_drill.is_(is_drill))


def members_since(
    session: Session, key: str, is_drill: bool, since: datetime
) -> list[NarrativePost]:
    """The narrative's posts observed from `since` on, oldest first."""
    return list(
        session.scalars(
            select(NarrativePost)
            .where(_under(key, is_drill), NarrativePost.observed_at >= since)
            .order_by(NarrativePost.observed_at)
        )
    )


def _of_incident(incident_id: str) -> Select[NarrativePost]:
    return select(NarrativePost).where(NarrativePost.incident_id == incident_id)


def members_of_incident(session: Session, incident_id: str) -> list[NarrativePost]:
    """The incident's narrative posts, in no set order."""
    return list(session.scalars(_of_incident(incident_id)))


def members_in_order(session: Session, incident_id: str) -> list[NarrativePost]:
    """The incident's narrative posts, oldest observed first."""
    return list(session.scalars(_of_incident(incident_id).order_by(NarrativePost.observed_at)))


def _of_tenant(is_drill: bool) -> ColumnElement[bool]:
    """The band belongs to a post of the tenant (looked up by the post's primary key)."""
    return exists().where(Post.id == PostShingleBand.post_id, Post.is_drill.is_(is_drill))


def earlier_duplicate(
    session: Session, bands: list[str], is_drill: bool, now: datetime, window: timedelta
) -> str | None:
    """The key of the tenant's oldest post inside the window sharing one of the
    near-duplicate bands."""
    if not bands:
        return None
    return session.scalars(
        select(PostShingleBand.key)
        .where(
            PostShingleBand.band.in_(bands),
            PostShingleBand.observed_at >= now - window,
            _of_tenant(is_drill),
        )
        .order_by(PostShingleBand.observed_at)
        .limit(1)
    ).first()


def open_centroid_rows(
    session: Session, is_drill: bool, since: datetime, limit: int
) -> list[NarrativeCentroid]:
    """Centroids of narratives seen from `since` on, most recently seen first."""
    query = (
        select(NarrativeCentroid)
        .where(NarrativeCentroid.is_drill.is_(is_drill), NarrativeCentroid.last_seen_at >= since)
        .order_by(NarrativeCentroid.last_seen_at.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def rekey(session: Session, winner: str, loser: str, is_drill: bool) -> None:
    """Move a merged narrative's posts, near-duplicate bands and centroid under `winner`, the
    tenant's only. Posts already linked to an incident stay where they are."""
    already = select(NarrativePost.post_id).where(NarrativePost.key == winner)
    session.execute(
        update(NarrativePost)
        .where(
            _under(loser, is_drill),
            NarrativePost.incident_id.is_(None),
            NarrativePost.post_id.not_in(already),
        )
        .values(key=winner)
    )
    session.execute(
        update(PostShingleBand)
        .where(PostShingleBand.key == loser, _of_tenant(is_drill))
        .values(key=winner)
    )
    session.execute(
        delete(NarrativeCentroid).where(
            NarrativeCentroid.key == loser, NarrativeCentroid.is_drill.is_(is_drill)
        )
    )
