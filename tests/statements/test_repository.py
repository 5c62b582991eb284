"""statements.repository: the lists the PR workspace, legal's queue and an incident show."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from core.clock import utcnow
from core.db import transaction
from runtime.container import Runtime
from statements.models import Statement
from statements.repository import for_incident, needing_legal_newest_first, statements_newest_first


def _titles(found: Sequence[Statement]) -> list[str]:
    return [s.title for s in found]


def test_lists_keep_their_order_filter_and_limit(rt: Runtime) -> None:
    now = utcnow()
    rows = [
        ("a", 4, "inc-1", False),
        ("b", 3, "inc-2", True),
        ("c", 2, "inc-1", True),
        ("d", 1, None, False),
    ]
    with transaction(rt.sessions) as session:
        for title, age, incident_id, legal in rows:
            session.add(
                Statement(
                    kind="counter_statement",
                    title=title,
                    body="…",
                    created_by="pr",
                    incident_id=incident_id,
                    requires_legal=legal,
                    created_at=now - timedelta(hours=age),
                )
            )
    with rt.sessions() as s:
        assert _titles(statements_newest_first(s, limit=10)) == ["d", "c", "b", "a"]
        assert _titles(statements_newest_first(s, limit=2)) == ["d", "c"]
        assert _titles(needing_legal_newest_first(s, limit=10)) == ["c", "b"]
        assert _titles(needing_legal_newest_first(s, limit=1)) == ["c"]
        assert _titles(for_incident(s, "inc-1")) == ["a", "c"]  # oldest first
        assert _titles(for_incident(s, "inc-3")) == []
