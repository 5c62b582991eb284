"""Incidents react to the other domains: a published statement stops the incident's statement
clock (`statements.hooks`); a post in an incident's narrative opens its case under the incident
(`pipeline.hooks`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.models import NarrativePost
from incidents.sync import statement_published
from pipeline.hooks import incident_lookup
from statements.hooks import on_published

on_published(statement_published)


@incident_lookup
def narrative_incident(session: Session, post_id: str) -> str | None:
    return session.scalar(
        select(NarrativePost.incident_id)
        .where(NarrativePost.post_id == post_id, NarrativePost.incident_id.is_not(None))
        .limit(1)
    )
