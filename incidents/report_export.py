"""An incident's legal bundle: its action log (the same export legal streams, logged with its
manifest), the post-incident report as signed off (or the current draft, marked so), the
sign-off record and the linked attachments, in one ZIP with a SHA-256 manifest of every file.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from audit.events import Action, Subject
from audit.export import Export
from audit.schemas import ExportFormat, SearchFilters
from audit.service import record
from audit.store import LogStore
from core.actors import Actor
from core.clock import utcnow
from core.db import transaction
from incidents.attachments import describe
from incidents.report import build_report
from incidents.report_render import render_html, render_pdf
from incidents.report_review import SIGNED_OFF, review_json
from incidents.repository.materials import latest_review, linked
from incidents.service import get_incident


def _report_files(session: Session, incident_id: str) -> dict[str, bytes]:
    review = latest_review(session, incident_id)
    if review is not None and review.decision == SIGNED_OFF and review.pdf and review.html:
        return {"report-signed.pdf": review.pdf, "report-signed.html": review.html.encode()}
    report = build_report(session, incident_id)
    return {
        "report-draft.pdf": render_pdf(
            report, title="Post-incident report (draft, not signed off)"
        ),
        "report-draft.html": render_html(report, title="Post-incident report (draft)").encode(),
    }


def build_bundle(
    sessions: sessionmaker[Session],
    store: LogStore,
    incident_id: str,
    actor: Actor,
    request_id: str | None = None,
) -> tuple[bytes, dict[str, Any]]:
    """(zip bytes, manifest). The log export is recorded as `log.exported` by `Export` (in a
    transaction of its own, so nothing here holds the database meanwhile), the bundle as
    `incident.exported` with the manifest."""
    with sessions() as session:
        is_drill = get_incident(session, incident_id).is_drill
    filters = SearchFilters(incident_id=incident_id, include_drills=is_drill)
    job = Export(store, sessions, filters, ExportFormat.NDJSON, actor, request_id=request_id)
    files: dict[str, bytes] = {"actions.ndjson": job.collect()}
    with transaction(sessions) as session:
        files |= _report_files(session, incident_id)
        review = review_json(latest_review(session, incident_id))
        files["signoff.json"] = json.dumps(review, indent=2).encode()
        attachments = linked(session, incident_id)
        for attachment in attachments:
            files[f"attachments/{attachment.sha256[:12]}-{attachment.filename}"] = attachment.data
        manifest: dict[str, Any] = {
            "incident_id": incident_id,
            "generated_at": utcnow().isoformat(),
            "generated_by": actor.name,
            "log_export": job.manifest.model_dump(mode="json") if job.manifest else None,
            "signoff": review,
            "attachments": [describe(a) for a in attachments],
            "files": {
                name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                for name, data in files.items()
            },
        }
        bundle = _zip(files, manifest)
        record(
            session,
            Action.INCIDENT_EXPORTED,
            actor,
            Subject(incident_id=incident_id),
            after={"sha256": hashlib.sha256(bundle).hexdigest(), "files": manifest["files"]},
            request_id=request_id,
            is_drill=is_drill,
        )
    return bundle, manifest


def _zip(files: dict[str, bytes], manifest: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return buffer.getvalue()
