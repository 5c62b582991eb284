"""Edits, approvals and publishing of one statement at the same time (PostgreSQL row locks):
nothing is published that nobody approved, and no version number is used twice."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from classifier.reference import ReferenceClassifier
from core.actors import Actor, ActorType
from core.db import transaction
from core.errors import Conflict
from runtime.container import Runtime, build_runtime
from statements import service
from statements.generators import OfflineGenerator
from statements.models import Statement, StatementStatus
from statements.publishers import default_publishers
from statements.schemas import DraftIn, EditIn
from tests.conftest import make_settings, wait_for
from tests.statements.helpers import false_claim

pytestmark = pytest.mark.services
PR1, PR2, PR3 = (Actor(name=f"pr-{n}", type=ActorType.HUMAN, roles=("pr",)) for n in "123")


@pytest.fixture
def pg_rt(postgres_url: str) -> Iterator[Runtime]:
    rt = build_runtime(make_settings(postgres_url), classifier=ReferenceClassifier())
    yield rt
    rt.engine.dispose()


def _drafted(rt: Runtime) -> str:
    """A counter-statement a person (PR1) drafted: version 1, approvable by anyone else."""
    claim_id = false_claim(rt).id
    with transaction(rt.sessions) as session:
        draft_in = DraftIn(kind="counter_statement", claim_id=claim_id)
        return service.draft(session, draft_in, PR1, OfflineGenerator(), platform="Demo").id


def _someone_waits_for_a_lock(rt: Runtime) -> bool:
    with rt.engine.connect() as conn:
        waiting = conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar_one()
    return bool(waiting)


def _while_uncommitted(
    rt: Runtime, first: Callable[[Session], object], second: Callable[[Session], object]
) -> Future[object]:
    """`first` runs and holds its transaction open until `second`, in another session, waits
    on a lock; then `first` commits. The future is `second`'s outcome."""
    pool = ThreadPoolExecutor(1)

    def run_second() -> object:
        with transaction(rt.sessions) as session:
            return second(session)

    try:
        with transaction(rt.sessions) as session:
            first(session)
            late = pool.submit(run_second)
            wait_for(lambda: _someone_waits_for_a_lock(rt) or late.done(), what="a lock wait")
        late.exception(timeout=30)
        return late
    finally:
        pool.shutdown()


def _new_text(session: Session, statement_id: str, actor: Actor) -> Statement:
    made = service.get(session, statement_id)
    text = made.body + "\nAn unapproved line."
    edit_in = EditIn(title=made.title, body=text, base_version=made.version)
    return service.edit(session, statement_id, edit_in, actor)


def test_an_approval_racing_an_edit_never_approves_the_edited_text(pg_rt: Runtime) -> None:
    """pr2 edits (not committed yet) while pr3 approves the version 1 they read: before, the
    approval landed on the row after the edit (version 2, approved_version 1, status approved)
    and publishing sent out version 2, which nobody approved. Now the approval waits for the
    edit, then finds version 1 is no longer current."""
    sid = _drafted(pg_rt)
    approval = _while_uncommitted(
        pg_rt,
        lambda s: _new_text(s, sid, PR2),
        lambda s: service.approve(s, sid, PR3, version=1),
    )
    refused = approval.exception()
    assert isinstance(refused, Conflict) and refused.code == "stale_version"
    with pg_rt.sessions() as session:
        row = session.get(Statement, sid)
        assert row is not None
        assert (row.version, row.approved_version, row.status) == (2, None, StatementStatus.DRAFT)


def test_an_approval_that_names_no_version_waits_and_signs_the_edited_one(pg_rt: Runtime) -> None:
    """An in-process caller that names no version signs what it reads once the edit is in."""
    sid = _drafted(pg_rt)
    approval = _while_uncommitted(
        pg_rt,
        lambda s: _new_text(s, sid, PR2),
        lambda s: service.approve(s, sid, PR3),
    )
    assert approval.exception() is None
    with pg_rt.sessions() as session:
        row = session.get(Statement, sid)
        assert row is not None
        assert (row.version, row.approved_version, row.status) == (2, 2, StatementStatus.APPROVED)


def test_publish_refuses_a_status_that_does_not_match_the_approved_version(
    any_rt: Runtime,
) -> None:
    """A row left 'approved' with an older approved_version (as the race above did) is not
    published: the approval must be of the version going out."""
    sid = _drafted(any_rt)
    with transaction(any_rt.sessions) as session:
        service.approve(session, sid, PR3)
        _new_text(session, sid, PR2)
        row = service.get(session, sid)
        row.status, row.approved_version = StatementStatus.APPROVED, 1  # the raced state
    with transaction(any_rt.sessions) as session, pytest.raises(Conflict) as refused:
        service.publish(session, sid, PR1, default_publishers(webhook=False))
    assert refused.value.code == "not_approved"
    with any_rt.sessions() as session:
        assert service.get(session, sid).published_version is None


def test_publishing_racing_an_edit_does_not_publish_over_it(pg_rt: Runtime) -> None:
    """Version 1 is approved; pr2 saves version 2 (not committed yet) while pr1 publishes. The
    publication waits for the edit and refuses the unapproved version 2; before, it sent out
    version 1 and left the row 'published' with version 2 unapproved on it."""
    sid = _drafted(pg_rt)
    with transaction(pg_rt.sessions) as session:
        service.approve(session, sid, PR3)
    publication = _while_uncommitted(
        pg_rt,
        lambda s: _new_text(s, sid, PR2),
        lambda s: service.publish(s, sid, PR1, default_publishers(webhook=False)),
    )
    refused = publication.exception()
    assert isinstance(refused, Conflict) and refused.code == "not_approved"
    with pg_rt.sessions() as session:
        row = service.get(session, sid)
        assert (row.version, row.status, row.published_version) == (2, "draft", None)


def test_two_edits_of_one_version_at_once_save_it_once(pg_rt: Runtime) -> None:
    """Before, both edits read version 1 and saved a version 2: [(1,'pr'),(2,'pr3'),(2,'pr2')]."""
    sid = _drafted(pg_rt)
    second = _while_uncommitted(
        pg_rt, lambda s: _new_text(s, sid, PR2), lambda s: _new_text_of(s, sid, PR3, seen=1)
    )
    refused = second.exception()
    assert isinstance(refused, Conflict) and refused.code == "stale_version"
    with pg_rt.sessions() as session:
        saved = [(v.number, v.edited_by) for v in service.versions(session, sid)]
    assert saved == [(1, PR1.name), (2, PR2.name)]


def _new_text_of(session: Session, statement_id: str, actor: Actor, *, seen: int) -> Statement:
    made = service.get(session, statement_id)
    edit_in = EditIn(title=made.title, body=f"{made.body}\n{actor.name}", base_version=seen)
    return service.edit(session, statement_id, edit_in, actor)
