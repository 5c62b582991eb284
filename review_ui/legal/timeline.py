"""Action-log events as legal reads them: the action in words, who, when, why, and what changed
in a sentence, instead of the stored key/value document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from core.outbound import is_web_link
from pipeline.repository.cases import case_by_id
from pipeline.repository.posts import post_by_id
from review_ui.i18n import Msg

WORDS = {
    "case.opened": Msg("Case opened"),
    "case.queued": Msg("Queued for review"),
    "case.claimed": Msg("Taken by a reviewer"),
    "case.released": Msg("Released back to the queue"),
    "case.lease_expired": Msg("Reviewer's time ran out"),
    "case.lease_extended": Msg("Reviewer took more time"),
    "case.escalated": Msg("Escalated"),
    "case.reassigned": Msg("Reassigned"),
    "case.decided": Msg("Decided"),
    "case.second_reviewed": Msg("Second review"),
    "case.decision_corrected": Msg("Decision corrected"),
    "case.decision_undone": Msg("Decision undone"),
    "enforcement.requested": Msg("Action sent to the platform"),
    "enforcement.confirmed": Msg("Platform confirmed the action"),
    "enforcement.failed": Msg("Platform action failed"),
    "post.scored": Msg("Post scored by the model"),
    "post.labelled": Msg("Label applied"),
    "claim.post_linked": Msg("Linked to a library claim"),
    "statement.drafted": Msg("Statement drafted for PR"),
    "statement.published": Msg("Statement published"),
    "log.searched": Msg("Log searched"),
    "log.exported": Msg("Log exported"),
}
LABELS = {
    "action": "action",
    "reason_code": "reason",
    "territories": "territories",
    "stage": "stage",
    "case_status": "case",
    "post_status": "post",
    "status": "status",
    "agrees": "agrees with first review",
    "to": "to",
    "public_facts": "facts told to the author",
    "legal_ground": "legal ground",
    "platform_reference": "platform reference",
    "score": "score",
}
SKIP = {"filters", "chain"}


@dataclass(frozen=True)
class TimelineRow:
    at: str
    action: str  # stored code, kept for searching
    words: str
    actor: str
    reason: str
    outcome: str


def words_for(action: str) -> str:
    return WORDS.get(action) or action.replace(".", ": ", 1).replace("_", " ").capitalize()


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    return str(value).replace("_", " ")


def outcome(after: dict[str, Any]) -> str:
    """The known outcome fields in words (`action: remove · reason: false claim`)."""
    parts = []
    for key, label in LABELS.items():
        value = after.get(key)
        if value not in (None, "", []):
            parts.append(f"{label}: {_value(value)}")
    return " · ".join(parts)


def timeline_row(doc: dict[str, Any]) -> TimelineRow:
    v = doc.get("veracity", {})
    action = str(doc.get("event", {}).get("action", ""))
    after = {k: val for k, val in (v.get("after") or {}).items() if k not in SKIP}
    return TimelineRow(
        at=str(doc.get("@timestamp", ""))[:19].replace("T", " "),
        action=action,
        words=words_for(action),
        actor=str(doc.get("user", {}).get("name", "")),
        reason=str(v.get("reason") or ""),
        outcome=outcome(after),
    )


@dataclass(frozen=True)
class PostView:
    id: str
    text: str
    author: str
    posted_at: str
    link: str | None
    views: int


def case_post(session: Session, case_id: str) -> PostView | None:
    case = case_by_id(session, case_id)
    post = post_by_id(session, case.post_id) if case else None
    if post is None:
        return None
    author = post.author_name or post.author_id or "unknown"
    if post.author_name and post.author_id:
        author = f"{post.author_name} ({post.author_id})"
    return PostView(
        id=post.id,
        text=post.text,
        author=author,
        posted_at=post.created_at.strftime("%Y-%m-%d %H:%M UTC") if post.created_at else "—",
        link=post.url if post.url and is_web_link(post.url) else None,
        views=post.views,
    )
