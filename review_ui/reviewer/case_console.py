"""The case page's background calls: the note autosaved as it is typed, and more lease time.

Both answer JSON to the page's script (CSRF in the `x-csrf-token` header) and a redirect to a
plain form post, so the buttons work without JavaScript too.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.responses import Response

from core.errors import Conflict, NotFound
from pipeline import queue
from pipeline.models import CaseStatus
from pipeline.repository.cases import case_by_id
from pipeline.repository.console import save_note_draft
from review_ui.form_fields import LongNote
from review_ui.page import CaseWorkerPage
from review_ui.templating import in_language_of

router = APIRouter(prefix="/review/cases")


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


@router.post("/{case_id}/note", summary="Autosave the note you are typing on a case")
def save_note(case_id: str, page: CaseWorkerPage, note: LongNote = "") -> Response:
    """Saved per case and person, whether or not the lease is still live: a note typed as the
    lease ran out is there again when the case is claimed back."""
    case = case_by_id(page.session, case_id[:32])
    if case is None or case.status == CaseStatus.DECIDED:
        return JSONResponse({"saved": False, "reason": "case closed"}, status_code=409)
    save_note_draft(page.session, case.id, page.user.username, note)
    return JSONResponse({"saved": True}, headers={"Cache-Control": "no-store"})


@router.post("/{case_id}/extend", summary="Ten more minutes on the case you hold")
def extend(case_id: str, page: CaseWorkerPage) -> Response:
    try:
        case = queue.extend_lease(page.session, case_id[:32], page.actor)
    except (Conflict, NotFound) as exc:
        page.session.rollback()
        if _wants_json(page.request):
            reason = in_language_of(page.request, page.user, exc.message)
            return JSONResponse({"extended": False, "reason": reason}, status_code=409)
        return RedirectResponse(f"/ui/review/cases/{case_id}?notice=no-extension", 303)
    assert case.lease_expires_at is not None
    if _wants_json(page.request):
        return JSONResponse(
            {"extended": True, "lease_expires_at": case.lease_expires_at.isoformat()},
            headers={"Cache-Control": "no-store"},
        )
    return RedirectResponse(f"/ui/review/cases/{case_id}?notice=extended", 303)
