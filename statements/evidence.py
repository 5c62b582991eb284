"""Gathering what a statement may say: the library claim, the decision reasons, the sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from claims.repository import newest_claim_of_post
from claims.service import get_claim
from core.db import get_or_not_found
from core.messages import Msg
from core.outbound import OutboundPolicy, OutboundRefused, is_web_link, require_web_link
from pipeline.models import Post, ReviewCase
from statements import repository

# Facts the templates turn into source links; any fact named `*_url` is held to the same check.
URL_FACTS = ("status_url", "advisory_url")
# The gate as production runs it (no allow-list), for callers without the configured one.
STRICT = OutboundPolicy()


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
    outbound: OutboundPolicy = STRICT,
) -> Evidence:
    evidence = Evidence(facts=checked_facts(facts, outbound))
    extra_sources = checked_sources(extra_sources, outbound)
    claim = get_claim(session, claim_id) if claim_id else None
    if case_id:
        case = get_or_not_found(
            session, ReviewCase, case_id, Msg("no case '{case_id}'", case_id=case_id)
        )
        evidence.decisions = [
            {
                "reason_code": d.reason_code,
                "action": d.action,
                "note": d.note,  # internal: shown to PR, never put in public text
                "public_facts": d.public_facts,
                "by": d.decided_by,
            }
            for d in repository.decisions_oldest_first(session, case_id)
        ]
        claim = claim or newest_claim_of_post(session, case.post_id)
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
        # The library's own link (imported data, not this author's input): kept only if http(s).
        [claim.source_url] if claim and is_web_link(claim.source_url) else [],
        [evidence.facts[k] for k in URL_FACTS if evidence.facts.get(k)],
        extra_sources,
    )
    return evidence


def checked_facts(facts: dict[str, str], outbound: OutboundPolicy = STRICT) -> dict[str, str]:
    """Every URL a statement stores passes the one link check (http/https only): a
    `javascript:` status_url is refused here with a 422 reason, never stored or rendered."""
    for key, value in facts.items():
        if (key in URL_FACTS or key.endswith("_url")) and value:
            checked_link(value, f"facts.{key}", outbound)
    return dict(facts)


def checked_sources(urls: list[str], outbound: OutboundPolicy = STRICT) -> list[str]:
    return [checked_link(url, f"sources[{i}]", outbound) for i, url in enumerate(urls)]


def checked_link(url: str, field: str, outbound: OutboundPolicy) -> str:
    """A link the public pages will render: http(s) (else 422 bad_url), and through the
    outbound gate: no credentials, no loopback, private, link-local or reserved address, named
    literally or by a name that resolves to one (a name that does not resolve yet passes, as at
    every input the gate checks). Refused 422 outbound_url_refused naming `field` and the URL."""
    require_web_link(url, field)
    try:
        return outbound.check(url)
    except OutboundRefused as exc:
        raise OutboundRefused(
            Msg("{field} ({url}) is refused: {reason}", field=field, url=url, reason=exc.message)
        ) from exc


def _unique(*groups: list[str]) -> list[str]:
    seen: list[str] = []
    for group in groups:
        for url in group:
            if url and url not in seen:
                seen.append(url)
    return seen


def post_language(session: Session, case_id: str | None) -> str | None:
    """The language of the post a case is about, "zh" or "en" (detected from its text, else
    the platform's hint); None when there is no case or its language is unknown."""
    case = session.get(ReviewCase, case_id) if case_id else None
    post = session.get(Post, case.post_id) if case else None
    found = (post.detected_lang or post.lang or "") if post else ""
    if not found or found == "und":
        return None
    return "zh" if found.lower().startswith("zh") else "en"
