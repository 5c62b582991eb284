"""What a re-sent post id may read and change of the post stored under it (`pipeline.intake`).

- Drills are a tenant of their own: a request whose drill status differs from a stored post's
  is refused whole (`drill_mismatch`), so a drill never reads or writes a real post and the
  platform never reads or writes a drill post.
- A post reviewers judged keeps the text they judged: a new text for a post with a decision
  (or a status past queued) is refused (`post_decided`), and so is one for a post whose case a
  reviewer holds (`post_held`); an edit goes under a new post id. A post only scored, or
  waiting unclaimed in the queue, is re-scored on its new text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.orm import Session

from core.errors import Conflict
from core.messages import Msg
from pipeline.models import CaseStatus, Post, PostStatus, ReviewCase
from pipeline.repository.cases import open_case_of_post
from pipeline.repository.decisions import latest_human_decision_ids

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


def refuse_judged_edits(session: Session, edited: Sequence[Post]) -> None:
    """Refuse the request if reviewers decided on, or hold, any of `edited` (stored posts the
    request sends a different text for)."""
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
    held = [p.id for p in edited if _held(open_case_of_post(session, p.id))]
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
