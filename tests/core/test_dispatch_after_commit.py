"""Tasks go out after the outermost commit only: a released or rolled-back savepoint neither
sends them early (a task could run before its rows are visible and find nothing) nor drops them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from core.dispatch import MAX_IDS_PER_MESSAGE, coalesce, enqueue_after_commit, install


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, tuple[str, ...]]] = []

    def send(self, task_name: str, *args: str) -> None:
        self.sent.append((task_name, args))


def _factory() -> tuple[sessionmaker[sa.orm.Session], Recorder]:
    factory = sessionmaker(sa.create_engine("sqlite://"))
    recorder = Recorder()
    install(factory, recorder)
    return factory, recorder


def test_a_released_savepoint_sends_nothing_before_the_outer_commit() -> None:
    factory, recorder = _factory()
    with factory() as session, session.begin():
        enqueue_after_commit(session, "route", "p1")
        with session.begin_nested():
            session.execute(sa.text("select 1"))
        assert recorder.sent == []  # the outer transaction is still open
        enqueue_after_commit(session, "route", "p2")
    assert recorder.sent == [("route", ("p1",)), ("route", ("p2",))]


def test_a_rolled_back_savepoint_keeps_what_the_outer_transaction_queued() -> None:
    factory, recorder = _factory()
    with factory() as session, session.begin():
        enqueue_after_commit(session, "route", "p1")
        nested = session.begin_nested()
        nested.rollback()
    assert recorder.sent == [("route", ("p1",))]


def test_an_outer_rollback_sends_nothing() -> None:
    factory, recorder = _factory()
    with factory() as session:
        session.begin()
        enqueue_after_commit(session, "route", "p1")
        session.rollback()
    assert recorder.sent == []


def test_a_batched_tasks_ids_from_one_transaction_go_in_one_message() -> None:
    import pipeline.tasks  # noqa: F401 - declares the route task (batched)
    from pipeline.intake import ROUTE_TASK

    factory, recorder = _factory()
    with factory() as session, session.begin():
        enqueue_after_commit(session, ROUTE_TASK, "p1")
        enqueue_after_commit(session, "webhooks.deliver", "d1")  # not batched: as queued
        enqueue_after_commit(session, ROUTE_TASK, "p2")
        enqueue_after_commit(session, "webhooks.deliver", "d2")
    assert recorder.sent == [
        (ROUTE_TASK, ("p1", "p2")),
        ("webhooks.deliver", ("d1",)),
        ("webhooks.deliver", ("d2",)),
    ]


def test_coalesced_messages_are_chunked() -> None:
    ids = [f"p{i}" for i in range(MAX_IDS_PER_MESSAGE + 3)]
    sends = coalesce([("route", (i,)) for i in ids], lambda name: name == "route")
    assert [len(args) for _, args in sends] == [MAX_IDS_PER_MESSAGE, 3]
    assert [i for _, args in sends for i in args] == ids
