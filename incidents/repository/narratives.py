"""Queries on the narrative tables: the posts counted under a narrative key."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from incidents.models import NarrativePost


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
