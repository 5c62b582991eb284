"""What the pipeline calls at the moments the platform hears about: one line at each place.

Payloads carry ids and outcomes, never reviewer names (the platform does not need them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from webhooks.schemas import EventType
from webhooks.service import enqueue_event

if TYPE_CHECKING:
    from pipeline.models import Decision, EnforcementAction, Post

UNDO_ACTION = "undo"


def decision_made(session: Session, decision: Decision, post: Post) -> None:
    enqueue_event(
        session,
        EventType.DECISION_MADE,
        {
            "post_id": post.id,
            "decision_id": decision.id,
            "case_id": decision.case_id,
            "action": decision.action,
            "reason_code": decision.reason_code,
            "territories": list(decision.territories or []),
            "is_drill": post.is_drill,
        },
    )


def enforcement_confirmed(session: Session, action: EnforcementAction, post: Post | None) -> None:
    """A confirmed undo is a restoration; anything else (remove, label, …) is enforcement."""
    event = (
        EventType.POST_RESTORED if action.action == UNDO_ACTION else EventType.ENFORCEMENT_CONFIRMED
    )
    enqueue_event(
        session,
        event,
        {
            "post_id": action.post_id,
            "action_id": action.id,
            "action": action.action,
            "platform_reference": action.platform_reference,
            "post_status": post.status if post else None,
            "is_drill": bool(post and post.is_drill),
        },
    )
