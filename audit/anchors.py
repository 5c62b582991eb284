"""External anchors: signed statements of the chain's head, kept by legal outside the system.

The chain catches an edit, deletion or insertion that leaves the database's record and the
stored documents disagreeing. Someone able to rewrite both consistently (recomputing every
hash after the change) would pass `verify`; an anchor taken before the rewrite would not: the
hash it states for its seq no longer matches. Anchors are signed (HMAC-SHA256 under a key
derived from `SECURITY__SECRET_KEY`) so a forged or altered anchor is told apart from a
rewritten chain. Issue them regularly (`veracity audit anchor`, `POST /v1/audit/anchors`) and
keep them where the system's operators cannot write (a mailbox, WORM storage, a notary).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from audit.chain import canonical
from audit.events import Action, Subject
from audit.process import AuditProcess
from audit.service import MAIN_CHAIN, record
from audit.store import LogStore
from audit.verify import DatabaseAnchor, load_deletions
from core.actors import Actor
from core.clock import utcnow
from core.db import transaction

FIELDS = ("chain", "seq", "hash", "issued_at")
_PURPOSE = b"veracity audit anchor v1"


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()


def sign(payload: dict[str, Any], secret: str) -> str:
    body = canonical({k: payload[k] for k in FIELDS})
    return hmac.new(_key(secret), body, hashlib.sha256).hexdigest()


def issue(rt: AuditProcess, actor: Actor, chain: str = MAIN_CHAIN) -> dict[str, Any]:
    """The chain's head now, signed; the issuing is logged (after the head it states)."""
    seq, head = DatabaseAnchor(rt.sessions).head(chain)
    stated: dict[str, Any] = {"chain": chain, "seq": seq, "hash": head}
    payload = {**stated, "issued_at": utcnow().isoformat()}
    payload["signature"] = sign(payload, rt.settings.security.secret_key)
    with transaction(rt.sessions) as session:
        record(session, Action.LOG_ANCHORED, actor, Subject(other={"chain": chain}), after=stated)
    return payload


@dataclass(frozen=True)
class AnchorCheck:
    ok: bool
    detail: str


def check(rt: AuditProcess, store: LogStore, anchor: dict[str, Any]) -> AnchorCheck:
    """Does the chain, in the database and where it is stored, still hold what `anchor` says?"""
    try:
        chain, seq, expected = str(anchor["chain"]), int(anchor["seq"]), str(anchor["hash"])
        signature = str(anchor["signature"])
        genuine = hmac.compare_digest(sign(anchor, rt.settings.security.secret_key), signature)
    except (KeyError, TypeError, ValueError):
        return AnchorCheck(False, "not an anchor: needs chain, seq, hash, issued_at, signature")
    if not genuine:
        return AnchorCheck(False, "the anchor's signature does not match: altered or forged")
    if seq == 0:
        return AnchorCheck(True, "anchor of an empty chain")
    for gap in load_deletions(rt.sessions, chain):
        if gap.start_seq <= seq <= gap.end_seq:
            return AnchorCheck(True, f"seq {seq} was removed lawfully by retention")
    database = DatabaseAnchor(rt.sessions)
    recorded = database.hashes(chain, [seq]).get(seq)
    if recorded != expected:
        return AnchorCheck(False, f"the database's seq {seq} has hash {recorded}: rewritten")
    if store.name != "database" and seq > database.last_shipped(chain):
        return AnchorCheck(True, f"the database holds it; seq {seq} is not in {store.name} yet")
    stored = [str(doc["veracity"]["chain"]["hash"]) for doc in store.documents_at(chain, seq)]
    if not stored:
        return AnchorCheck(False, f"seq {seq} is missing from {store.name}")
    rewritten = [h for h in stored if h != expected]
    if rewritten:
        return AnchorCheck(False, f"the stored seq {seq} has hash {rewritten[0]}: rewritten")
    return AnchorCheck(True, f"seq {seq} still has the anchored hash")
