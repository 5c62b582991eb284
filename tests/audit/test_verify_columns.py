"""The action-log table's indexed columns (what search, export, the consoles' counts, holds and
retention filter on) are copies of the hashed document: `verify` reports a column that no longer
equals its document as an edit, and retention refuses to delete on the strength of one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from audit.events import Action
from audit.holds import HoldSubject, set_hold
from audit.models import AuditEvent
from audit.operations import apply_retention, verify
from audit.verify import BreakKind
from core.clock import utcnow
from core.db import transaction
from core.errors import Conflict
from core.settings import AuditSettings
from runtime.container import Runtime
from tests.audit.factories import LEGAL, add_case, first_break, write_events
from tests.conftest import es_runtime

EDITS: dict[str, Any] = {
    "is_drill": True,
    "actor_name": "someone-else",
    "actor_type": "system",
    "action": Action.CASE_RELEASED.value,
    "post_id": "another-post",
    "case_id": "another-case",
    "incident_id": "an-incident",
    "timestamp": utcnow() - timedelta(days=4000),
    "id": "f" * 32,
}


def _edit_row(rt: Runtime, seq: int, column: str, value: Any) -> str:
    """Set one column of the event at `seq` straight in the table; the event's id."""
    with transaction(rt.sessions) as s:
        event_id = s.scalars(select(AuditEvent.id).where(AuditEvent.seq == seq)).one()
        s.execute(update(AuditEvent).where(AuditEvent.seq == seq).values({column: value}))
    return event_id


@pytest.mark.parametrize("column", sorted(EDITS))
def test_an_indexed_column_that_differs_from_its_document_is_an_edit(
    any_rt: Runtime, column: str
) -> None:
    write_events(any_rt, 8, case_id="case-1")
    event_id = _edit_row(any_rt, 5, column, EDITS[column])
    brk = first_break(any_rt)
    assert (brk.kind, brk.seq) == (BreakKind.EDITED, 5)
    assert brk.event_id == event_id  # the document's id, also where the row's id was changed
    assert f"column {column}" in brk.detail


def test_an_untouched_log_with_drills_incidents_and_no_post_still_verifies(
    any_rt: Runtime,
) -> None:
    write_events(any_rt, 3, is_drill=True, at=utcnow() - timedelta(days=2))
    write_events(any_rt, 3, case_id="case-1")
    report = verify(any_rt, LEGAL)  # its own log.verified event is checked by the next run
    assert report.ok, report.first_break
    report = verify(any_rt, LEGAL, log_result=False)
    assert report.ok, report.first_break
    assert report.checked == 7


def test_retention_refuses_to_delete_an_event_whose_timestamp_column_was_backdated(
    any_rt: Runtime,
) -> None:
    write_events(any_rt, 6)
    event_id = _edit_row(any_rt, 3, "timestamp", utcnow() - timedelta(days=4000))
    with pytest.raises(Conflict) as refused:
        apply_retention(any_rt, LEGAL, days=365)
    assert "3" in refused.value.message and "timestamp" in refused.value.message
    with any_rt.sessions() as s:
        assert s.get(AuditEvent, event_id) is not None, "the event is still there"
        assert len(list(s.scalars(select(AuditEvent.id)))) == 6, "nothing deleted, nothing logged"
    brk = first_break(any_rt)
    assert (brk.kind, brk.seq, brk.event_id) == (BreakKind.EDITED, 3, event_id)


def test_retention_refuses_while_a_held_events_case_column_was_changed(any_rt: Runtime) -> None:
    """A hold is matched on the columns too: a changed case_id must not free a held event."""
    write_events(any_rt, 2, at=utcnow() - timedelta(days=400), case_id="case-held")
    with transaction(any_rt.sessions) as s:
        add_case(s, "case-held")
        set_hold(s, HoldSubject.CASE, "case-held", "court order 2026/311", LEGAL)
    _edit_row(any_rt, 1, "case_id", "case-free")
    with pytest.raises(Conflict):
        apply_retention(any_rt, LEGAL, days=365, dry_run=True)


def test_retention_still_deletes_untouched_old_events(any_rt: Runtime) -> None:
    write_events(any_rt, 4, at=utcnow() - timedelta(days=400))
    write_events(any_rt, 2)
    run = apply_retention(any_rt, LEGAL, days=365)
    assert (run.deleted, run.applied) == (4, True)
    report = verify(any_rt, LEGAL, log_result=False)
    assert report.ok, report.first_break
    assert report.lawfully_deleted == 4


@pytest.fixture
def es_rt(sqlite_url: str, elasticsearch_url: str, es_prefix: str) -> Iterator[Runtime]:
    yield from es_runtime(
        sqlite_url, elasticsearch_url, es_prefix, audit=AuditSettings(export_page_size=100)
    )


@pytest.mark.services
def test_with_elasticsearch_the_database_columns_are_checked_against_the_shipped_documents(
    es_rt: Runtime,
) -> None:
    from audit.tasks import ship_outbox

    write_events(es_rt, 6, case_id="case-1")
    assert ship_outbox(es_rt) is not None
    assert es_rt.action_log is not None
    es_rt.action_log.refresh()
    report = verify(es_rt, LEGAL, log_result=False)
    assert report.ok, report.first_break
    event_id = _edit_row(es_rt, 4, "is_drill", True)
    brk = first_break(es_rt)
    assert (brk.kind, brk.seq, brk.event_id) == (BreakKind.EDITED, 4, event_id)
    assert "column is_drill" in brk.detail
