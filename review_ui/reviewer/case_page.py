"""Rendering the case page: the post, its context, the policy and the decision form."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from pipeline.models import Decision, EnforcementAction, Post, ReviewCase
from pipeline.policy_store import active_policy
from pipeline.repository.console import note_draft
from pipeline.repository.decisions import decision_by_id, enforcement_of
from pipeline.routing import RoutingPolicy
from review_ui.auth import UiUser
from review_ui.reviewer.case_context import matched_claims, related_posts
from review_ui.reviewer.case_history import BLIND, case_history, routed_rule
from review_ui.reviewer.case_view import build_case_view
from review_ui.reviewer.guidance import LEGEND, case_guidance, reason_lines
from review_ui.reviewer.highlight import is_media_url
from review_ui.reviewer.shift import shift_counts
from review_ui.reviewer.wellness import wellness_of
from review_ui.templating import render

_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
NOTICES = {
    "extended": "Lease extended by ten minutes.",
    "no-extension": "The lease cannot be extended again: decide, escalate or release.",
    "skipped": "Case skipped; it goes back to the queue for someone else. Here is the next.",
}


@dataclass(frozen=True)
class Previous:
    """The decision just made, shown on the next case so no page sits between cases."""

    decision: Decision
    enforcement: EnforcementAction | None


def media_links(post: Post) -> list[str]:
    """The post's media: its own URL when it is a media file, and media linked in its text."""
    found = [post.url] if post.url and is_media_url(post.url) else []
    found += [u for u in _URL.findall(post.text) if is_media_url(u) and u not in found]
    return found[:6]


def previous(session: Session, decision_id: str, username: str) -> Previous | None:
    decision = decision_by_id(session, decision_id[:32]) if decision_id else None
    if decision is None or decision.decided_by != username:
        return None
    return Previous(decision, enforcement_of(session, decision.id))


def case_response(
    request: Request,
    session: Session,
    user: UiUser,
    case: ReviewCase,
    fallback: RoutingPolicy,
    context: dict[str, object],
    *,
    error: str = "",
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """`context` carries the role's choices (reasons, actions, case actions) from reviewer.py."""
    view = build_case_view(session, case)
    claims = matched_claims(session, view.post, view.score)
    policy = active_policy(session, fallback)
    form = dict(form or {})
    if not form.get("note"):
        form["note"] = note_draft(session, case.id, user.username)
    notice = NOTICES.get(request.query_params.get("notice", ""), "")
    return render(
        request,
        "review/case.html",
        user,
        status,
        view=view,
        shift=shift_counts(session, user.username),
        error=error,
        form=form,
        notice=notice,
        claims=claims,
        related=related_posts(session, case, view.post, claims),
        reason_lines=reason_lines(view.post.text, view.reasons),
        legend=LEGEND,
        guidance=case_guidance(
            policy, band=case.band, rule=routed_rule(session, case.post_id), stage=case.stage
        ),
        history=case_history(session, case),
        blind=case.stage in BLIND,
        media=media_links(view.post),
        wellness=wellness_of(session, user.username),
        previous=previous(session, request.query_params.get("after", ""), user.username),
        **context,
    )
