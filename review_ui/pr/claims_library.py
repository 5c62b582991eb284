"""The claim library in the UI: browse, search, add, edit, retire and import fact-checked claims.

Reviewers read it (they match posts against it); PR, senior reviewers and admins change it.
Every change goes through `claims.service` and is logged; a retired claim stays (statements and
links cite it) but is no longer matched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.responses import Response

from claims import repository, service
from claims.models import Claim, Origin, Verdict
from claims.schemas import ClaimIn
from core.errors import DomainError, NotFound
from core.roles import Role
from review_ui.auth import UiRefused, UiUser
from review_ui.form_errors import field_problem, joined
from review_ui.form_fields import Document, LongNote, Note
from review_ui.i18n import Msg
from review_ui.page import ItemPage, UiPage, page_for
from review_ui.pr.claims_import import UploadRefused, read_upload

router = APIRouter(prefix="/claims")
EDITORS = (Role.PR, Role.SENIOR_REVIEWER, Role.ADMIN)
READERS = (Role.REVIEWER, *EDITORS)
Reader = Annotated[UiPage, Depends(page_for(*READERS))]
Editor = Annotated[UiPage, Depends(page_for(*EDITORS))]
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
def browse(page: Reader) -> Response:
    return _browse(page)


def _browse(page: UiPage, *, status: int = 200, **extra: object) -> Response:
    q = page.query("q").strip()[:200]
    verdict = page.query("verdict")
    verdict = verdict if verdict in {v.value for v in Verdict} else ""
    state = page.query("state", "live")
    state = state if state in STATES else "live"
    number = _page_number(page.query("page", "1"))
    where = {"query": q or None, "verdict": verdict or None, "retired": STATES[state]}
    total = service.count_claims(page.session, **where)  # type: ignore[arg-type]
    claims = service.list_claims(
        page.session,
        **where,  # type: ignore[arg-type]
        limit=PAGE,
        offset=(number - 1) * PAGE,
    )
    return page.render(
        "claims/library.html",
        status,
        claims=claims,
        total=total,
        page=number,
        pages=max(1, -(-total // PAGE)),
        q=q,
        verdict=verdict,
        state=state,
        verdicts=[v.value for v in Verdict],
        can_edit=_can_edit(page.user),
        notice=page.notice(NOTICES),
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
    text: LongNote,
    verdict: Annotated[str, Form(max_length=16)],
    source_url: Annotated[str, Form(max_length=2048)] = "",
    source_name: Annotated[str, Form(max_length=200)] = "",
    explanation: Document = "",
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
def add(page: Editor, typed: TypedClaim) -> Response:
    try:
        claim_in = typed.claim_in()
    except ValidationError as exc:
        return _browse(page, status=422, add_error=_reason(exc))
    claim = service.add_claim(page.session, claim_in, page.actor, origin=Origin.REVIEWER)
    return RedirectResponse(f"/ui/claims/{claim.id}?notice=added", status_code=303)


class OnClaim(ItemPage):
    """A claim's page and the forms on it (the services read at most 64 characters of `id`)."""

    address = "/ui/claims/"
    path_param = "claim_id"

    def claim(self) -> Claim:
        try:
            return service.get_claim(self.session, self.id[:64])
        except NotFound as exc:
            raise UiRefused(404, Msg("No such claim.")) from exc

    def check(self) -> None:
        self.claim()

    def show(self, *, error: str = "", status: int = 200) -> Response:
        claim = self.claim()
        return self.page.render(
            "claims/claim.html",
            status,
            claim=claim,
            linked=repository.linked_post_count(self.session, claim.id),
            verdicts=[v.value for v in Verdict],
            can_edit=_can_edit(self.page.user),
            notice=self.page.notice(NOTICES),
            error=error,
        )


@router.get("/{claim_id}", summary="One claim: its text, verdict, source, linked posts")
def detail(it: Annotated[OnClaim, OnClaim.depends(*READERS)]) -> Response:
    return it.show()


EditedClaim = Annotated[OnClaim, OnClaim.depends(*EDITORS)]


@router.post("/{claim_id}/edit", summary="Change a claim's wording, verdict or source")
def edit(it: EditedClaim, typed: TypedClaim) -> Response:
    try:
        service.edit_claim(it.session, it.id[:64], typed.claim_in(), it.actor)
    except ValidationError as exc:
        return it.show(status=422, error=_reason(exc))
    except DomainError as exc:
        raise UiRefused(exc.status, exc.message) from exc
    return it.back("edited")


@router.post("/{claim_id}/retire", summary="Retire a claim (kept, no longer matched)")
def retire(it: EditedClaim, reason: Note = "") -> Response:
    return it.act("retired", lambda: service.retire_claim(it.session, it.id[:64], reason, it.actor))


@router.post("/import", summary="Import claims from a JSON or CSV file")
def import_file(page: Editor, file: UploadFile) -> Response:
    try:
        records = read_upload(file)
    except UploadRefused as exc:
        return _browse(page, status=exc.status, import_error=exc.message)
    result = service.import_claims(
        page.session, records, page.actor, source=f"ui upload: {file.filename or 'file'}"[:200]
    )
    summary = (
        f"Imported {file.filename or 'the file'}: {result.read} read, {result.added} added, "
        f"{result.already_present} already in the library."
    )
    return _browse(page, import_notice=summary)
