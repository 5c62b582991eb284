"""Matching posts against the claim library in the database (the `claims` table).

Gives the incident detection scan its claim lookup: a post whose best match reaches the
"confirmed" threshold joins the narrative `claim:<id>`. The matcher is the shipped one
(`claims.matching.model.default_parts`: fine-tuned encoder, re-ranker, fusion and thresholds),
the same that `veracity claims evaluate` measures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from claims.index import VectorIndex
from claims.matching.evaluation import ClaimRow
from claims.matching.matcher import ClaimMatcher
from claims.matching.model import MatcherParts
from claims.repository import live_claims_by_id


def library_rows(
    session: Session, verdicts: Sequence[str] = ("false", "misleading")
) -> list[ClaimRow]:
    claims = live_claims_by_id(session, verdicts)
    return [ClaimRow(c.id, c.text, "") for c in claims]


def library_matcher(
    session: Session,
    parts: MatcherParts,
    index: VectorIndex | None = None,
    *,
    cache_dir: Path | None = None,
) -> ClaimMatcher:
    matcher = parts.matcher(index, cache_dir=cache_dir)
    matcher.fit(library_rows(session))
    return matcher


def confirmed_lookup(
    matcher: ClaimMatcher, titles: dict[str, str]
) -> Callable[[Sequence[str]], list[tuple[str, float, str] | None]]:
    """texts -> (claim id, score, claim text) for confirmed matches, None otherwise."""

    def lookup(texts: Sequence[str]) -> list[tuple[str, float, str] | None]:
        out: list[tuple[str, float, str] | None] = []
        for matches in matcher.match(texts, top=1):
            best = matches[0] if matches else None
            confirmed = best is not None and best.level == "confirmed"
            if best is not None and confirmed:
                out.append((best.claim_id, best.score, titles.get(best.claim_id, "")))
            else:
                out.append(None)
        return out

    return lookup
