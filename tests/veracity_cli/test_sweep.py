"""`veracity sweep` sends what it re-queues: to the broker when REDIS__URL is set (a broker it
cannot reach is an error), else it runs the work in this process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from core.actors import Actor
from core.clock import utcnow
from core.db import make_engine, make_session_factory, transaction
from core.migrate import upgrade
from pipeline.actions import EXECUTE_TASK, request_action
from pipeline.models import ActionStatus, EnforcementAction
from tests.conftest import free_port, own_redis_db, service_url
from tests.pipeline.factories import add_scored_post
from veracity_cli.main import main

REDIS_DB = 12  # this module's own Redis database, no other suite's


def _stale_action(db: Path) -> tuple[str, sessionmaker[Session]]:
    """A takedown requested 5 minutes ago whose task was lost; (its id, the session factory)."""
    url = f"sqlite:///{db}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    with transaction(factory) as session:
        post = add_scored_post(session)
        action = request_action(session, post, "remove", {}, f"k-{post.id}", Actor.system("t"))
        action_id = action.id
    with transaction(factory) as session:
        session.execute(
            update(EnforcementAction)
            .where(EnforcementAction.id == action_id)
            .values(created_at=utcnow() - timedelta(minutes=5))
        )
    return action_id, factory


def _status(factory: sessionmaker[Session], action_id: str) -> str:
    with factory() as session:
        action = session.get(EnforcementAction, action_id)
        assert action is not None
        return str(action.status)


def test_without_redis_the_sweep_runs_the_work_it_finds_in_this_process(
    cli_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    action_id, factory = _stale_action(cli_db)

    assert main(["sweep", "--json"]) == 0

    out = json.loads(capsys.readouterr().out)
    assert (out["actions"], out["sent_to"]) == (1, "this process")
    assert _status(factory, action_id) == ActionStatus.CONFIRMED


def test_a_broker_it_cannot_reach_is_an_error_not_a_count(
    cli_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    action_id, factory = _stale_action(cli_db)
    monkeypatch.setenv("REDIS__URL", f"redis://127.0.0.1:{free_port()}/0")

    assert main(["sweep"]) == 1

    captured = capsys.readouterr()
    assert "could not send 1 of 1" in captured.err
    assert "Traceback" not in captured.err
    assert _status(factory, action_id) == ActionStatus.PENDING  # the next sweep finds it again


@pytest.fixture
def broker() -> Iterator[str]:
    yield from own_redis_db(service_url("REDIS"), REDIS_DB)


@pytest.mark.services
def test_with_redis_the_sweep_puts_the_work_on_the_queue(
    cli_db: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    broker: str,
) -> None:
    import redis

    action_id, _ = _stale_action(cli_db)
    monkeypatch.setenv("REDIS__URL", broker)

    assert main(["sweep", "--json"]) == 0

    out = json.loads(capsys.readouterr().out)
    assert (out["actions"], out["sent_to"]) == (1, "broker")
    queued = [json.loads(m) for m in redis.Redis.from_url(broker).lrange("veracity", 0, -1)]
    assert [(m["headers"]["task"], m["headers"]["argsrepr"]) for m in queued] == [
        (EXECUTE_TASK, repr([action_id]))
    ]
