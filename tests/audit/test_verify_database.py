"""`verify` over the database log (the embedded default): tampering is found, retention is not."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import ColumnElement, delete, select, update

from audit.events import Action
from audit.models import AuditEvent
from audit.operations import apply_retention, verify
from audit.verify import BreakKind
from core.clock import utcnow
from core.db import transaction
from runtime.container import Runtime
from tests.audit.factories import LEGAL, first_break, write_around_a_held_case, write_events


def test_an_untouched_chain_verifies(rt: Runtime) -> None:
    write_events(rt, 12)
    report = verify(rt, LEGAL, log_result=False)
    assert report.ok, report.first_break
    assert report.checked >= 12


def _edit_the_reason_of_5(rt: Runtime) -> None:
    with rt.sessions() as s:
        doc = dict(s.scalars(select(AuditEvent.document).where(AuditEvent.seq == 5)).one())
    doc["veracity"]["reason"] = "nothing to see here"  # type: ignore[index]
    with transaction(rt.sessions) as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == 5).values(document=doc))


def _delete(where: ColumnElement[bool]) -> Callable[[Runtime], None]:
    def delete_rows(rt: Runtime) -> None:
        with transaction(rt.sessions) as s:
            s.execute(delete(AuditEvent).where(where))

    return delete_rows


@pytest.mark.parametrize(
    ("tamper", "kind", "seq"),
    [
        (_edit_the_reason_of_5, BreakKind.EDITED, 5),
        (_delete(AuditEvent.seq == 7), BreakKind.DELETED, 7),
        (_delete(AuditEvent.seq >= 9), BreakKind.DELETED, 9),  # reported against the chain's head
    ],
    ids=["an-edited-reason", "a-deleted-row", "a-deleted-tail"],
)
def test_tampering_is_reported_by_kind_at_its_seq(
    rt: Runtime, tamper: Callable[[Runtime], None], kind: BreakKind, seq: int
) -> None:
    write_events(rt, 10)
    tamper(rt)
    brk = first_break(rt)
    assert (brk.kind, brk.seq) == (kind, seq)


def test_retention_gaps_are_lawful_and_a_held_event_inside_them_still_verifies(rt: Runtime) -> None:
    write_around_a_held_case(rt, days_ago=400, old=5, fresh=3)
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
