"""Bulk decisions for senior reviewers: tick cases on the supervise page, preview what happens
to each, confirm. At most BULK_CAP cases at once; each case is taken (a logged reassignment to
the senior) and decided through `pipeline.decisions.decide`, so every one is its own logged
decision with its own enforcement, and a case that cannot be taken is skipped, not forced."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from api.process import AppRuntimeDep
from core.errors import DomainError
from core.roles import Role
from pipeline import queue
from pipeline.decisions import decide, validate_decision
from pipeline.models import CaseStage, CaseStatus, ReviewCase
from pipeline.policy_store import active_policy
from pipeline.repository.cases import case_by_id, cases_with_text
from pipeline.schemas import DecisionAction, DecisionIn
from review_ui.auth import UiRefused, UiUser
from review_ui.form_fields import LongNote
from review_ui.i18n import Msg
from review_ui.page import UiPage, page_for

router = APIRouter(prefix="/supervise/bulk")
Senior = Annotated[UiPage, Depends(page_for(Role.SENIOR_REVIEWER))]
BULK_CAP = 50
BULK_CHOICES = (
    (DecisionAction.REMOVE.value, Msg("Remove")),
    (DecisionAction.LABEL.value, Msg("Label")),
    (DecisionAction.REDUCE_REACH.value, Msg("Reduce reach")),
    (DecisionAction.NO_ACTION.value, Msg("No action")),
)
SENIOR_ROLES = (Role.SENIOR_REVIEWER.value,)


@dataclass(frozen=True)
class Planned:
    case_id: str
    excerpt: str
    outcome: str  # what will happen, in words
    applies: bool


def _verdict(action: str, reason_code: str, note: str) -> DecisionIn:
    """Raises ValidationError or DomainError (e.g. a label without its note)."""
    verdict = DecisionIn(reason_code=reason_code, action=action, note=note.strip())
    if verdict.action is DecisionAction.GEO_RESTRICT:
        raise UiRefused(
            422, Msg("Geo-restriction needs territories: decide those cases one by one.")
        )
    validate_decision(verdict)
    return verdict


def _why_not(case: ReviewCase | None, user: UiUser) -> str:
    if case is None or case.is_drill:
        return "no such case"
    if case.status == CaseStatus.DECIDED:
        return "already decided"
    if case.status == CaseStatus.CLAIMED and case.claimed_by != user.username:
        return f"held by {case.claimed_by}"
    if case.stage == CaseStage.QA:
        return "a QA sample is reviewed on its own"
    if case.required_role and case.required_role != Role.SENIOR_REVIEWER.value:
        return f"needs {case.required_role.replace('_', ' ')}"
    if case.stage == CaseStage.SECOND and case.first_reviewer == user.username:
        return "you made the first decision"
    return ""


def plan(session: Session, user: UiUser, case_ids: list[str], verdict: DecisionIn) -> list[Planned]:
    ids = list(dict.fromkeys(c[:32] for c in case_ids if c))
    if not ids:
        raise UiRefused(422, Msg("Tick at least one case."))
    if len(ids) > BULK_CAP:
        raise UiRefused(
            422, Msg("At most {cap} cases at once; {n} were ticked.", cap=BULK_CAP, n=len(ids))
        )
    found = {c.id: (c, text) for c, text in cases_with_text(session, ids)}
    does = (
        f"{verdict.action.value.replace('_', ' ')} ({verdict.reason_code.value.replace('_', ' ')})"
    )
    out = []
    for case_id in ids:
        case, text = found.get(case_id, (None, ""))
        why = _why_not(case, user)
        excerpt = text if len(text) <= 100 else text[:99] + "…"
        out.append(Planned(case_id, excerpt, f"skipped: {why}" if why else does, not why))
    return out


@dataclass(frozen=True)
class BulkForm:
    """What the bulk form posts, read once for the preview and again for the apply."""

    case_ids: list[str]
    verdict: DecisionIn


def bulk_form(
    _: Senior,  # someone else is refused before the form is read
    case_ids: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI reads the default
    action: Annotated[str, Form()] = "",
    reason_code: Annotated[str, Form()] = "",
    note: LongNote = "",
) -> BulkForm:
    try:
        verdict = _verdict(action, reason_code, note)
    except ValidationError:
        raise UiRefused(422, Msg("Choose an action and a reason for the bulk decision.")) from None
    except DomainError as exc:
        raise UiRefused(
            exc.status, Msg("The bulk decision is incomplete: {reason}.", reason=exc.message)
        ) from None
    return BulkForm(case_ids, verdict)


Bulk = Annotated[BulkForm, Depends(bulk_form)]


@router.post("/preview", summary="What a bulk decision would do to each ticked case")
def preview(page: Senior, form: Bulk) -> Response:
    planned = plan(page.session, page.user, form.case_ids, form.verdict)
    return page.render(
        "supervise_bulk.html",
        planned=planned,
        applies=[p for p in planned if p.applies],
        verdict=form.verdict,
        cap=BULK_CAP,
    )


@router.post("/apply", summary="Apply a previewed bulk decision, case by case")
def apply(rt: AppRuntimeDep, page: Senior, form: Bulk) -> Response:
    session, user = page.session, page.user
    policy = active_policy(session, rt.policy)
    done = skipped = 0
    for item in plan(session, user, form.case_ids, form.verdict):  # re-planned: the queue moved
        if not item.applies:
            skipped += 1
            continue
        try:
            with session.begin_nested():  # one case failing leaves the others decided
                case = case_by_id(session, item.case_id)
                if case is not None and case.status != CaseStatus.CLAIMED:
                    queue.reassign(session, item.case_id, user.actor, user.username, SENIOR_ROLES)
                decide(session, item.case_id, user.actor, form.verdict, policy=policy)
            done += 1
        except DomainError:
            skipped += 1
    return RedirectResponse(
        f"/ui/supervise?notice=bulk&done={done}&skipped={skipped}", status_code=303
    )
