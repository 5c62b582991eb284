"""What a re-sent post id may read and change of the post stored under it (`pipeline.intake`).

- Drills are a tenant of their own: a request whose drill status differs from a stored post's
  is refused whole (`drill_mismatch`), so a drill never reads or writes a real post and the
  platform never reads or writes a drill post.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.errors import Conflict
from core.messages import Msg
from pipeline.models import Post


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
