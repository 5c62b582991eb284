"""A case's history as the reviewer reads it: who did what to this post's cases, and why.

Read from the action log. A blind review (second review, QA sample) shows that a first
decision was made and by whom, never its verdict, so the second opinion stays independent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from audit.events import Action
from audit.repository import latest_post_event, post_events_newest_first
from pipeline.models import CaseStage, ReviewCase
from review_ui.i18n import Msg

SHOWN = {
    Action.CASE_QUEUED: Msg("queued"),
    Action.CASE_CLAIMED: Msg("claimed"),
    Action.CASE_RELEASED: Msg("released"),
    Action.CASE_SKIPPED: Msg("skipped"),
    Action.CASE_ESCALATED: Msg("escalated"),
    Action.CASE_REASSIGNED: Msg("reassigned"),
    Action.CASE_LEASE_EXPIRED: Msg("lease expired"),
    Action.CASE_LEASE_EXTENDED: Msg("lease extended"),
    Action.CASE_DECIDED: Msg("decided"),
    Action.CASE_SECOND_REVIEWED: Msg("second review"),
    Action.CASE_QA_SAMPLED: Msg("drawn for QA"),
    Action.POST_APPEALED: Msg("appealed by the author"),
    Action.POST_RESTORED: Msg("restored"),
    Action.DECISION_CORRECTED: Msg("decision corrected"),
    Action.DECISION_UNDONE: Msg("decision undone"),
}
BLIND = (CaseStage.SECOND.value, CaseStage.QA.value)
VERDICTS = {
    Action.CASE_DECIDED.value,
    Action.CASE_SECOND_REVIEWED.value,
    Action.DECISION_CORRECTED.value,
    Action.DECISION_UNDONE.value,
    Action.POST_RESTORED.value,
}
LIMIT = 40


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    what: str
    detail: str


def _detail(action: str, veracity: dict[str, Any]) -> str:
    after, before = veracity.get("after") or {}, veracity.get("before") or {}
    reason = str(veracity.get("reason") or "")
    if action == Action.CASE_ESCALATED.value:
        role = str(after.get("required_role", "")).replace("_", " ")
        return f"to {role}" + (f": {reason}" if reason else "")
    if action == Action.CASE_REASSIGNED.value:
        return f"to {after.get('claimed_by')}"
    if action == Action.CASE_DECIDED.value:
        verdict = str(after.get("action", "")).replace("_", " ")
        return f"{verdict} ({reason})" if reason else verdict
    if action == Action.CASE_SECOND_REVIEWED.value:
        agreed = "agreed" if after.get("agrees") else "disagreed"
        return f"{agreed}: {before.get('first_action')} then {after.get('action')}"
    if action in (Action.DECISION_CORRECTED.value, Action.DECISION_UNDONE.value):
        return f"{before.get('action')} to {after.get('action')}: {reason}"
    return reason


def case_history(session: Session, case: ReviewCase) -> list[HistoryEntry]:
    blind = case.stage in BLIND
    events = post_events_newest_first(session, case.post_id, [a.value for a in SHOWN], LIMIT)
    entries = []
    for event in reversed(events):
        veracity = event.document.get("veracity")
        detail = _detail(event.action, veracity if isinstance(veracity, dict) else {})
        if blind and event.action in VERDICTS:
            detail = Msg("verdict hidden: this is a blind review")
        entries.append(
            HistoryEntry(event.timestamp, event.actor_name, SHOWN[Action(event.action)], detail)
        )
    return entries


def routed_rule(session: Session, post_id: str) -> str | None:
    """The routing rule that queued the post (the latest `post.routed` event's)."""
    event = latest_post_event(session, post_id, Action.POST_ROUTED.value)
    veracity = event.document.get("veracity") if event else None
    after = veracity.get("after") if isinstance(veracity, dict) else None
    rule = after.get("rule") if isinstance(after, dict) else None
    return str(rule) if rule else None
