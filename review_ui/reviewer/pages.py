"""The reviewer's workspace: the queue, one case at a time, decisions and their enforcement."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from api.process import AppProcess, AppRuntimeDep
from audit.events import Action
from audit.repository import post_events_newest_first
from core.errors import Conflict, DomainError, NotFound
from core.roles import Role
from pipeline import qa, queue
from pipeline.decisions import decide
from pipeline.models import CaseStage, CaseStatus, Decision, EnforcementAction, ReviewCase
from pipeline.policy_store import active_policy
from pipeline.repository.cases import case_by_id, cases_per_band, current_case_of
from pipeline.repository.console import drop_note_draft, save_note_draft
from pipeline.repository.decisions import decision_by_id, enforcement_of
from pipeline.schemas import DecisionAction, ReasonCode
from review_ui.auth import UiRefused, UiUser
from review_ui.form_errors import field_problem
from review_ui.form_fields import LONG_NOTE_LIMIT, Typed
from review_ui.i18n import Msg
from review_ui.page import CaseWorkerPage, UiPage
from review_ui.reviewer import queue_filter
from review_ui.reviewer.case_page import case_response
from review_ui.reviewer.case_view import held_by
from review_ui.reviewer.decision_form import DecisionForm, decision_form, refusal_of
from review_ui.reviewer.shift import shift_counts
from review_ui.reviewer.wellness import wellness_of

router = APIRouter(prefix="/review")

REASON_LABELS = {
    ReasonCode.FALSE_CLAIM: Msg("False claim"),
    ReasonCode.MISLEADING_CONTEXT: Msg("Misleading context"),
    ReasonCode.MANIPULATED_MEDIA: Msg("Manipulated media"),
    ReasonCode.SATIRE_OR_OPINION: Msg("Satire or opinion"),
    ReasonCode.NOT_MISINFORMATION: Msg("Not misinformation"),
    ReasonCode.OTHER: Msg("Other (explain in the note)"),
}
ACTIONS = (
    (DecisionAction.REMOVE, Msg("Remove"), "r"),
    (DecisionAction.LABEL, Msg("Label"), "l"),
    (DecisionAction.REDUCE_REACH, Msg("Reduce reach"), "d"),
    (DecisionAction.GEO_RESTRICT, Msg("Geo-restrict"), "g"),
    (DecisionAction.NO_ACTION, Msg("No action"), "x"),
)
SKIP, RELEASE = ("skip", Msg("Skip"), "s"), ("release", Msg("Release"), "u")
# Reviewers escalate to senior reviewers, seniors to legal; legal is the last step.
ESCALATE_TO = {
    Role.REVIEWER.value: Role.SENIOR_REVIEWER.value,
    Role.SENIOR_REVIEWER.value: Role.LEGAL.value,
}
CASE_ACTIONS = {
    Role.REVIEWER.value: (SKIP, ("escalate", Msg("Escalate to a senior"), "e"), RELEASE),
    Role.SENIOR_REVIEWER.value: (SKIP, ("escalate", Msg("Escalate to legal"), "e"), RELEASE),
    Role.LEGAL.value: (SKIP, RELEASE),
}
NOTICES = {
    "empty": Msg("The queue is empty. Nothing to review right now."),
    "empty-filtered": Msg("No case matches your filter; clear it to take any case."),
    "released": Msg("Case released back to the queue."),
    "skipped": Msg("Case skipped; it goes back to the queue for someone else."),
    "escalated": Msg("Case escalated to a senior reviewer."),
    "escalated-legal": Msg("Case escalated to legal."),
    "lost": Msg("You no longer hold that case (its lease ran out or it was decided)."),
    "lost-kept": Msg(
        "Your lease on that case ran out, so your decision was not recorded. Your note is saved"
        " and comes back when you take the case again."
    ),
    "reassigned": Msg(
        "That case was reassigned to another reviewer, so your decision was not recorded. Your"
        " note is kept as your draft on the case."
    ),
    "taken": Msg(
        "Your lease on that case ran out and another reviewer took it, so your decision was not"
        " recorded. Your note is kept as your draft on the case."
    ),
    "decided": Msg("That case was already decided, so your decision was not recorded."),
    "qa-done": Msg("QA verdict recorded. The queue is empty."),
}


def _to_queue(notice: str) -> Response:
    return RedirectResponse(f"/ui/review?notice={notice}", status_code=303)


@router.get("", summary="The reviewer's queue overview")
def overview(page: CaseWorkerPage) -> Response:
    return _overview(page, page.notice(NOTICES))


def _overview(page: UiPage, notice: str, status: int = 200) -> Response:
    session, user = page.session, page.user
    if user.role == Role.LEGAL:  # legal sees, and can claim, only what was escalated to it
        depth = cases_per_band(
            session, [CaseStatus.ESCALATED, CaseStatus.CLAIMED], required_role=Role.LEGAL.value
        )
    else:
        depth = cases_per_band(session, [CaseStatus.OPEN, CaseStatus.CLAIMED])
    return page.render(
        "review/overview.html",
        status,
        notice=notice,
        depth=depth,
        legal=user.role == Role.LEGAL,
        filters=queue_filter.from_cookie(page.request),
        choices=queue_filter.choices(session),
        held=current_case_of(session, user.username),
        shift=shift_counts(session, user.username),
        wellness=wellness_of(session, user.username),
    )


@router.post("/next", summary="Claim the next case (or resume the one you hold)")
def next_case(
    page: CaseWorkerPage,
    set_filter: Annotated[str, Form()] = "",
    lang: Annotated[str | None, Form(max_length=16)] = None,
    topic: Annotated[str | None, Form(max_length=64)] = None,
) -> Response:
    """The overview's form sets the filter (and it is remembered); `n` elsewhere reuses it.
    (`set_filter` marks that form: an "any" choice arrives as no field at all.)"""
    given = bool(set_filter) or lang is not None or topic is not None
    try:
        filters = (
            queue_filter.from_form(lang or "", topic or "")
            if given
            else queue_filter.from_cookie(page.request)
        )
    except ValueError as exc:
        return _overview(page, Msg("Not a filter the queue offers: {reason}.", reason=exc), 422)
    case = current_case_of(page.session, page.user.username) or queue.claim_next(
        page.session, page.actor, filters=filters
    )
    if case is None:
        response = _to_queue("empty-filtered" if queue_filter.is_set(filters) else "empty")
    else:
        response = RedirectResponse(f"/ui/review/cases/{case.id}", status_code=303)
    return queue_filter.remember(response, filters) if given else response


@router.get("/cases/{case_id}", summary="One case to decide")
def case_page(case_id: str, rt: AppRuntimeDep, page: CaseWorkerPage) -> Response:
    try:
        case = held_by(page.session, case_id, page.user.username)
    except (Conflict, NotFound):
        return _to_queue("lost")
    return case_response(
        page.request, page.session, page.user, case, rt.policy, _choices(page.user, case)
    )


def _choices(user: UiUser, case: ReviewCase) -> dict[str, object]:
    own = CASE_ACTIONS[user.role]
    return {
        "reasons": list(REASON_LABELS.items()),
        "actions": ACTIONS,
        # A QA sample is answered or released, never escalated (it changes nothing).
        "case_actions": [a for a in own if a[0] != "escalate"] if case.stage == "qa" else own,
    }


@router.post("/cases/{case_id}/decide", summary="Decide the case you hold")
def decide_case(
    case_id: str,
    rt: AppRuntimeDep,
    page: CaseWorkerPage,
    typed: Annotated[DecisionForm, Depends(decision_form)],
) -> Response:
    request, session, user = page.request, page.session, page.user
    try:
        case = held_by(session, case_id, user.username)
    except (Conflict, NotFound):
        return _moved_on(page, case_id, typed.note)

    def refused(error: str, status: int) -> Response:
        """The case again, with the reason and the form as typed."""
        return case_response(
            request,
            session,
            user,
            case,
            rt.policy,
            _choices(user, case),
            error=error,
            form=typed.typed(),
            status=status,
        )

    try:
        decision_in = typed.decision_in()
    except ValidationError as exc:
        return refused(refusal_of(exc), 422)
    try:
        if case.stage == CaseStage.QA:
            qa.review(session, case_id, user.actor, decision_in)
            drop_note_draft(session, case_id, user.username)
            return _next_after(page, None)
        policy = active_policy(session, rt.policy)  # the API's fallback too, not the default
        made = decide(session, case_id, user.actor, decision_in, policy=policy)
    except DomainError as exc:
        if exc.code in _MOVED_ON:  # the lease ran out or moved on as the form was sent
            return _moved_on(page, case_id, typed.note)
        return refused(exc.message, exc.status)
    drop_note_draft(session, case_id, user.username)
    return _next_after(page, made.id)


_MOVED_ON = ("lease_not_held", "case_decided")
_HANDS = (Action.CASE_CLAIMED.value, Action.CASE_REASSIGNED.value)


def _moved_on(page: UiPage, case_id: str, note: str) -> Response:
    """The case is no longer the reviewer's: what they typed in the note stays as their draft
    on it (it comes back if the case does), and the queue says what happened."""
    session, username = page.session, page.user.username
    session.rollback()  # nothing of the refused decision
    case = case_by_id(session, case_id[:32])
    if case is None:
        return _to_queue("lost")
    if case.status == CaseStatus.DECIDED:
        return _to_queue("decided")
    kept = bool(note.strip())
    if kept:
        save_note_draft(session, case.id, username, note.strip())
    if case.status == CaseStatus.CLAIMED and case.claimed_by != username:
        recent = post_events_newest_first(session, case.post_id, _HANDS, 10)
        last = next((e for e in recent if e.case_id == case.id), None)
        reassigned = last is not None and last.action == Action.CASE_REASSIGNED.value
        return _to_queue("reassigned" if reassigned else "taken")
    return _to_queue("lost-kept" if kept else "lost")


def _next_after(page: UiPage, decision_id: str | None) -> Response:
    """Straight on to the next case (no page between cases); the decision's status rides along
    on it. With the queue empty, the decision's own page (or the queue) says so."""
    case = current_case_of(page.session, page.user.username) or queue.claim_next(
        page.session, page.actor, filters=queue_filter.from_cookie(page.request)
    )
    if case is not None:
        after = f"?after={decision_id}" if decision_id else ""
        return RedirectResponse(f"/ui/review/cases/{case.id}{after}", status_code=303)
    if decision_id is None:
        return _to_queue("qa-done")
    return RedirectResponse(f"/ui/review/decisions/{decision_id}?notice=empty", status_code=303)


