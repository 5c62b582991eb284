"""What the case page reads of incidents: an incident and the posts of its narrative."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from incidents.models import Incident, NarrativePost


def incident_by_id(session: Session, incident_id: str) -> Incident | None:
    return session.get(Incident, incident_id)


def narrative_post_ids(incident_id: str) -> Select[str]:
    """The ids of the incident's narrative posts, as a subquery to filter posts by."""
    return select(NarrativePost.post_id).where(NarrativePost.incident_id == incident_id)
