"""Leadership's review of the post-incident report: sign it off (the report is rendered with
the sign-off printed on it and frozen, PDF and HTML, with the PDF's SHA-256) or return it with
a comment. Both are logged; the newest review is the report's state."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.orm import Session

from audit.events import Action
from core.actors import Actor
from core.clock import utcnow
from core.errors import Conflict, Invalid
from core.messages import Msg
from incidents.events import record_event
from incidents.material_models import ReportReview
from incidents.report import build_report
from incidents.report_render import SignOff, render_html, render_pdf
from incidents.repository.materials import latest_review
from incidents.service import get_incident

SIGNED_OFF, RETURNED = "report_signed_off", "report_returned"
# A report describes the whole response: it is reviewed once the incident is over.
REVIEWABLE = frozenset({"recovered", "closed"})


def current_signoff(session: Session, incident_id: str) -> SignOff | None:
    review = latest_review(session, incident_id)
    if review is None or review.decision != SIGNED_OFF:
        return None
    return SignOff(review.actor, review.at, review.comment)


def review_report(
    session: Session,
    incident_id: str,
    actor: Actor,
    *,
    approve: bool,
    comment: str,
    now: datetime | None = None,
) -> ReportReview:
    incident = get_incident(session, incident_id)
    if incident.status not in REVIEWABLE:
        raise Conflict(
            Msg(
                "incident {incident_id} is {status}: its report is reviewed once it is recovered or closed",
                incident_id=incident_id,
                status=incident.status,
            ),
            code="report_not_ready",
        )
    if current_signoff(session, incident_id) is not None:
        raise Conflict(
            Msg("the report of incident {incident_id} is signed off", incident_id=incident_id),
            code="signed_off",
        )
    if not approve and not comment.strip():
        raise Invalid(Msg("returning a report needs a comment saying what to change"))
    at = now or utcnow()
    review = ReportReview(
        incident_id=incident.id,
        decision=SIGNED_OFF if approve else RETURNED,
        actor=actor.name,
        role=",".join(actor.roles),
        comment=comment.strip(),
        at=at,
    )
    if approve:
        report = build_report(session, incident.id)
        signoff = SignOff(actor.name, at, review.comment)
        review.pdf = render_pdf(report, signoff=signoff)
        review.html = render_html(report, signoff=signoff)
        review.pdf_sha256 = hashlib.sha256(review.pdf).hexdigest()
    session.add(review)
    session.flush()
    record_event(
        session,
        Action.INCIDENT_REPORT_SIGNED_OFF if approve else Action.INCIDENT_REPORT_RETURNED,
        actor,
        incident,
        other={"review_id": review.id},
        reason=review.comment or None,
        after={"decision": review.decision, "pdf_sha256": review.pdf_sha256},
        at=at,
    )
    return review


def review_json(review: ReportReview | None) -> dict[str, object]:
    if review is None:
        return {"state": "awaiting_review"}
    return {
        "state": review.decision,
        "by": review.actor,
        "role": review.role,
        "at": review.at.isoformat(),
        "comment": review.comment,
        "pdf_sha256": review.pdf_sha256,
    }