@router.post("/cases/{case_id}/release", summary="Give the case back to the queue")
def release_case(case_id: str, page: CaseWorkerPage) -> Response:
    try:
        queue.release(page.session, case_id, page.actor)
    except (Conflict, NotFound):
        return _to_queue("lost")
    return _to_queue("released")


@router.post("/cases/{case_id}/skip", summary="Pass the case to someone else")
def skip_case(case_id: str, page: CaseWorkerPage) -> Response:
    """Skipping goes straight on to the next case too (the skipped one is not offered back)."""
    try:
        queue.skip(page.session, case_id, page.actor, reason="skipped in the review UI")
    except (Conflict, NotFound):
        return _to_queue("lost")
    filters = queue_filter.from_cookie(page.request)
    case = queue.claim_next(page.session, page.actor, filters=filters)
    if case is None:
        return _to_queue("skipped")
    return RedirectResponse(f"/ui/review/cases/{case.id}?notice=skipped", status_code=303)


@router.post("/cases/{case_id}/escalate", summary="Hand the case to seniors (or, from one, legal)")
def escalate_case(
    case_id: str, rt: AppRuntimeDep, page: CaseWorkerPage, reason: Typed = ""
) -> Response:
    """`reason` is the note typed on the case (the page's script copies it in), so whoever
    takes the case next reads why it came to them: as long as the note may be."""
    target = ESCALATE_TO.get(page.user.role)
    if target is None:
        raise UiRefused(
            403, Msg("Legal is the last escalation step: decide the case or release it.")
        )
    why = reason.strip()
    try:
        if len(why) > LONG_NOTE_LIMIT:
            return _note_too_long(
                rt, page, held_by(page.session, case_id, page.user.username), reason
            )
        queue.escalate(
            page.session,
            case_id,
            page.actor,
            target,
            why or "escalated in the review UI (no reason typed)",
        )
    except (Conflict, NotFound):
        return _to_queue("lost")
    return _to_queue("escalated-legal" if target == Role.LEGAL.value else "escalated")


