"""What a re-sent post id may read and change of the post stored under it (`pipeline.intake`).

- Drills are a tenant of their own: a request whose drill status differs from a stored post's
  is refused whole (`drill_mismatch`), so a drill never reads or writes a real post and the
  platform never reads or writes a drill post.
- A post reviewers judged keeps the text they judged: a new text for a post with a decision
  (or a status past queued) is refused (`post_decided`), and so is one for a post whose case a
  reviewer holds (`post_held`); an edit goes under a new post id. A post only scored, or
  waiting unclaimed in the queue, is re-scored on its new text.
- New reach for an unchanged text is stored (the fields the request names) and re-ranks the
  post's waiting case by routing's reach term, with no model call.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.orm import Session

from audit.events import Action, Subject
from audit.service import record
from classifier.thresholds import Band
from core.actors import Actor
from core.clock import utcnow
from core.errors import Conflict
from core.messages import Msg
from pipeline.models import WAITING_STATUSES, CaseStatus, Post, PostStatus, ReviewCase, Score
from pipeline.repository.cases import open_case_of_post
from pipeline.repository.decisions import latest_human_decision_ids
from pipeline.routing import Reach, RoutingPolicy, reach_priority, reach_velocity, route_stored
from pipeline.schemas import PostIn

REACH_FIELDS = ("views", "shares", "author_followers")
_UNJUDGED = (PostStatus.SCORED, PostStatus.QUEUED)


def _ids(posts: Iterable[str]) -> str:
    return ", ".join(sorted(posts))


def refuse_other_tenant(posts: Iterable[Post], is_drill: bool) -> None:
    """Refuse the request if any stored post of it belongs to the other tenant."""
    other = [p.id for p in posts if p.is_drill != is_drill]
    if not other:
        return
    if is_drill:
        message = Msg(
            "real posts cannot be sent as drill data: {ids}; a drill sends post ids of its own",
            ids=_ids(other),
        )
    else:
        message = Msg(
            "drill posts cannot be sent as real data: {ids}; send real posts under ids no "
            "drill has used",
            ids=_ids(other),
        )
    raise Conflict(message, code="drill_mismatch")


def refuse_judged_edits(session: Session, edited: Sequence[Post], *, lock: bool = True) -> None:
    """Refuse the request if reviewers decided on, or hold, any of `edited` (stored posts the
    request sends a different text for). Intake checks before scoring with `lock` False (a
    refused edit costs no model call, and no lock is held while the model runs), and again,
    locked, when it writes the rows."""
    if not edited:
        return
    decisions = latest_human_decision_ids(session, [p.id for p in edited])
    decided = [p.id for p in edited if p.status not in _UNJUDGED or p.id in decisions]
    if decided:
        raise Conflict(
            Msg(
                "posts decided on their earlier text: {ids}; send the edited text under a new "
                "post id",
                ids=_ids(decided),
            ),
            code="post_decided",
        )
    # locked: an edit racing a reviewer's claim is judged on the claim once it commits
    held = [p.id for p in edited if _held(open_case_of_post(session, p.id, for_update=lock))]
    if held:
        raise Conflict(
            Msg(
                "posts a reviewer is reviewing on their earlier text: {ids}; send the edited "
                "text under a new post id",
                ids=_ids(held),
            ),
            code="post_held",
        )


def _held(case: ReviewCase | None) -> bool:
    return case is not None and case.status == CaseStatus.CLAIMED


def _reach(post: Post) -> Reach:
    return Reach(post.views, post.shares, post.created_at)


def update_reach(
    session: Session,
    post: Post,
    score: Score,
    sent: PostIn,
    policy: RoutingPolicy,
    actor: Actor,
    request_id: str | None,
) -> None:
    """Store the reach fields `sent` names for `post` (same text, not re-scored) and re-rank
    the post's waiting case, if it has one."""
    changed = {
        name: getattr(sent, name)
        for name in REACH_FIELDS
        if name in sent.model_fields_set and getattr(sent, name) != getattr(post, name)
    }
    if not changed:
        return
    before = _reach(post)
    for name, value in changed.items():
        setattr(post, name, value)
    case = open_case_of_post(session, post.id)
    if case is not None and case.status in WAITING_STATUSES:
        _rerank(session, case, post, score, before, policy, actor, request_id)


def _rerank(
    session: Session,
    case: ReviewCase,
    post: Post,
    score: Score,
    before: Reach,
    policy: RoutingPolicy,
    actor: Actor,
    request_id: str | None,
) -> None:
    """Move the case's priority by what the new reach changes in routing's formula (a boost it
    got since, e.g. an incident surge, stays), and raise a review case to urgent when routing
    would now (`urgent_velocity`); a case's level is never lowered here."""
    now = utcnow()
    priority = case.priority + reach_priority(reach_velocity(_reach(post), now), policy)
    priority -= reach_priority(reach_velocity(before, now), policy)
    band, due_at = case.band, case.due_at
    routed = route_stored(post, score, now, policy)
    if band == Band.REVIEW and routed.rule == "reach" and routed.due_at is not None:
        band, due_at = routed.band, min(due_at, routed.due_at)
        priority = max(priority, routed.priority)
    priority = round(priority, 6)
    if (priority, band) == (case.priority, case.band):
        return
    record(
        session,
        Action.CASE_REPRIORITISED,
        actor,
        Subject(post_id=post.id, case_id=case.id),
        reason="reach updated",
        policy_version=policy.version,
        before={"priority": case.priority, "band": case.band},
        after={"priority": priority, "band": band, "views": post.views, "shares": post.shares},
        request_id=request_id,
        is_drill=post.is_drill,
    )
    case.priority, case.band, case.due_at = priority, band, due_at
