"""Where other domains plug into the pipeline, so the pipeline never calls them by name.

Webhooks tell the platform about decisions and confirmed enforcement; statements open a
counter-statement draft after a removal and label posts that repeat a claim they answered;
incidents say which incident a post belongs to. Each registers here when its module is
imported; `runtime/domains.py` imports them all, so every process (API, worker, CLI) has the
same listeners. Listeners run inside the transaction that made the change, so what they write
commits or rolls back with it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from sqlalchemy.orm import Session

from core.listeners import Listeners
from pipeline.models import Decision, EnforcementAction, Post

DecisionListener = Callable[[Session, Decision, Post], None]
EnforcementListener = Callable[[Session, EnforcementAction, Post | None], None]
IncidentOfPost = Callable[[Session, str], str | None]
# Prepared once per intake request with the claim ids its confirmed matches name, then called
# for each post linked to one of them.
PerLink = Callable[[str, Post], None]
ConfirmedMatchListener = Callable[[Session, Collection[str]], PerLink]

_decided: Listeners[DecisionListener] = Listeners()
_enforced: Listeners[EnforcementListener] = Listeners()
_incident_of: Listeners[IncidentOfPost] = Listeners()
_confirmed: Listeners[ConfirmedMatchListener] = Listeners()

on_decided = _decided.add  # a case decided (appeals included), after the decision is logged
on_enforcement_confirmed = _enforced.add  # the platform confirmed an action (or an undo)
incident_lookup = _incident_of.add  # which incident a post belongs to: its case opens under it
on_claims_confirmed = _confirmed.add  # intake linked posts to claims on confirmed matches


def decided(session: Session, decision: Decision, post: Post) -> None:
    for listener in _decided:
        listener(session, decision, post)


def enforcement_confirmed(session: Session, action: EnforcementAction, post: Post | None) -> None:
    for listener in _enforced:
        listener(session, action, post)


def incident_of(session: Session, post_id: str) -> str | None:
    for lookup in _incident_of:
        found = lookup(session, post_id)
        if found is not None:
            return found
    return None


def claims_confirmed(session: Session, claim_ids: Collection[str]) -> PerLink:
    prepared = [listener(session, claim_ids) for listener in _confirmed]

    def each(claim_id: str, post: Post) -> None:
        for per_link in prepared:
            per_link(claim_id, post)

    return each
