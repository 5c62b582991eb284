"""Adding and finding library claims; each change is logged. Linking posts to claims is the
pipeline's (`pipeline.claim_links`): a claim knows nothing of posts but their ids."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from audit.events import Action, Subject
from audit.service import record
from claims import repository
from claims.models import Claim, stable_claim_id
from claims.repository import ClaimFilter
from claims.schemas import ClaimIn, ImportedClaim
from core.actors import Actor
from core.clock import utcnow
from core.db import get_or_not_found
from core.errors import Invalid
from core.messages import Msg

MAX_PAGE = 200


def _columns(given: ClaimIn | ImportedClaim) -> dict[str, Any]:
    """The claim's columns as given: each field is a column of the same name (the verdict as
    its value, a URL as its text)."""
    return given.model_dump(mode="json")


def add_claim(session: Session, claim_in: ClaimIn, actor: Actor, *, origin: str) -> Claim:
    claim = Claim(**_columns(claim_in), origin=origin, created_by=actor.name)
    session.add(claim)
    session.flush()
    record(
        session,
        Action.CLAIM_ADDED,
        actor,
        Subject(claim_id=claim.id),
        after={"verdict": claim.verdict, "origin": origin, "source_url": claim.source_url},
    )
    return claim


def get_claim(session: Session, claim_id: str) -> Claim:
    return get_or_not_found(
        session, Claim, claim_id, Msg("no claim '{claim_id}'", claim_id=claim_id)
    )


def list_claims(
    session: Session,
    *,
    query: str | None = None,
    verdict: str | None = None,
    origin: str | None = None,
    retired: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Claim]:
    return repository.claims_newest_first(
        session,
        ClaimFilter(query, verdict, origin, retired),
        limit=min(limit, MAX_PAGE),
        offset=offset,
    )


def count_claims(
    session: Session,
    *,
    query: str | None = None,
    verdict: str | None = None,
    origin: str | None = None,
    retired: bool | None = None,
) -> int:
    return repository.claim_count(session, ClaimFilter(query, verdict, origin, retired))


def edit_claim(session: Session, claim_id: str, claim_in: ClaimIn, actor: Actor) -> Claim:
    """New wording, verdict or source; logged with what it was (the matcher refits on it)."""
    claim = get_claim(session, claim_id)
    after = _columns(claim_in)
    before = {f: getattr(claim, f) for f in after}
    for field, value in after.items():
        setattr(claim, field, value)
    if after == before:
        return claim
    claim.updated_at = utcnow()
    changed = [f for f in after if before[f] != after[f]]
    record(
        session,
        Action.CLAIM_EDITED,
        actor,
        Subject(claim_id=claim.id),
        before={f: before[f] for f in changed},
        after={f: after[f] for f in changed},
    )
    return claim


def retire_claim(session: Session, claim_id: str, reason: str, actor: Actor) -> Claim:
    """Soft: the claim stays (statements and links cite it) but is no longer matched."""
    reason = reason.strip()
    if not reason:
        raise Invalid(Msg("say why the claim is retired"), code="reason_required")
    claim = get_claim(session, claim_id)
    if claim.retired_at is not None:
        return claim
    claim.retired_at = utcnow()
    claim.retired_reason = reason
    after = {"retired_at": claim.retired_at.isoformat()}
    record(
        session, Action.CLAIM_RETIRED, actor, Subject(claim_id=claim.id), reason=reason, after=after
    )
    return claim


@dataclass(frozen=True)
class ImportResult:
    read: int
    added: int
    already_present: int


def import_claims(
    session: Session, records: Iterable[ImportedClaim], actor: Actor, *, source: str
) -> ImportResult:
    """Insert claims not yet present (by origin and its own id); one log event for the run."""
    batch = list(records)
    ids = {stable_claim_id(r.origin, r.origin_ref): r for r in batch}
    present: set[str] = set()
    keys = list(ids)
    for start in range(0, len(keys), 500):
        present.update(repository.present_claim_ids(session, keys[start : start + 500]))
    for claim_id, rec in ids.items():
        if claim_id in present:
            continue
        session.add(Claim(id=claim_id, **_columns(rec), created_by=actor.name))
    added = len(ids) - len(present)
    session.flush()
    record(
        session,
        Action.CLAIMS_IMPORTED,
        actor,
        Subject(other={"source": source}),
        after={"read": len(batch), "added": added, "already_present": len(present)},
    )
    return ImportResult(read=len(batch), added=added, already_present=len(present))
