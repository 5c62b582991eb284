"""The post-incident report as a designed PDF, leadership's sign-off, and the legal bundle."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select

from audit.events import Action
from audit.models import AuditEvent
from runtime.container import Runtime
from tests.conftest import auth, new_user_token
from tests.incidents.conftest import open_incident

LESSON = "Give legal a standing review slot for statements at grade II and worse."


def _worked_incident(rt: Runtime, client: TestClient, close: bool = True) -> str:
    incident_id = open_incident(rt)
    admin = auth(new_user_token(rt, "admin"))
    for kind, note in (("internal_report", "briefed leadership"), ("public_statement", "posted")):
        made = client.post(
            f"/v1/incidents/{incident_id}/milestones",
            json={"kind": kind, "note": note},
            headers=admin,
        )
        assert made.status_code == 200, made.text
    lesson = client.post(
        f"/v1/incidents/{incident_id}/lessons", json={"text": LESSON}, headers=admin
    )
    assert lesson.status_code == 200
    if close:
        closed = client.post(
            f"/v1/incidents/{incident_id}/close", json={"reason": "contained"}, headers=admin
        )
        assert closed.status_code == 200
    return incident_id


def _text(pdf: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def test_the_pdf_is_laid_out_with_headings_tables_charts_timeline_and_lessons(
    rt: Runtime, client: TestClient
) -> None:
    incident_id = _worked_incident(rt, client, close=False)
    pdf = client.get(
        f"/v1/incidents/{incident_id}/report?format=pdf", headers=auth(new_user_token(rt, "pr"))
    )
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text, reader = _text(pdf.content)
    for heading in (
        "1. Response against the plan",
        "2. Reach",
        "3. Volumes and review quality",
        "4. Deadlines",
        "5. Deviations from the plan",
        "6. Lessons",
        "7. Timeline",
    ):
        assert heading in text
    assert "awaiting review" in text  # the sign-off box
    # timeline rows: event, actor and detail
    assert (
        "incident.opened" in text and "incident.milestone" in text and "briefed leadership" in text
    )
    assert "standing review slot" in " ".join(text.split())  # the lesson, wrapped over lines
    assert len(reader.pages) >= 2
    assert sum(len(page.images) for page in reader.pages) == 2  # both charts inline
    assert all(f"Page {n}" in (p.extract_text() or "") for n, p in enumerate(reader.pages, 1))


@pytest.mark.parametrize("role", ["admin", "legal", "pr", "senior_reviewer", "technical_response"])
def test_only_leadership_signs_off_a_report(rt: Runtime, client: TestClient, role: str) -> None:
    incident_id = _worked_incident(rt, client)
    refused = client.post(
        f"/v1/incidents/{incident_id}/report/review",
        json={"decision": "sign_off"},
        headers=auth(new_user_token(rt, role)),
    )
    assert refused.status_code == 403
    with rt.sessions() as session:
        signed = session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.INCIDENT_REPORT_SIGNED_OFF)
        ).all()
    assert signed == []


def test_leadership_signs_off_the_report_frozen_and_logged(rt: Runtime, client: TestClient) -> None:
    incident_id = _worked_incident(rt, client)
    lead = auth(new_user_token(rt, "leadership", username="lead-ana"))
    before = client.get(f"/v1/incidents/{incident_id}/report/review", headers=lead)
    assert before.json() == {"state": "awaiting_review"}
    signed = client.post(
        f"/v1/incidents/{incident_id}/report/review",
        json={"decision": "sign_off", "comment": "Approved; adopt the lesson."},
        headers=lead,
    )
    assert signed.status_code == 200, signed.text
    state = signed.json()
    assert (state["state"], state["by"], state["comment"]) == (
        "report_signed_off",
        "lead-ana",
        "Approved; adopt the lesson.",
    )
    pdf = client.get(f"/v1/incidents/{incident_id}/report/signed", headers=lead)
    assert hashlib.sha256(pdf.content).hexdigest() == state["pdf_sha256"]
    assert pdf.headers["x-report-sha256"] == state["pdf_sha256"]
    text, _ = _text(pdf.content)
    assert "Signed off by lead-ana" in text and "Approved; adopt the lesson." in text
    live = client.get(f"/v1/incidents/{incident_id}/report", headers=lead)
    assert "Signed off</b> by lead-ana" in live.text  # the live report shows it too
    again = client.post(
        f"/v1/incidents/{incident_id}/report/review", json={"decision": "sign_off"}, headers=lead
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "signed_off"
    with rt.sessions() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.INCIDENT_REPORT_SIGNED_OFF)
        ).one()
    assert event.actor_name == "lead-ana" and event.incident_id == incident_id
    veracity = event.document["veracity"]
    assert isinstance(veracity, dict)
    assert veracity["after"]["pdf_sha256"] == state["pdf_sha256"]
    assert veracity["reason"] == "Approved; adopt the lesson."


def test_a_report_is_reviewed_once_the_incident_is_over(rt: Runtime, client: TestClient) -> None:
    incident_id = _worked_incident(rt, client, close=False)
    early = client.post(
        f"/v1/incidents/{incident_id}/report/review",
        json={"decision": "sign_off"},
        headers=auth(new_user_token(rt, "leadership")),
    )
    assert early.status_code == 409 and early.json()["error"]["code"] == "report_not_ready"


def test_leadership_returns_a_report_with_a_comment_then_signs_it(
    rt: Runtime, client: TestClient, lead: dict[str, str]
) -> None:
    incident_id = _worked_incident(rt, client)
    url = f"/v1/incidents/{incident_id}/report/review"
    bare = client.post(url, json={"decision": "return"}, headers=lead)
    assert bare.status_code == 422
    returned = client.post(
        url, json={"decision": "return", "comment": "add the cost"}, headers=lead
    )
    assert returned.json()["state"] == "report_returned"
    assert client.get(f"/v1/incidents/{incident_id}/report/signed", headers=lead).status_code == 404
    signed = client.post(url, json={"decision": "sign_off"}, headers=lead)
    assert signed.json()["state"] == "report_signed_off"


def test_the_incident_export_bundles_the_log_the_signed_report_and_attachments(
    rt: Runtime, client: TestClient, lead: dict[str, str]
) -> None:
    incident_id = _worked_incident(rt, client)
    guide = b"%PDF-1.4 legal guide for statements\n%%EOF"
    uploaded = client.post(
        "/v1/attachments",
        params={
            "filename": "statement-guide.pdf",
            "kind": "legal_guide",
            "incident_id": incident_id,
        },
        content=guide,
        headers={**lead, "content-type": "application/pdf"},
    )
    assert uploaded.status_code == 201, uploaded.text
    signed = client.post(
        f"/v1/incidents/{incident_id}/report/review", json={"decision": "sign_off"}, headers=lead
    ).json()
    refused = client.get(
        f"/v1/incidents/{incident_id}/export", headers=auth(new_user_token(rt, "reviewer"))
    )
    assert refused.status_code == 403
    exported = client.get(
        f"/v1/incidents/{incident_id}/export", headers=auth(new_user_token(rt, "legal"))
    )
    assert exported.status_code == 200 and exported.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(exported.content))
    names = set(archive.namelist())
    guide_name = f"attachments/{hashlib.sha256(guide).hexdigest()[:12]}-statement-guide.pdf"
    assert names == {
        "actions.ndjson",
        "report-signed.pdf",
        "report-signed.html",
        "signoff.json",
        guide_name,
        "manifest.json",
    }
    manifest = json.loads(archive.read("manifest.json"))
    for name, entry in manifest["files"].items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == entry["sha256"]
    assert manifest["files"]["report-signed.pdf"]["sha256"] == signed["pdf_sha256"]
    assert archive.read(guide_name) == guide
    actions = [
        json.loads(line)["event"]["action"] for line in archive.read("actions.ndjson").splitlines()
    ]
    assert "incident.report_signed_off" in actions and "incident.opened" in actions
    assert manifest["log_export"]["count"] == len(actions)
    with rt.sessions() as session:
        logged = {
            e.action
            for e in session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action.in_([Action.LOG_EXPORTED, Action.INCIDENT_EXPORTED])
                )
            )
        }
    assert logged == {Action.LOG_EXPORTED.value, Action.INCIDENT_EXPORTED.value}


def test_the_pdf_shows_accented_greek_and_cyrillic_text(rt: Runtime) -> None:
    """The embedded DejaVu Sans covers what Helvetica (the PDF base font) cannot."""
    from incidents.report import build_report
    from incidents.report_render import render_pdf

    incident_id = open_incident(rt)
    with rt.sessions() as session:
        report = build_report(session, incident_id)
    title = "Falsche Behauptung über Impfstoffe — Ψευδής — Прививки вызывают"
    report.incident["title"] = title
    report.lessons = ["Zuständigkeit früher klären; уведомить раньше"]
    text, _ = _text(render_pdf(report))
    flat = " ".join(text.split())
    assert title in flat and "уведомить раньше" in flat
