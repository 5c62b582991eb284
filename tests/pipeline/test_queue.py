"""The queue on the embedded database: order, leases, skip, escalate, reassign, filters."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from core.clock import utcnow
from core.db import transaction
from core.errors import Conflict, Invalid
from pipeline.queue import QueueFilter, claim_next, escalate, reassign, release, skip
from runtime.container import Runtime
from tests.pipeline.factories import case, make_case, reviewer

ANN, BOB = reviewer("ann"), reviewer("bob")


def claim(rt: Runtime, who=ANN, **kw: object) -> str | None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as s:
        got = claim_next(s, who, **kw)  # type: ignore[arg-type]
        return got.id if got else None


def test_cases_are_served_highest_priority_first(rt: Runtime) -> None:
    low = make_case(rt.sessions, score=0.55)
    high = make_case(rt.sessions, score=0.95)
    mid = make_case(rt.sessions, score=0.75)
    assert [claim(rt), claim(rt), claim(rt), claim(rt)] == [high, mid, low, None]


def test_an_expired_lease_returns_the_case_to_the_queue(rt: Runtime) -> None:
    cid = make_case(rt.sessions)
    assert claim(rt, ANN, lease=timedelta(seconds=-1)) == cid
    assert claim(rt, BOB) == cid
    assert case(rt.sessions, cid).claimed_by == "bob"
    with transaction(rt.sessions) as s, pytest.raises(Conflict, match="lease"):
        release(s, cid, ANN)


def test_skip_puts_the_case_back_but_not_for_the_same_reviewer(rt: Runtime) -> None:
    cid = make_case(rt.sessions)
    assert claim(rt, ANN) == cid
    with transaction(rt.sessions) as s:
        skip(s, cid, ANN, reason="not my language")
    assert claim(rt, ANN) is None
    assert claim(rt, ANN, now=utcnow() + timedelta(hours=1)) == cid


def test_a_skip_holds_for_its_reviewer_after_someone_else_releases_the_case(rt: Runtime) -> None:
    """Cooldowns are per reviewer: Bob's short release cooldown does not end Ann's skip."""
    cid = make_case(rt.sessions)
    assert claim(rt, ANN) == cid
    with transaction(rt.sessions) as s:
        skip(s, cid, ANN, reason="not my language")
    assert claim(rt, BOB) == cid
    with transaction(rt.sessions) as s:
        release(s, cid, BOB)
    assert claim(rt, ANN) is None  # her 30 minutes still run
    assert claim(rt, BOB) is None  # his 5 minutes too
    later = utcnow() + timedelta(minutes=10)
    assert claim(rt, ANN, now=later) is None
    assert claim(rt, BOB, now=later) == cid


def test_escalated_case_is_claimable_only_by_the_target_role(rt: Runtime) -> None:
    cid = make_case(rt.sessions)
    claim(rt, ANN)
    with transaction(rt.sessions) as s, pytest.raises(Invalid):
        escalate(s, cid, ANN, "pr", "why not")
    with transaction(rt.sessions) as s:
        escalate(s, cid, ANN, "legal", "court order mentioned")
    assert case(rt.sessions, cid).status == "escalated"
    assert claim(rt, BOB) is None
    assert claim(rt, reviewer("sen", "senior_reviewer")) is None
    assert claim(rt, reviewer("lex", "legal")) == cid


def test_a_legal_user_gets_no_ordinary_cases(rt: Runtime) -> None:
    make_case(rt.sessions)
    assert claim(rt, reviewer("lex", "legal")) is None


def test_reassign_hands_the_case_to_a_named_reviewer(rt: Runtime) -> None:
    cid = make_case(rt.sessions)
    claim(rt, ANN)
    senior = reviewer("sen", "senior_reviewer")
    with transaction(rt.sessions) as s, pytest.raises(Conflict, match="needs one of"):
        reassign(s, cid, senior, "pat", ("pr",))
    with transaction(rt.sessions) as s:
        reassign(s, cid, senior, "bob", ("reviewer",))
    assert case(rt.sessions, cid).claimed_by == "bob"
    with transaction(rt.sessions) as s:
        release(s, cid, BOB)


def test_claim_filters_by_language_topic_and_incident(rt: Runtime) -> None:
    en = make_case(rt.sessions, score=0.95, lang="en")
    de = make_case(rt.sessions, score=0.6, lang="de")
    assert claim(rt, filters=QueueFilter(lang="de")) == de
    assert claim(rt, filters=QueueFilter(topic="health")) is None
    assert claim(rt, filters=QueueFilter(lang="en")) == en
    ballots = make_case(rt.sessions, score=0.6, text="They are burning mail-in ballots tonight")
    assert case(rt.sessions, ballots).topic == "elections"  # the router sets the topic
    assert claim(rt, filters=QueueFilter(topic="health")) is None
    assert claim(rt, filters=QueueFilter(topic="elections")) == ballots


def test_release_and_skip_log_who_held_the_case_and_when_it_may_come_back(rt: Runtime) -> None:
    from sqlalchemy import select

    from audit.models import AuditEvent

    released, skipped = make_case(rt.sessions), make_case(rt.sessions)
    assert {claim(rt, ANN), claim(rt, ANN)} == {released, skipped}
    with transaction(rt.sessions) as s:
        release(s, released, ANN)
        skip(s, skipped, ANN, reason="not my language")
    with transaction(rt.sessions) as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.actor_name == "ann"))
        logged: dict[str, Any] = {e.action: e.document["veracity"] for e in events}
    for action, minutes in (("case.released", 5), ("case.skipped", 30)):
        event = logged[action]
        assert event["before"] == {"status": "claimed", "claimed_by": "ann"}
        until = datetime.fromisoformat(event["after"]["skip_until"])
        assert timedelta(minutes=minutes - 1) < until - utcnow() <= timedelta(minutes=minutes)
    assert logged["case.skipped"]["reason"] == "not my language"
    assert logged["case.released"]["reason"] is None
