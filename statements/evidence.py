"""Gathering what a statement may say: the library claim, the decision reasons, the sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.models import Claim, ClaimPost
from claims.service import get_claim
from core.errors import NotFound
from pipeline.models import Decision, ReviewCase


@dataclass
class Evidence:
    claim: dict[str, Any] | None = None
    decisions: list[dict[str, str]] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    @property
    def false_claim(self) -> str | None:
        """The text a counter-statement must not lead with, when the claim is not true."""
        if self.claim and self.claim["verdict"] in {"false", "misleading"}:
            return str(self.claim["text"])
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "decisions": self.decisions,
            "facts": self.facts,
            "sources": self.sources,
        }


def gather(
    session: Session,
    *,
    claim_id: str | None,
    case_id: str | None,
    facts: dict[str, str],
    extra_sources: list[str],
) -> Evidence:
    evidence = Evidence(facts=dict(facts))
    claim = get_claim(session, claim_id) if claim_id else None
    if case_id:
        case = session.get(ReviewCase, case_id)
        if case is None:
            raise NotFound(f"no case {case_id!r}")
        evidence.decisions = [
            {"reason_code": d.reason_code, "action": d.action, "note": d.note, "by": d.decided_by}
            for d in session.scalars(
                select(Decision).where(Decision.case_id == case_id).order_by(Decision.created_at)
            )
        ]
        claim = claim or _claim_linked_to_post(session, case.post_id)
    if claim is not None:
        evidence.claim = {
            "id": claim.id,
            "text": claim.text,
            "verdict": claim.verdict,
            "source_url": claim.source_url,
            "source_name": claim.source_name,
            "explanation": claim.explanation,
        }
    evidence.sources = _unique(
        [claim.source_url] if claim and claim.source_url else [],
        [facts[k] for k in ("status_url", "advisory_url") if facts.get(k)],
        extra_sources,
    )
    return evidence


def _claim_linked_to_post(session: Session, post_id: str) -> Claim | None:
    return session.scalars(
        select(Claim)
        .join(ClaimPost, ClaimPost.claim_id == Claim.id)
        .where(ClaimPost.post_id == post_id)
        .order_by(ClaimPost.created_at.desc())
    ).first()


def _unique(*groups: list[str]) -> list[str]:
    seen: list[str] = []
    for group in groups:
        for url in group:
            if url and url not in seen:
                seen.append(url)
    return seen
