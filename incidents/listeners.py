"""Incidents react to the other domains: a published statement stops the incident's statement
clock (`statements.hooks`); a post in an incident's narrative opens its case under the incident
(`pipeline.hooks`)."""

from __future__ import annotations

from incidents.repository.narratives import narrative_incident
from incidents.sync import statement_published
from pipeline.hooks import incident_lookup
from statements.hooks import on_published

on_published(statement_published)
incident_lookup(narrative_incident)
