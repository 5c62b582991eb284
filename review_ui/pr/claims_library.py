"""The claim library in the UI: browse, search, add, edit, retire and import fact-checked claims.

Reviewers read it (they match posts against it); PR, senior reviewers and admins change it.
Every change goes through `claims.service` and is logged; a retired claim stays (statements and
links cite it) but is no longer matched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from claims import repository, service
from claims.models import Origin, Verdict
from claims.schemas import ClaimIn
from core.errors import DomainError, NotFound
from core.roles import Role
from core.web_deps import SessionDep
from review_ui.auth import UiRefused, UiUser, require_ui_role
from review_ui.form_errors import field_problem, joined
from review_ui.i18n import Msg
from review_ui.pr.claims_import import UploadRefused, read_upload
from review_ui.templating import render

router = APIRouter(prefix="/claims")
EDITORS = (Role.PR, Role.SENIOR_REVIEWER, Role.ADMIN)
Reader = Annotated[UiUser, Depends(require_ui_role(Role.REVIEWER, *EDITORS))]
Editor = Annotated[UiUser, Depends(require_ui_role(*EDITORS))]
PAGE = 25
STATES = {"live": False, "retired": True, "all": None}
NOTICES = {
    "added": "Claim added; posts are matched against it from now on.",
    "edited": "Claim saved; the matcher uses the new wording from the next post.",
    "retired": "Claim retired: kept for the record, no longer matched.",
}


def _can_edit(user: UiUser) -> bool:
    return user.role in {r.value for r in EDITORS}


def _page_number(raw: str) -> int:
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


@router.get("", summary="Browse and search the claim library")
def browse(request: Request, session: SessionDep, user: Reader) -> Response:
    return _browse(request, session, user)


def _browse(
    request: Request, session: Session, user: UiUser, *, status: int = 200, **extra: object
) -> Response:
    q = request.query_params.get("q", "").strip()[:200]
    verdict = request.query_params.get("verdict", "")
    verdict = verdict if verdict in {v.value for v in Verdict} else ""
    state = request.query_params.get("state", "live")
    state = state if state in STATES else "live"
    page = _page_number(request.query_params.get("page", "1"))
    where = {"query": q or None, "verdict": verdict or None, "retired": STATES[state]}
    total = service.count_claims(session, **where)  # type: ignore[arg-type]
    claims = service.list_claims(
        session,
        **where,  # type: ignore[arg-type]
        limit=PAGE,
        offset=(page - 1) * PAGE,
    )
    return render(
        request,
        "claims/library.html",
        user,
        status,
        claims=claims,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE)),
        q=q,
        verdict=verdict,
        state=state,
        verdicts=[v.value for v in Verdict],
        can_edit=_can_edit(user),
        notice=NOTICES.get(request.query_params.get("notice", ""), ""),
        **extra,
    )


@dataclass(frozen=True)
class ClaimForm:
    """The claim fields of the add and edit forms, as typed."""

    text: str
    verdict: str
    source_url: str
    source_name: str
    explanation: str

    def claim_in(self) -> ClaimIn:
        """Raises ValidationError."""
        return ClaimIn.model_validate(
            {
                "text": self.text,
                "verdict": self.verdict,
                "source_url": self.source_url.strip() or None,
                "source_name": self.source_name.strip() or None,
                "explanation": self.explanation.strip(),
            }
        )


def claim_form(
    text: Annotated[str, Form(max_length=5000)],
    verdict: Annotated[str, Form(max_length=16)],
    source_url: Annotated[str, Form(max_length=2048)] = "",
    source_name: Annotated[str, Form(max_length=200)] = "",
    explanation: Annotated[str, Form(max_length=20_000)] = "",
) -> ClaimForm:
    return ClaimForm(text, verdict, source_url, source_name, explanation)


TypedClaim = Annotated[ClaimForm, Depends(claim_form)]


def _reason(exc: ValidationError) -> str:
    parts: list[str] = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else ""
        if field == "source_url":
            parts.append(Msg("the source must be a full http(s) address"))
        elif field == "verdict":
            parts.append(Msg("choose a verdict"))
        else:
            parts.append(field_problem(err))
    return joined(parts)


@router.post("", summary="Add a claim")
def add(
    request: Request,
    session: SessionDep,
    user: Editor,
    typed: TypedClaim,
) -> Response:
    try:
        claim_in = typed.claim_in()
    except ValidationError as exc:
        return _browse(request, session, user, status=422, add_error=_reason(exc))
    claim = service.add_claim(session, claim_in, user.actor, origin=Origin.REVIEWER)
    return RedirectResponse(f"/ui/claims/{claim.id}?notice=added", status_code=303)


@router.get("/{claim_id}", summary="One claim: its text, verdict, source, linked posts")
def detail(request: Request, claim_id: str, session: SessionDep, user: Reader) -> Response:
    return _detail(request, claim_id, session, user)


def _detail(
    request: Request,
    claim_id: str,
    session: Session,
    user: UiUser,
    *,
    status: int = 200,
    error: str = "",
) -> Response:
    try:
        claim = service.get_claim(session, claim_id[:64])
    except NotFound as exc:
        raise UiRefused(404, Msg("No such claim.")) from exc
    return render(
        request,
        "claims/claim.html",
        user,
        status,
        claim=claim,
        linked=repository.linked_post_count(session, claim.id),
        verdicts=[v.value for v in Verdict],
        can_edit=_can_edit(user),
        notice=NOTICES.get(request.query_params.get("notice", ""), ""),
        error=error,
    )


@router.post("/{claim_id}/edit", summary="Change a claim's wording, verdict or source")
def edit(
    request: Request,
    claim_id: str,
    session: SessionDep,
    user: Editor,
    typed: TypedClaim,
) -> Response:
    try:
        claim_in = typed.claim_in()
        service.edit_claim(session, claim_id[:64], claim_in, user.actor)
    except ValidationError as exc:
        return _detail(request, claim_id, session, user, status=422, error=_reason(exc))
    except DomainError as exc:
        raise UiRefused(exc.status, exc.message) from exc
    return RedirectResponse(f"/ui/claims/{claim_id}?notice=edited", status_code=303)


@router.post("/{claim_id}/retire", summary="Retire a claim (kept, no longer matched)")
def retire(
    request: Request,
    claim_id: str,
    session: SessionDep,
    user: Editor,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        service.retire_claim(session, claim_id[:64], reason, user.actor)
    except NotFound as exc:
        raise UiRefused(404, Msg("No such claim.")) from exc
    except DomainError as exc:
        session.rollback()
        return _detail(request, claim_id, session, user, status=exc.status, error=exc.message)
    return RedirectResponse(f"/ui/claims/{claim_id}?notice=retired", status_code=303)


@router.post("/import", summary="Import claims from a JSON or CSV file")
def import_file(request: Request, session: SessionDep, user: Editor, file: UploadFile) -> Response:
    try:
        records = read_upload(file)
    except UploadRefused as exc:
        return _browse(request, session, user, status=exc.status, import_error=exc.message)
    result = service.import_claims(
        session, records, user.actor, source=f"ui upload: {file.filename or 'file'}"[:200]
    )
    summary = (
        f"Imported {file.filename or 'the file'}: {result.read} read, {result.added} added, "
        f"{result.already_present} already in the library."
    )
    return _browse(request, session, user, import_notice=summary)
