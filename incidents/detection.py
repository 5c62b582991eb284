"""The detection scan: read newly scored posts, match them to claims or near-duplicate
clusters, and feed `observe_post`. Runs periodically (CLI `veracity incidents scan`, the drill
runner) and picks up where it left off through a cursor, so it is safe to repeat."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from claims.index import VectorIndex
from claims.matching_text import with_author
from core.clock import utcnow
from incidents.clustering import band_hashes
from incidents.models import PostShingleBand, ScanCursor
from incidents.service import observe_post
from incidents.severity import IncidentPolicy
from incidents.sync import sync_milestones
from pipeline.models import Post

if TYPE_CHECKING:  # the matcher's modules load models' runtimes; only its type is needed here
    from claims.matching_model import MatcherParts

CURSOR = "posts"
BATCH = 500


@dataclass(frozen=True)
class ClaimHit:
    claim_id: str
    score: float
    title: str


# Given post texts, the confirmed claim match for each (or None).
ClaimLookup = Callable[[Sequence[str]], list[ClaimHit | None]]


def library_lookup(
    session: Session, parts: MatcherParts, index: VectorIndex | None = None
) -> ClaimLookup | None:
    """Confirmed matches against the claim library (false/misleading claims); None if empty."""
    from claims.matching_library import confirmed_lookup, library_matcher, library_rows

    matcher = library_matcher(session, parts, index)
    if not len(matcher):
        return None
    raw = confirmed_lookup(matcher, {row.id: row.text for row in library_rows(session)})
    return lambda texts: [ClaimHit(*hit) if hit else None for hit in raw(texts)]


def cluster_key(session: Session, post: Post, now: datetime, window: timedelta) -> str:
    """The key of an earlier near-duplicate's cluster, or a new one named after this post."""
    bands = band_hashes(post.text)
    if not bands:
        return f"dup:{post.id}"
    earlier = session.scalars(
        select(PostShingleBand.key)
        .where(PostShingleBand.band.in_(bands), PostShingleBand.observed_at >= now - window)
        .order_by(PostShingleBand.observed_at)
        .limit(1)
    ).first()
    key = earlier or f"dup:{post.id}"
    for band in bands:
        session.merge(PostShingleBand(post_id=post.id, band=band, key=key, observed_at=now))
    return key


def _next_posts(session: Session, limit: int) -> list[Post]:
    cursor = session.get(ScanCursor, CURSOR)
    query = select(Post).order_by(Post.received_at, Post.id).limit(limit)
    if cursor is not None:
        query = query.where(
            or_(
                Post.received_at > cursor.received_at,
                and_(Post.received_at == cursor.received_at, Post.id > cursor.post_id),
            )
        )
    return list(session.scalars(query).all())


def scan(
    session: Session,
    match_claims: ClaimLookup | None = None,
    *,
    policy: IncidentPolicy | None = None,
    now: datetime | None = None,
    limit: int = BATCH,
) -> int:
    """Observe the next batch of posts; returns how many were read (0 when caught up)."""
    policy = policy or IncidentPolicy()
    posts = _next_posts(session, limit)
    if not posts:
        return 0
    texts = [with_author(p.text, p.author_name) for p in posts]
    hits = match_claims(texts) if match_claims else [None] * len(posts)
    for post, hit in zip(posts, hits, strict=True):
        when = now or utcnow()
        if hit is not None:
            observe_post(
                session,
                post.id,
                claim_id=hit.claim_id,
                similarity=hit.score,
                title=hit.title,
                policy=policy,
                now=when,
            )
        else:
            key = cluster_key(session, post, when, policy.window)
            observe_post(session, post.id, cluster_key=key, policy=policy, now=when)
    last = posts[-1]
    session.merge(ScanCursor(name=CURSOR, received_at=last.received_at, post_id=last.id))
    sync_milestones(session)
    return len(posts)