def _note_too_long(rt: AppProcess, page: UiPage, case: ReviewCase, note: str) -> Response:
    """The case again with the note as typed, so it can be shortened and sent again."""
    too_long = {"type": "string_too_long", "loc": ("note",), "ctx": {"max_length": LONG_NOTE_LIMIT}}
    return case_response(
        page.request,
        page.session,
        page.user,
        case,
        rt.policy,
        _choices(page.user, case),
        error=field_problem(too_long),
        form={"note": note},
        status=422,
    )


@router.get("/decisions/{decision_id}", summary="A decision and its enforcement status")
def decision_page(decision_id: str, page: CaseWorkerPage) -> Response:
    decision, action = _own_decision(page.session, decision_id, page.user)
    return page.render(
        "review/decision.html",
        notice=page.notice(NOTICES),
        decision=decision,
        enforcement=action,
        shift=shift_counts(page.session, page.user.username),
    )


@router.get("/decisions/{decision_id}/status", summary="Enforcement status, for polling")
def decision_status(decision_id: str, page: CaseWorkerPage) -> Response:
    _, action = _own_decision(page.session, decision_id, page.user)
    return JSONResponse(
        {
            "status": action.status if action else "none",
            "reference": action.platform_reference if action else None,
            "error": action.last_error if action else None,
        },
        headers={"Cache-Control": "no-store"},
    )


def _own_decision(
    session: Session, decision_id: str, user: UiUser
) -> tuple[Decision, EnforcementAction | None]:
    decision = decision_by_id(session, decision_id)
    if decision is None or decision.decided_by != user.username:
        raise UiRefused(404, Msg("No such decision of yours."))
    return decision, enforcement_of(session, decision.id)
