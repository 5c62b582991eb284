"""Recent decisions: reviewers see their own, senior reviewers everyone's, and either can
correct or undo one. Both go through `pipeline.corrections` (the enforcement path: undo
actions on the platform, a new decision, its own action), each logged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from core.errors import DomainError
from core.roles import Role
from pipeline import corrections
from pipeline.console_models import QaReview
from pipeline.models import CaseStatus, Decision
from pipeline.repository.decisions import (
    decision_by_id,
    enforcement_of_decisions,
    latest_human_decision_ids,
    qa_reviews_of,
    recent_human_decisions,
    undone_action_ids,
)
from pipeline.repository.posts import post_by_id
from review_ui.auth import UiRefused, UiUser
from review_ui.form_fields import Note
from review_ui.i18n import Msg
from review_ui.page import UiPage, page_for
from review_ui.reviewer.decision_form import DecisionForm, decision_form, refusal_of
from review_ui.reviewer.pages import ACTIONS, REASON_LABELS
from review_ui.roles import REVIEWERS

router = APIRouter(prefix="/decisions")
Reviewer = Annotated[UiPage, Depends(page_for(*REVIEWERS))]
LIMIT = 50
EXCERPT = 90
NOTICES = {
    "corrected": "Decision corrected: the old action is being undone and the new one applied.",
    "undone": "Decision undone: its actions are being reversed on the platform.",
}


@dataclass(frozen=True)
class Row:
    decision: Decision
    excerpt: str
    enforcement: str
    final: bool  # its case is decided and no later decision replaced it
    decided: bool  # its case is decided (else: still waiting for a second reviewer)
    qa: QaReview | None


def _senior(user: UiUser) -> bool:
    return user.role == Role.SENIOR_REVIEWER.value


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def recent(session: Session, user: UiUser, who: str = "") -> list[Row]:
    rows = recent_human_decisions(session, LIMIT, who if _senior(user) else user.username)
    ids = [d.id for d, _, _ in rows]
    latest = latest_human_decision_ids(session, {d.post_id for d, _, _ in rows})
    actions = enforcement_of_decisions(session, ids)
    undone = undone_action_ids(session, [a.id for a in actions])
    status = {
        a.decision_id: a.status + (", then undone" if a.id in undone else "") for a in actions
    }
    qa = qa_reviews_of(session, ids)
    return [
        Row(
            d,
            _excerpt(text),
            status.get(d.id, "nothing to enforce" if d.action == "no_action" else "held"),
            case_status == CaseStatus.DECIDED and latest.get(d.post_id) == d.id,
            case_status == CaseStatus.DECIDED,
            qa.get(d.id) if _senior(user) else None,
        )
        for d, text, case_status in rows
    ]


def _page(page: UiPage, *, error: str = "", status: int = 200) -> Response:
    who = page.query("who")[:64]
    return page.render(
        "review/decisions.html",
        status,
        rows=recent(page.session, page.user, who),
        senior=_senior(page.user),
        who=who,
        error=error,
        notice=page.notice(NOTICES),
    )


@router.get("", summary="Recent decisions, to correct or undo")
def decisions_page(page: Reviewer) -> Response:
    return _page(page)


def _decision(page: UiPage, decision_id: str) -> Decision:
    decision = decision_by_id(page.session, decision_id[:32])
    user = page.user
    if decision is None or (not _senior(user) and decision.decided_by != user.username):
        raise UiRefused(404, Msg("No such decision of yours."))
    return decision


@router.get("/{decision_id}/correct", summary="The correction form")
def correct_form(decision_id: str, page: Reviewer) -> Response:
    return _correct_page(page, _decision(page, decision_id))


def _correct_page(
    page: UiPage,
    decision: Decision,
    *,
    error: str = "",
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    post = post_by_id(page.session, decision.post_id)
    return page.render(
        "review/correct.html",
        status,
        decision=decision,
        excerpt=_excerpt(post.text if post else ""),
        reasons=list(REASON_LABELS.items()),
        actions=ACTIONS,
        form=form
        or {
            "reason_code": decision.reason_code,
            "action": decision.action,
            "note": decision.note or "",
            "territories": " ".join(decision.territories or ()),
            "public_facts": decision.public_facts or "",
            "legal_ground": decision.legal_ground or "",
        },
        error=error,
    )


@router.post("/{decision_id}/correct", summary="Correct a decision")
def correct(
    decision_id: str,
    page: Reviewer,
    typed: Annotated[DecisionForm, Depends(decision_form)],
    why: Note = "",
) -> Response:
    decision = _decision(page, decision_id)
    form = typed.typed() | {"why": why}
    try:
        verdict = typed.decision_in()
        corrections.correct(
            page.session, decision.id, page.actor, verdict, why.strip(), anyones=_senior(page.user)
        )
    except ValidationError as exc:
        return _correct_page(page, decision, error=refusal_of(exc), form=form, status=422)
    except DomainError as exc:
        page.session.rollback()
        return _correct_page(page, decision, error=exc.message, form=form, status=exc.status)
    return RedirectResponse("/ui/decisions?notice=corrected", status_code=303)


@router.post("/{decision_id}/undo", summary="Undo a decision")
def undo(decision_id: str, page: Reviewer, why: Note = "") -> Response:
    decision = _decision(page, decision_id)
    return page.act(
        lambda: corrections.undo(
            page.session, decision.id, page.actor, why.strip(), anyones=_senior(page.user)
        ),
        done="/ui/decisions?notice=undone",
        refused=lambda error, status: _page(page, error=error, status=status),
    )
