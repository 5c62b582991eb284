"""audit.repository: finished exports as their `log.exported` events recorded them."""

from __future__ import annotations

from typing import Any

from audit.events import Action, Subject
from audit.models import AuditEvent
from audit.repository import export_events_newest_first, export_manifest
from audit.service import record
from core.db import transaction
from runtime.container import Runtime
from tests.audit.factories import REVIEWER, write_events


def _exported(rt: Runtime, export_id: str) -> None:
    with transaction(rt.sessions) as session:
        record(
            session,
            Action.LOG_EXPORTED,
            REVIEWER,
            Subject(other={"export_id": export_id}),
            after={"export_id": export_id, "count": 3},
        )


def _export_id(event: AuditEvent) -> str:
    veracity: Any = event.document["veracity"]
    return str(veracity["after"]["export_id"])


def test_recent_exports_are_newest_first_and_only_exports(rt: Runtime) -> None:
    _exported(rt, "x1")
    write_events(rt, 2)  # decisions, not exports
    _exported(rt, "x2")
    _exported(rt, "x3")
    with rt.sessions() as session:
        found = export_events_newest_first(session, limit=2)
        assert [e.action for e in found] == [Action.LOG_EXPORTED.value] * 2
        assert [_export_id(e) for e in found] == ["x3", "x2"]


def test_a_manifest_is_found_by_its_export_id(rt: Runtime) -> None:
    _exported(rt, "x1")
    _exported(rt, "x2")
    with rt.sessions() as session:
        assert export_manifest(session, "x2") == {"export_id": "x2", "count": 3}
        assert export_manifest(session, "nope") is None
