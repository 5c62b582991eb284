"""Plan materials (attachments), the plan's history, and its thresholds read from and written
through the incident policy store, so the plan and the running rules cannot disagree."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from audit.events import Action
from audit.models import AuditEvent
from core.db import transaction
from incidents.attachments import MAX_BYTES
from incidents.detection import scan
from incidents.models import Incident
from runtime.container import Runtime
from tests.conftest import auth, new_user_token
from tests.incidents.conftest import edit_plan, open_incident
from tests.incidents.factories import add_wave

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


def test_an_attachment_is_stored_with_its_hash_and_linked_to_incidents(
    rt: Runtime, client: TestClient
) -> None:
    incident_id = open_incident(rt)
    legal = auth(new_user_token(rt, "legal"))
    made = client.post(
        "/v1/attachments",
        params={"filename": "takedown-guide.pdf", "kind": "legal_guide", "title": "Takedown guide"},
        content=PDF,
        headers={**legal, "content-type": "application/pdf"},
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest() and body["size"] == len(PDF)
    linked = client.post(
        f"/v1/incidents/{incident_id}/attachments",
        json={"attachment_id": body["id"]},
        headers=legal,
    )
    again = client.post(
        f"/v1/incidents/{incident_id}/attachments",
        json={"attachment_id": body["id"]},
        headers=legal,
    )
    assert [a["id"] for a in linked.json()["attachments"]] == [body["id"]]
    assert [a["id"] for a in again.json()["attachments"]] == [body["id"]]  # idempotent
    reviewer = auth(new_user_token(rt, "reviewer"))
    listed = client.get(f"/v1/incidents/{incident_id}/attachments", headers=reviewer)
    assert [a["title"] for a in listed.json()["attachments"]] == ["Takedown guide"]
    download = client.get(f"/v1/attachments/{body['id']}", headers=reviewer)
    assert download.content == PDF and download.headers["content-type"] == "application/pdf"
    assert "attachment" in download.headers["content-disposition"]
    with rt.sessions() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.INCIDENT_ATTACHMENT_ADDED)
        ).all()
    # the upload, then the link on the incident (the repeated link is not a new one)
    assert [e.incident_id for e in events] == [None, incident_id]


@pytest.mark.parametrize(
    ("data", "content_type", "filename", "status", "code"),
    [
        (b"%PDF-" + b"x" * MAX_BYTES, "application/pdf", "big.pdf", 413, "attachment_too_large"),
        (b"MZ\x90\x00", "application/x-msdownload", "tool.exe", 415, "unsupported_media_type"),
        (b"<html><script>", "text/html", "page.html", 415, "unsupported_media_type"),
        (b"not a pdf at all", "application/pdf", "fake.pdf", 422, "content_mismatch"),
        (b"", "text/plain", "empty.txt", 422, "empty_file"),
        (b"\xff\xfe\x00bad", "text/plain", "notes.txt", 422, "content_mismatch"),
        (PDF, "application/pdf", "../../etc/passwd", 422, "bad_name"),
    ],
)
def test_uploads_are_refused_with_their_reason(
    rt: Runtime,
    client: TestClient,
    data: bytes,
    content_type: str,
    filename: str,
    status: int,
    code: str,
) -> None:
    made = client.post(
        "/v1/attachments",
        params={"filename": filename, "kind": "process_document"},
        content=data,
        headers={**auth(new_user_token(rt, "admin")), "content-type": content_type},
    )
    assert made.status_code == status, made.text
    assert made.json()["error"]["code"] == code


def test_reviewers_read_materials_but_do_not_upload(rt: Runtime, client: TestClient) -> None:
    made = client.post(
        "/v1/attachments",
        params={"filename": "guide.pdf"},
        content=PDF,
        headers={**auth(new_user_token(rt, "reviewer")), "content-type": "application/pdf"},
    )
    assert made.status_code == 403


def test_the_plan_prints_its_numbers_from_the_policy_in_force(
    rt: Runtime, client: TestClient
) -> None:
    reader = auth(new_user_token(rt, "reviewer"))
    document = client.get("/v1/response-plan/document", headers=reader).json()
    assert document["policy_version"] == "2026.11-1"  # the built-in policy until one is saved
    assert "opens an incident at 20 posts within 6 h" in document["document"]
    assert "public statement: within 4 h (grade II or worse)" in document["document"]


def test_editing_a_threshold_in_the_plan_makes_a_policy_version_detection_runs_on(
    rt: Runtime, client: TestClient, lead: dict[str, str]
) -> None:
    note = "drills showed 20 posts is too late for health claims"
    changed = edit_plan(client, lead, {"min_posts": 5, "note": note})
    assert changed["policy_version"] == "incident-v1"
    assert changed["policy"]["min_posts"] == 5
    reader = auth(new_user_token(rt, "reviewer"))
    document = client.get("/v1/response-plan/document", headers=reader).json()
    assert document["policy_version"] == "incident-v1"
    assert "opens an incident at 5 posts within 6 h" in document["document"]
    history = client.get("/v1/response-plan/history", headers=reader).json()["versions"]
    assert "2026.11-1 -> incident-v1" in history[0]["change_note"]
    policy = client.get("/v1/incident-policy", headers=reader).json()
    assert policy["version"] == "incident-v1" and len(policy["history"]) == 1
    # The scan, given no policy, runs on the saved one: 6 posts (views too low for velocity)
    # open an incident now; under the built-in 20 they would not.
    with transaction(rt.sessions) as session:
        add_wave(session, wave=6, background=0, views=10)
    with transaction(rt.sessions) as session:
        scan(session)
    with rt.sessions() as session:
        incident = session.scalars(select(Incident)).one()
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.INCIDENT_OPENED)
        ).one()
    assert incident.post_count == 6
    veracity = event.document["veracity"]
    assert isinstance(veracity, dict) and veracity["policy_version"] == "incident-v1"


@pytest.mark.parametrize(
    ("patch", "status"),
    [
        ({"grade_cutoffs": [4, 7, 10], "note": "upside down"}, 422),
        ({"min_posts": 0, "note": "zero"}, 422),
        ({"min_posts": 5}, 422),  # no note
        ({"clocks": [], "note": "no clocks"}, 422),
    ],
)
def test_bad_threshold_edits_are_refused(
    rt: Runtime, client: TestClient, patch: dict[str, object], status: int
) -> None:
    made = client.patch(
        "/v1/response-plan/thresholds", json=patch, headers=auth(new_user_token(rt, "admin"))
    )
    assert made.status_code == status, made.text
    reader = auth(new_user_token(rt, "reviewer"))
    assert client.get("/v1/incident-policy", headers=reader).json()["history"] == []


@pytest.mark.parametrize("role", ["reviewer", "pr", "legal", "technical_response"])
def test_only_leadership_and_admins_change_thresholds(
    rt: Runtime, client: TestClient, role: str
) -> None:
    made = client.patch(
        "/v1/response-plan/thresholds",
        json={"min_posts": 5, "note": "x"},
        headers=auth(new_user_token(rt, role)),
    )
    assert made.status_code == 403


def test_a_plan_text_cannot_carry_its_own_thresholds(rt: Runtime, client: TestClient) -> None:
    made = client.post(
        "/v1/response-plan",
        json={"change_note": "x", "body": "# Plan\n## Thresholds and clocks\n- 99 posts"},
        headers=auth(new_user_token(rt, "admin")),
    )
    assert made.status_code == 422 and made.json()["error"]["code"] == "thresholds_in_text"


def test_an_activated_incident_runs_the_clocks_the_plan_prints(
    rt: Runtime, client: TestClient
) -> None:
    lead = auth(new_user_token(rt, "leadership", "lead-cy"))
    clocks = [
        {"name": "first internal report", "milestone": "internal_report", "within_minutes": 20},
        {
            "name": "public statement",
            "milestone": "public_statement",
            "within_minutes": 90,
            "from_grade": 2,
        },
    ]
    edit_plan(client, lead, {"clocks": clocks, "note": "statements within 90 minutes"})
    document = client.get("/v1/response-plan/document", headers=lead).json()["document"]
    assert "public statement: within 90 min (grade II or worse)" in document
    reported = client.post(
        "/v1/incidents",
        json={
            "type": "misinformation",
            "title": "Vaccine microchip claim",
            "what": "A vaccine health hoax spreading across regions",
            "scope": {"reach": 20_000_000, "regions": ["DE", "FR", "ES", "IT", "PL"]},
        },
        headers=auth(new_user_token(rt, "pr")),
    )
    assert reported.status_code == 201, reported.text
    url = f"/v1/incidents/{reported.json()['id']}"
    if reported.json()["status"] == "reported":  # grade I-II: leadership decides
        client.post(f"{url}/assess", json={"grade": 1, "reason": "EU-wide"}, headers=lead)
        made = client.post(f"{url}/activate", json={"reason": "plan applies"}, headers=lead)
    else:  # it activated itself; leadership raises it to I
        made = client.post(f"{url}/grade", json={"grade": 1, "reason": "EU-wide"}, headers=lead)
    assert made.status_code == 200, made.text
    running = {
        c["name"]: datetime.fromisoformat(c["due_at"]) - datetime.fromisoformat(c["started_at"])
        for c in client.get(url, headers=lead).json()["clocks"]
    }
    assert running["public statement"] == timedelta(minutes=90)
    assert running["first internal report"] == timedelta(minutes=20)
