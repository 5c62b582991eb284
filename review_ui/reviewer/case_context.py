"""What a case is connected to: the debunked claims it matches and related posts.

Claims come from three places: the matches stored with the score at intake (at "suggested"
or above under the active routing policy), links in `claim_posts` (a reviewer's or the
matcher's) and legacy `claim_match:<id>:<similarity>` score flags. A retired claim is kept for
the record but no longer matched, so it is not offered here (nor relates posts), whatever links
it. Related posts are those of the same incident (the incidents domain's narrative posts);
without an incident, posts linked to the same claims.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select
from sqlalchemy.orm import Session

from claims.models import Claim
from claims.repository import claims_by_id, linked_post_ids, links_of_post
from incidents.models import Incident
from incidents.repository.incidents import incident_by_id
from incidents.repository.narratives import narrative_incident, narrative_post_ids
from pipeline.models import Post, ReviewCase, Score
from pipeline.policy_store import active_policy
from pipeline.repository.posts import posts_with_case_status
from pipeline.triage import flag_matches, match_status, stored_matches
from review_ui.reviewer.highlight import is_sensitive_text

RELATED_LIMIT = 8
SNIPPET = 160


@dataclass(frozen=True)
class MatchedClaim:
    claim: Claim
    similarity: float | None
    via: str  # "matcher" (stored match or score flag), or who linked it
    status: str | None = None  # suggested or confirmed (the matcher's); None for a link only


@dataclass(frozen=True)
class RelatedPost:
    post_id: str
    snippet: str
    views: int
    case_status: str | None
    sensitive: bool


@dataclass(frozen=True)
class Related:
    incident: Incident | None
    posts: list[RelatedPost]
    basis: str  # "incident", "claim" or "" when nothing relates


def _flag_matches(flags: list[str]) -> dict[str, float]:
    """Every claim named in the flags with its best similarity (routing keeps only the top)."""
    found: dict[str, float] = {}
    for match in flag_matches(flags):
        found[match.claim_id] = max(match.similarity, found.get(match.claim_id, 0.0))
    return found


def matched_claims(session: Session, post: Post, score: Score | None) -> list[MatchedClaim]:
    links = {link.claim_id: link for link in links_of_post(session, post.id)}
    flagged = _flag_matches(list(score.flags)) if score else {}
    dense: dict[str, float | None] = {}  # the stored matches' dense scores (legacy flags: none)
    if score is not None and score.claim_matches:
        policy = active_policy(session)
        for match in stored_matches(score.claim_matches):
            if match.status(policy) is not None:
                flagged[match.claim_id] = max(match.similarity, flagged.get(match.claim_id, 0.0))
                dense[match.claim_id] = match.dense
    ids = set(links) | set(flagged)
    if not ids:
        return []
    policy = active_policy(session)
    claims = {c.id: c for c in claims_by_id(session, ids) if c.retired_at is None}
    found = []
    for claim_id, claim in claims.items():
        link = links.get(claim_id)
        similarity = flagged.get(claim_id, link.similarity if link else None)
        status = (
            match_status(similarity, policy, dense.get(claim_id))
            if claim_id in flagged and similarity
            else None
        )
        via = link.linked_by if link else "matcher"
        found.append(MatchedClaim(claim, similarity, via, status))
    return sorted(found, key=lambda m: -(m.similarity or 0.0))


def related_posts(
    session: Session, case: ReviewCase, post: Post, claims: list[MatchedClaim]
) -> Related:
    incident = _incident_of(session, case, post)
    if incident is not None:
        ids = narrative_post_ids(incident.id)
        return Related(incident, _posts(session, ids, post.id), "incident")
    claim_ids = [m.claim.id for m in claims]
    if claim_ids:
        ids = linked_post_ids(claim_ids)
        return Related(None, _posts(session, ids, post.id), "claim")
    return Related(None, [], "")


def _incident_of(session: Session, case: ReviewCase, post: Post) -> Incident | None:
    incident_id = case.incident_id or narrative_incident(session, post.id)
    return incident_by_id(session, incident_id) if incident_id else None


def _posts(session: Session, ids: Select[str], own_id: str) -> list[RelatedPost]:
    rows = posts_with_case_status(session, ids, own_id, RELATED_LIMIT * 2)
    seen: dict[str, RelatedPost] = {}
    for rel, status in rows:
        if rel.id not in seen:
            text = rel.text if len(rel.text) <= SNIPPET else rel.text[: SNIPPET - 1] + "…"
            seen[rel.id] = RelatedPost(rel.id, text, rel.views, status, is_sensitive_text(rel.text))
    return list(seen.values())[:RELATED_LIMIT]
