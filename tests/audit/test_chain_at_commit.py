"""Events are chained as their transaction commits, not when they are recorded: the chain head
is locked for the commit alone, so one open transaction no longer holds up every other writer.
The chain itself is what it was: gapless, in commit order, verifiable."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.chain import event_hash, strip_hash
from audit.events import Action, Subject
from audit.models import AuditChain, AuditEvent
from audit.operations import verify
from audit.service import MAIN_CHAIN, record
from classifier.reference import ReferenceClassifier
from core.actors import Actor
from core.db import transaction
from runtime.container import Runtime, build_runtime
from tests.conftest import make_settings

SYSTEM = Actor.system("test")


def _record(session: Session, post_id: str) -> AuditEvent:
    return record(session, Action.POST_SCORED, SYSTEM, Subject(post_id=post_id))


def _chain(rt: Runtime) -> list[AuditEvent]:
    with rt.sessions() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def _assert_linked(events: list[AuditEvent]) -> None:
    prev = "0" * 64
    for expected_seq, event in enumerate(events, start=1):
        body, recorded = strip_hash(event.document)
        assert event.seq == expected_seq == body["veracity"]["chain"]["seq"]
        assert body["veracity"]["chain"]["prev_hash"] == prev
        assert recorded == event.hash == event_hash(body, prev)
        prev = event.hash


def test_an_event_is_seen_by_its_transaction_and_chained_as_it_commits(rt: Runtime) -> None:
    with transaction(rt.sessions) as session:
        first = _record(session, "p1")
        second = _record(session, "p2")
        seen = session.scalar(select(func.count()).where(AuditEvent.post_id.in_(["p1", "p2"])))
        assert seen == 2  # the transaction's own queries find its events
        assert first.seq is None and "seq" not in first.document["veracity"]["chain"]
    assert (first.seq, second.seq) == (1, 2)  # in the order recorded
    _assert_linked(_chain(rt))
    with rt.sessions() as session:
        head = session.get(AuditChain, MAIN_CHAIN)
        assert head is not None and (head.seq, head.head_hash) == (2, second.hash)


def test_an_event_in_a_rolled_back_savepoint_leaves_no_gap(rt: Runtime) -> None:
    with transaction(rt.sessions) as session:
        _record(session, "kept-1")
        savepoint = session.begin_nested()
        _record(session, "dropped")
        session.flush()  # written, then undone
        savepoint.rollback()
        with session.begin_nested():  # a released savepoint's event is kept
            _record(session, "kept-2")
    events = _chain(rt)
    assert [e.post_id for e in events] == ["kept-1", "kept-2"]
    _assert_linked(events)


def test_a_rolled_back_transaction_chains_nothing_and_the_next_one_starts_clean(
    rt: Runtime,
) -> None:
    def failing_change() -> None:
        with transaction(rt.sessions) as session:
            _record(session, "lost")
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    with transaction(rt.sessions) as session:
        _record(session, "next")
    events = _chain(rt)
    assert [(e.post_id, e.seq) for e in events] == [("next", 1)]
    assert verify(rt, SYSTEM).ok


@pytest.fixture
def pg_rt(postgres_url: str) -> Iterator[Runtime]:
    runtime = build_runtime(make_settings(postgres_url), classifier=ReferenceClassifier())
    yield runtime
    runtime.engine.dispose()


@pytest.mark.services
def test_an_open_transaction_does_not_hold_up_other_writers(pg_rt: Runtime) -> None:
    """Before, the first event locked the chain head until its transaction ended."""
    slow = pg_rt.sessions()
    _record(slow, "slow")
    slow.flush()
    done = threading.Event()

    def quick() -> None:
        with transaction(pg_rt.sessions) as session:
            _record(session, "quick")
        done.set()

    writer = threading.Thread(target=quick)
    writer.start()
    try:
        assert done.wait(timeout=20), "a writer waited for another transaction's chain lock"
    finally:
        slow.commit()
        slow.close()
        writer.join(timeout=20)
    events = _chain(pg_rt)
    assert [e.post_id for e in events] == ["quick", "slow"]  # commit order
    _assert_linked(events)


@pytest.mark.services
def test_concurrent_writers_build_one_gapless_chain(pg_rt: Runtime) -> None:
    errors: list[BaseException] = []

    def writer(w: int) -> None:
        try:
            for i in range(15):
                with transaction(pg_rt.sessions) as session:
                    _record(session, f"w{w}-{i}-a")
                    _record(session, f"w{w}-{i}-b")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    events = _chain(pg_rt)
    assert len(events) == 6 * 15 * 2
    _assert_linked(events)
    # one transaction's two events are adjacent: the head is held across its chaining
    by_post = {e.post_id: e.seq for e in events}
    assert all(
        by_post[f"w{w}-{i}-b"] == by_post[f"w{w}-{i}-a"] + 1 for w in range(6) for i in range(15)
    )
    assert verify(pg_rt, SYSTEM).ok
