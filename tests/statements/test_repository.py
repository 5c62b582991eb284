"""statements.repository: the lists the PR workspace, legal's queue and an incident show; versions,
what is published, the open statement a draft would repeat, and the deliveries that are due."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select

from core.clock import utcnow
from core.db import transaction
from runtime.container import Runtime
from statements.models import (
    DeliveryStatus,
    Statement,
    StatementDelivery,
    StatementKind,
    StatementStatus,
)
from statements.repository import (
    counter_statement_in,
    delivery_key_taken,
    for_incident,
    needing_legal_newest_first,
    pending_due_delivery_ids,
    published_for_claims_newest_first,
    published_with_versions,
    statements_newest_first,
    unwithdrawn_for_incident,
    version_numbered,
    versions_in_order,
)
from tests.statements.helpers import stored_statement


def _titles(found: Sequence[Statement]) -> list[str]:
    return [s.title for s in found]


def test_lists_keep_their_order_filter_and_limit(rt: Runtime) -> None:
    rows = [
        ("a", 4, "inc-1", False),
        ("b", 3, "inc-2", True),
        ("c", 2, "inc-1", True),
        ("d", 1, None, False),
    ]
    with transaction(rt.sessions) as session:
        for title, age, incident_id, legal in rows:
            stored_statement(
                session,
                title,
                incident_id=incident_id,
                requires_legal=legal,
                created_hours_ago=age,
            )
    with rt.sessions() as s:
        assert _titles(statements_newest_first(s, limit=10)) == ["d", "c", "b", "a"]
        assert _titles(statements_newest_first(s, limit=2)) == ["d", "c"]
        assert _titles(needing_legal_newest_first(s, limit=10)) == ["c", "b"]
        assert _titles(needing_legal_newest_first(s, limit=1)) == ["c"]
        assert _titles(for_incident(s, "inc-1")) == ["a", "c"]  # oldest first
        assert _titles(for_incident(s, "inc-3")) == []


def test_versions_and_what_is_published(rt: Runtime) -> None:
    p = StatementStatus.PUBLISHED
    with transaction(rt.sessions) as session:
        two = stored_statement(
            session, "two", status=p, claim_id="k1", published_hours_ago=1, versions=2
        )
        stored_statement(session, "old", status=p, claim_id="k1", published_hours_ago=5)
        stored_statement(session, "k2", status=p, claim_id="k2", published_hours_ago=3)
        stored_statement(
            session, "gone", status=StatementStatus.WITHDRAWN, claim_id="k1", published_hours_ago=0
        )
        stored_statement(session, "draft", claim_id="k1")
        two_id = two.id
    with rt.sessions() as s:
        assert [v.number for v in versions_in_order(s, two_id)] == [1, 2]
        found = version_numbered(s, two_id, 2)
        assert found is not None and found.title == "two v2"
        assert version_numbered(s, two_id, 3) is None
        rows = published_with_versions(s, limit=10)
        assert [(st.title, v.title) for st, v in rows] == [
            ("two", "two v2"),
            ("k2", "k2 v1"),
            ("old", "old v1"),
        ]
        assert len(published_with_versions(s, limit=1)) == 1
        assert [
            st.title for st, _ in published_with_versions(s, limit=10, statement_id=two_id)
        ] == ["two"]
        assert _titles(published_for_claims_newest_first(s, ["k1", "k3"])) == ["two", "old"]


def test_open_statements_for_an_incident_or_a_claim_or_case(rt: Runtime) -> None:
    c, h = StatementKind.COUNTER_STATEMENT, StatementKind.SERVICE_INTERRUPTION
    with transaction(rt.sessions) as session:
        stored_statement(
            session, "withdrawn", kind=h, incident_id="i1", status=StatementStatus.WITHDRAWN
        )
        stored_statement(session, "holding", kind=h, incident_id="i1")
        stored_statement(
            session,
            "by-claim",
            kind=c,
            claim_id="k1",
            case_id="c1",
            status=StatementStatus.APPROVED,
        )
        stored_statement(session, "by-case", kind=c, case_id="c2")
        stored_statement(
            session, "published", kind=c, claim_id="k2", status=StatementStatus.PUBLISHED
        )
    opened = (StatementStatus.DRAFT, StatementStatus.APPROVED)
    with rt.sessions() as s:
        found = unwithdrawn_for_incident(s, "i1", h)
        assert found is not None and found.title == "holding"
        assert unwithdrawn_for_incident(s, "i1", c) is None

        def title(claim_id: str | None, case_id: str) -> str | None:
            made = counter_statement_in(s, opened, claim_id=claim_id, case_id=case_id)
            return made.title if made else None

        assert title("k1", "other") == "by-claim"
        assert title(None, "c2") == "by-case"
        assert title(None, "c1") == "by-claim"  # no claim: by the case
        assert title("k2", "c2") is None  # the claim's only statement is published
        assert title("k9", "c2") is None  # with a claim the case is not asked


def test_pending_deliveries_that_are_due_oldest_first(rt: Runtime) -> None:
    now = utcnow()
    with transaction(rt.sessions) as session:
        one = stored_statement(session, "one")
        two = stored_statement(session, "two")
        for key, statement, status, next_in, age in [
            ("never-tried", one, DeliveryStatus.PENDING, None, 4),
            ("due", two, DeliveryStatus.PENDING, -1, 3),
            ("not-yet", one, DeliveryStatus.PENDING, 5, 2),
            ("done", one, DeliveryStatus.DELIVERED, None, 1),
        ]:
            session.add(
                StatementDelivery(
                    statement_id=statement.id,
                    channel="webhook",
                    event="publish",
                    version=1,
                    idempotency_key=key,
                    status=status,
                    next_attempt_at=None if next_in is None else now + timedelta(minutes=next_in),
                    created_at=now - timedelta(minutes=age),
                )
            )
        one_id = one.id
    with rt.sessions() as s:
        keys = {d.id: d.idempotency_key for d in s.scalars(select(StatementDelivery))}
        assert [keys[i] for i in pending_due_delivery_ids(s, now)] == ["never-tried", "due"]
        assert [keys[i] for i in pending_due_delivery_ids(s, now, statement_id=one_id)] == [
            "never-tried"
        ]
        assert delivery_key_taken(s, "done")
        assert not delivery_key_taken(s, "other")
