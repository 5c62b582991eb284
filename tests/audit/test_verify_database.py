"""`verify` over the database log (the embedded default): tampering is found, retention is not."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update

from audit.events import Action
from audit.holds import HoldSubject, set_hold
from audit.models import AuditEvent
from audit.operations import apply_retention, verify
from audit.verify import BreakKind
from core.actors import Actor
from core.clock import utcnow
from core.db import transaction
from runtime.container import Runtime
from tests.audit.factories import write_events

LEGAL = Actor.system("test-legal")


def _document(rt: Runtime, seq: int) -> dict[str, object]:
    with rt.sessions() as s:
        return dict(s.scalars(select(AuditEvent.document).where(AuditEvent.seq == seq)).one())


def test_an_untouched_chain_verifies(rt: Runtime) -> None:
    write_events(rt, 12)
    report = verify(rt, LEGAL, log_result=False)
    assert report.ok, report.first_break
    assert report.checked >= 12


def test_an_edited_reason_is_reported_as_edited_at_its_seq(rt: Runtime) -> None:
    write_events(rt, 10)
    doc = _document(rt, 5)
    doc["veracity"]["reason"] = "nothing to see here"  # type: ignore[index]
    with transaction(rt.sessions) as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == 5).values(document=doc))
    brk = verify(rt, LEGAL, log_result=False).first_break
    assert brk is not None
    assert (brk.kind, brk.seq) == (BreakKind.EDITED, 5)


def test_a_deleted_row_is_reported_as_deleted(rt: Runtime) -> None:
    write_events(rt, 10)
    with transaction(rt.sessions) as s:
        s.execute(delete(AuditEvent).where(AuditEvent.seq == 7))
    brk = verify(rt, LEGAL, log_result=False).first_break
    assert brk is not None
    assert (brk.kind, brk.seq) == (BreakKind.DELETED, 7)


def test_a_deleted_tail_is_reported_against_the_chain_head(rt: Runtime) -> None:
    write_events(rt, 10)
    with transaction(rt.sessions) as s:
        s.execute(delete(AuditEvent).where(AuditEvent.seq >= 9))
    brk = verify(rt, LEGAL, log_result=False).first_break
    assert brk is not None
    assert (brk.kind, brk.seq) == (BreakKind.DELETED, 9)


def test_retention_gaps_are_lawful_and_a_held_event_inside_them_still_verifies(rt: Runtime) -> None:
    old = utcnow() - timedelta(days=400)
    write_events(rt, 5, at=old, post_prefix="a")
    write_events(rt, 1, at=old, post_prefix="held", case_id="case-held")
    write_events(rt, 5, at=old, post_prefix="b")
    write_events(rt, 3, post_prefix="new")
    with transaction(rt.sessions) as s:
        set_hold(s, HoldSubject.CASE, "case-held", "subpoena 2026-17", LEGAL)
    run = apply_retention(rt, LEGAL, days=365)
    assert run.deleted == 10
    assert run.held == 1
    assert len(run.ranges) == 2, "the held event splits the deleted range"
    report = verify(rt, LEGAL, log_result=False)
    assert report.ok, report.first_break
    assert report.lawfully_deleted == 10
    with rt.sessions() as s:
        kept = s.scalars(select(AuditEvent.post_id).where(AuditEvent.action == Action.CASE_DECIDED))
        assert sorted(p for p in kept if p) == ["held0", "new0", "new1", "new2"]
        applied = s.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.RETENTION_APPLIED)
        ).one()
        assert applied.document["veracity"]["after"]["deleted"] == 10  # type: ignore[index]


def test_retention_dry_run_deletes_nothing(rt: Runtime) -> None:
    write_events(rt, 4, at=utcnow() - timedelta(days=900))
    run = apply_retention(rt, LEGAL, dry_run=True)
    assert run.deleted == 4 and not run.applied
    with rt.sessions() as s:
        assert len(list(s.scalars(select(AuditEvent.id)))) == 4
