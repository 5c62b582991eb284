"""A legal hold names a case, incident or post that exists: an unknown id is refused (404) and
nothing is written, on SQLite and on PostgreSQL. Audit sits below the domains that own those
rows, so the wiring (`runtime/domains.py`) registers how to look each kind up; every process
that can set a hold has the lookups, and without one the hold fails loudly."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import func, select

from audit import holds
from audit.holds import HoldSubject, active_holds, set_hold
from audit.models import AuditEvent, LegalHold
from core.db import transaction
from core.errors import NotFound
from runtime.container import Runtime
from tests.audit.factories import LEGAL, add_case
from tests.incidents.factories import add_post
from tests.statements.helpers import add_messaging_outage


def _written(rt: Runtime) -> tuple[int, int]:
    """(holds, log events) stored."""
    with rt.sessions() as s:
        held = s.scalar(select(func.count()).select_from(LegalHold))
        logged = s.scalar(select(func.count()).select_from(AuditEvent))
        return held or 0, logged or 0


@pytest.mark.parametrize("kind", list(HoldSubject))
def test_a_hold_on_an_unknown_subject_is_refused_and_nothing_is_written(
    any_rt: Runtime, kind: HoldSubject
) -> None:
    with transaction(any_rt.sessions) as session:
        add_case(session, "c-real")  # something real exists, just not what was typed
    with pytest.raises(NotFound) as refused, transaction(any_rt.sessions) as session:
        set_hold(session, kind, "c-reel", "subpoena 12", LEGAL)
    assert (refused.value.status, refused.value.code) == (404, "not_found")
    assert refused.value.message == f"no {kind.value} c-reel to hold"
    assert _written(any_rt) == (0, 0)


def test_an_existing_case_incident_and_drill_post_can_be_held(any_rt: Runtime) -> None:
    """A drill post exists, so legal may hold it (a drill's records can matter to a matter)."""
    with transaction(any_rt.sessions) as session:
        subjects = {
            HoldSubject.CASE: add_case(session).id,
            HoldSubject.INCIDENT: add_messaging_outage(session, "outage:held", 3).id,
            HoldSubject.POST: add_post(session, "drill-post-1", "a drill post", is_drill=True).id,
        }
        for kind, subject_id in subjects.items():
            set_hold(session, kind, subject_id, "court order", LEGAL)
    with any_rt.sessions() as session:
        held = {(h.subject_type, h.subject_id) for h in active_holds(session)}
    assert held == {(kind.value, subject_id) for kind, subject_id in subjects.items()}


def test_a_kind_without_a_registered_lookup_fails_loudly(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(holds._lookups, HoldSubject.INCIDENT)
    with pytest.raises(RuntimeError, match="incident"), transaction(rt.sessions) as session:
        set_hold(session, HoldSubject.INCIDENT, "inc-1", "regulator request", LEGAL)
    assert _written(rt) == (0, 0)


@pytest.mark.parametrize("entry", ["runtime.web", "veracity_cli.main"])
def test_every_process_that_sets_holds_has_a_lookup_for_every_kind(entry: str) -> None:
    """The API and review UI app (`runtime.web`) and the console, each imported on its own."""
    check = (
        f"import {entry}; from audit import holds; print(sorted(k.value for k in holds._lookups))"
    )
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[-2] == str(sorted(k.value for k in HoldSubject))
