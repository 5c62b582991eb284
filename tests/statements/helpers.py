"""Factories for statement tests: library claims, posts linked to them, and users."""

from __future__ import annotations

import hashlib
import uuid

from audit.events import Actor, ActorType
from claims.importers import read_fixture
from claims.models import Claim
from claims.service import import_claims, link_post
from core.db import transaction
from pipeline.models import Post
from runtime.container import Runtime

SYSTEM = Actor(name="test-system", type=ActorType.SYSTEM, roles=("system",))


def load_fixture_claims(rt: Runtime) -> list[Claim]:
    with transaction(rt.sessions) as session:
        import_claims(session, read_fixture(), SYSTEM, source="fixture")
        return list(session.query(Claim).order_by(Claim.origin_ref))


def false_claim(rt: Runtime, ref: str = "fx-001") -> Claim:
    claims = {c.origin_ref: c for c in load_fixture_claims(rt)}
    return claims[ref]


def post_linked_to(rt: Runtime, claim_id: str, text: str = "5g towers are spreading it") -> str:
    post_id = f"p-{uuid.uuid4().hex[:8]}"
    with transaction(rt.sessions) as session:
        session.add(
            Post(id=post_id, text=text, text_sha256=hashlib.sha256(text.encode()).hexdigest())
        )
        session.flush()
        link_post(session, claim_id, post_id, SYSTEM, similarity=0.9)
    return post_id
