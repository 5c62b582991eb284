"""The detection scan: read newly scored posts, key each to its narrative (a matched claim, a
near-duplicate, or the nearest embedding centroid: `incidents.narrative_keys`), and feed
`observe_post`. Runs periodically (CLI `veracity incidents scan`, the drill runner) and picks
up where it left off through a cursor, so it is safe to repeat.

A post the triage sends to ignore (`route_stored(...).queue` is false: ignore band, not
check-worthy) never opens an incident, however far it reached: it is filed under its narrative
and counts once a post the triage queues opens one (or joins one already open), so a narrative
of ignored posts alone, or one viral ignored post, opens nothing.

A post's claim is the confirmed match to a false or misleading claim that intake stored with
its score (`pipeline.triage`, the routing policy's threshold), so incidents and routing agree
on what a post repeats; `match_claims` runs only for posts scored without matching (before
triage existed, or by a process without the matcher)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from claims.index import VectorIndex
from classifier.post_text import with_author
from core.clock import utcnow
from incidents.models import NarrativePost, ScanCursor
from incidents.narrative_keys import NarrativeKeyer, claim_of
from incidents.narratives import TextEmbedder
from incidents.policy_store import active_incident_policy
from incidents.repository.cases import posts_after
from incidents.repository.incidents import live_incident_of_key
from incidents.repository.narratives import counted_under
from incidents.service import observe_post
from incidents.severity import IncidentPolicy
from incidents.sync import sync_milestones
from pipeline.models import Post, Score
from pipeline.policy_store import active_policy
from pipeline.repository.posts import scores_oldest_first
from pipeline.routing import route_stored
from pipeline.triage import CONFIRMED, best_debunked, stored_matches

if TYPE_CHECKING:  # the matcher's modules load models' runtimes; only its type is needed here
    from claims.matching.model import MatcherParts

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
    from claims.matching.library import confirmed_lookup, library_matcher, library_rows

    matcher = library_matcher(session, parts, index)
    if not len(matcher):
        return None
    raw = confirmed_lookup(matcher, {row.id: row.text for row in library_rows(session)})
    return lambda texts: [ClaimHit(*hit) if hit else None for hit in raw(texts)]


def _next_posts(session: Session, limit: int) -> list[Post]:
    return posts_after(session, session.get(ScanCursor, CURSOR), limit)


def _latest_scores(session: Session, posts: list[Post]) -> dict[str, Score]:
    latest: dict[str, Score] = {}
    for score in scores_oldest_first(session, [p.id for p in posts]):
        latest[score.post_id] = score
    return latest


def _ignored(
    session: Session, posts: list[Post], latest: dict[str, Score], now: datetime
) -> set[str]:
    """Posts the triage does not queue under the active routing policy (unscored: none)."""
    policy = active_policy(session)
    by_id = {p.id: p for p in posts}
    return {
        post_id
        for post_id, score in latest.items()
        if not route_stored(by_id[post_id], score, now, policy).queue
    }


def _file_quietly(
    session: Session, post: Post, key: str, similarity: float | None, now: datetime
) -> None:
    """A post triage ignores joins its narrative without the opening check: counted (volume
    and reach) when a post triage queues opens the incident, never opening one itself."""
    if not counted_under(session, key, post.id):
        session.add(
            NarrativePost(
                key=key,
                post_id=post.id,
                reach=post.views + 5 * post.shares,
                region=post.region or post.lang,
                similarity=similarity,
                is_drill=post.is_drill,
                observed_at=now,
            )
        )
        session.flush()


def _claim_hits(
    session: Session,
    posts: list[Post],
    latest: dict[str, Score],
    match_claims: ClaimLookup | None,
) -> list[ClaimHit | None]:
    stored = _stored_hits(session, latest)
    unmatched = [i for i, p in enumerate(posts) if p.id not in stored]
    hits = [stored.get(p.id) for p in posts]
    if match_claims and unmatched:
        texts = [with_author(posts[i].text, posts[i].author_name) for i in unmatched]
        for i, hit in zip(unmatched, match_claims(texts), strict=True):
            hits[i] = hit
    return hits


def _stored_hits(session: Session, latest: dict[str, Score]) -> dict[str, ClaimHit | None]:
    """post id -> its stored confirmed debunked claim (or None), for posts matched at intake."""
    from claims.models import Claim  # claims builds on pipeline's models

    policy = active_policy(session)
    found: dict[str, ClaimHit | None] = {}
    for post_id, score in latest.items():
        if score.claim_matches is None:
            continue  # not matched at intake
        best = best_debunked(stored_matches(score.claim_matches))
        if best is None or best.status(policy) != CONFIRMED:
            found[post_id] = None
            continue
        claim = session.get(Claim, best.claim_id)
        found[post_id] = ClaimHit(best.claim_id, best.similarity, claim.text if claim else "")
    return found


def scan(
    session: Session,
    match_claims: ClaimLookup | None = None,
    *,
    embed: TextEmbedder | None = None,
    policy: IncidentPolicy | None = None,
    now: datetime | None = None,
    limit: int = BATCH,
) -> int:
    """Observe the next batch of posts; returns how many were read (0 when caught up).
    `embed` (the claim matcher's encoder) groups paraphrases; without it only claim matches
    and near-duplicates do."""
    policy = policy or active_incident_policy(session)
    posts = _next_posts(session, limit)
    if not posts:
        return 0
    latest = _latest_scores(session, posts)
    hits = _claim_hits(session, posts, latest, match_claims)
    ignored = _ignored(session, posts, latest, now or utcnow())
    keyer = NarrativeKeyer(session, posts, embed, policy.window, skip=frozenset(ignored))
    for post, hit in zip(posts, hits, strict=True):
        when = now or utcnow()
        key, cosine = keyer.key(post, hit.claim_id if hit else None, when)
        if post.id in ignored and live_incident_of_key(session, key, post.is_drill) is None:
            _file_quietly(session, post, key, cosine, when)
            continue
        claim_id = claim_of(key)
        observe_post(
            session,
            post.id,
            claim_id=claim_id,
            cluster_key=None if claim_id else key,
            similarity=hit.score if hit else cosine,
            title=hit.title if hit else None,
            policy=policy,
            now=when,
        )
    keyer.save(now or utcnow())
    last = posts[-1]
    session.merge(ScanCursor(name=CURSOR, received_at=last.received_at, post_id=last.id))
    sync_milestones(session)
    return len(posts)
