"""`veracity beat`: the periodic schedule sent by one process of its own, against real Redis."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.celery_app import BEAT_SCHEDULE, app

pytestmark = pytest.mark.services
REPO = Path(__file__).resolve().parents[2]
PERIODIC_TASKS = {
    "audit.ship_outbox",
    "pipeline.sweep",
    "statements.deliver_pending",
    "incidents.scan",
    "webhooks.sweep_due",
}


@pytest.fixture
def beat_redis(redis_url: str) -> Iterator[str]:
    """A Redis database of our own, so no other suite's worker takes what beat sends."""
    import redis

    url = redis_url.rsplit("/", 1)[0] + "/6"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


def test_the_schedule_names_every_periodic_task_and_each_is_registered() -> None:
    import pipeline.celery_tasks  # noqa: F401 - registers the tasks on `app`
    import webhooks.celery_tasks  # noqa: F401

    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert scheduled == PERIODIC_TASKS == {e["task"] for e in BEAT_SCHEDULE.values()}
    assert scheduled <= set(app.tasks)


def _sent_tasks(url: str) -> list[str]:
    import redis

    client = redis.Redis.from_url(url)
    try:
        raw = client.lrange("veracity", 0, -1)  # the queue beat sends to (no worker reads it)
    finally:
        client.close()
    return [json.loads(message)["headers"]["task"] for message in raw]


def test_veracity_beat_alone_sends_the_periodic_tasks_to_the_queue(
    beat_redis: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE__", "REDIS__"))}
    env.update(
        ENVIRONMENT="test",
        DATABASE__URL=f"sqlite:///{tmp_path / 'v.db'}",
        REDIS__URL=beat_redis,
    )
    log = tmp_path / "beat.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "veracity_cli.main", "beat", "--schedule-file", str(tmp_path / "s")],
        cwd=REPO,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        sent: list[str] = []
        while time.monotonic() < deadline and sent.count("audit.ship_outbox") < 2:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.5)
            sent = _sent_tasks(beat_redis)
        assert sent.count("audit.ship_outbox") >= 2, log.read_text()  # every 2 s, repeatedly
        assert set(sent) <= PERIODIC_TASKS
        assert not (tmp_path / "v.db").exists()  # beat needs no database and migrates none
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
