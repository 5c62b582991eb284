"""Migration 0604 up, down and up on SQLite and PostgreSQL; the frozen report (bytes), an
attachment and the narrative centroids round-trip on both."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from alembic import command
from fastapi.testclient import TestClient

from audit.tasks import ship_outbox
from core.actors import Actor, ActorType
from core.clock import utcnow
from core.db import transaction
from core.migrate import alembic_config, upgrade
from incidents import attachments
from incidents.narrative_store import load_open, save
from incidents.narratives import Centroids
from incidents.report_review import review_report
from incidents.repository.materials import latest_review
from incidents.service import close_incident
from runtime.container import Runtime
from runtime.web import create_app
from tests.conftest import ADMIN, auth, es_runtime, new_user_token
from tests.core.backends import BACKENDS, runtime_on, table_names
from tests.incidents.conftest import open_incident

TABLES = {
    "incident_report_reviews",
    "incident_attachments",
    "incident_attachment_links",
    "incident_policies",
    "narrative_centroids",
}
LEAD = Actor(name="lead-bo", type=ActorType.HUMAN, roles=("leadership",))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    yield from runtime_on(request, tmp_path)


def test_migration_0604_goes_up_down_and_up_again(empty_url: str) -> None:
    upgrade(empty_url)
    assert table_names(empty_url) >= TABLES
    command.downgrade(alembic_config(empty_url), "0603_incident_types")
    assert not TABLES & table_names(empty_url)
    upgrade(empty_url)
    assert table_names(empty_url) >= TABLES


def test_signed_report_attachment_and_centroids_round_trip(backend: Runtime) -> None:
    incident_id = open_incident(backend)
    with transaction(backend.sessions) as session:
        close_incident(session, incident_id, ADMIN, "contained")
    with transaction(backend.sessions) as session:
        made = review_report(session, incident_id, LEAD, approve=True, comment="ok")
        pdf_sha = made.pdf_sha256
        attachment = attachments.upload(
            session,
            b"%PDF-1.4 guide",
            filename="guide.pdf",
            content_type="application/pdf",
            title="Guide",
            kind="legal_guide",
            actor=ADMIN,
            incident_id=incident_id,
        )
        attachment_id = attachment.id
        centroids = Centroids(4)
        centroids.add("nar:x", np.array([1, 0, 0, 0], dtype=np.float32))
        save(session, centroids, {"nar:x"}, False, utcnow())
    with backend.sessions() as session:
        review = latest_review(session, incident_id)
        assert review is not None and review.pdf is not None
        assert hashlib.sha256(review.pdf).hexdigest() == pdf_sha
        assert attachments.get_attachment(session, attachment_id).data == b"%PDF-1.4 guide"
        loaded = load_open(session, False, utcnow(), timedelta(hours=1), 4)
        assert loaded.keys == ["nar:x"] and loaded.nearest(np.array([1, 0, 0, 0], np.float32))


@pytest.fixture
def es_rt(sqlite_url: str, elasticsearch_url: str, es_prefix: str) -> Iterator[Runtime]:
    yield from es_runtime(sqlite_url, elasticsearch_url, es_prefix)


@pytest.mark.services
def test_the_bundle_holds_events_not_yet_shipped_to_elasticsearch(es_rt: Runtime) -> None:
    incident_id = open_incident(es_rt)
    shipped = ship_outbox(es_rt)
    assert shipped is not None and shipped.error is None
    with transaction(es_rt.sessions) as session:
        close_incident(session, incident_id, ADMIN, "contained")
        review_report(session, incident_id, LEAD, approve=True, comment="ok")
    with TestClient(create_app(es_rt)) as client:
        exported = client.get(
            f"/v1/incidents/{incident_id}/export", headers=auth(new_user_token(es_rt, "legal"))
        )
    assert exported.status_code == 200, exported.text
    lines = zipfile.ZipFile(io.BytesIO(exported.content)).read("actions.ndjson").splitlines()
    actions = [json.loads(line)["event"]["action"] for line in lines]
    assert "incident.opened" in actions and "incident.report_signed_off" in actions
