"""`veracity beat`: the periodic schedule sent by one process of its own, against real Redis."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.tasks import periodic, registered
from runtime.worker import beat_schedule
from tests.conftest import child_env, run_python

pytestmark = pytest.mark.services
REDIS_DB = 6  # the own_redis fixture's database, no other suite's
REPO = Path(__file__).resolve().parents[2]
PERIODIC_TASKS = {
    "audit.ship_outbox",
    "pipeline.sweep",
    "statements.deliver_pending",
    "incidents.scan",
    "webhooks.sweep_due",
}


def test_the_schedule_names_every_periodic_task_and_each_is_registered() -> None:
    # A fresh interpreter, as a worker starts: tasks imported by earlier tests in this process
    # must not hide one that the wiring (runtime/domains.py) forgets to import.
    code = (
        "import json; from runtime.worker import app; "
        "print(json.dumps({'beat': sorted(e['task'] for e in app.conf.beat_schedule.values()),"
        " 'tasks': sorted(app.tasks)}))"
    )
    out = run_python("-c", code)
    assert out.returncode == 0, out.stderr[-4000:]
    worker = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(worker["beat"]) == PERIODIC_TASKS == {spec.name for spec in periodic()}
    assert set(registered()) <= set(worker["tasks"])  # every declared task runs on the worker
    assert {"pipeline.route_post", "pipeline.execute_action", "webhooks.deliver"} <= set(
        worker["tasks"]
    )
    assert {e["task"] for e in beat_schedule().values()} == PERIODIC_TASKS


def _sent_tasks(url: str) -> list[str]:
    import redis

    client = redis.Redis.from_url(url)
    try:
        raw = client.lrange("veracity", 0, -1)  # the queue beat sends to (no worker reads it)
    finally:
        client.close()
    return [json.loads(message)["headers"]["task"] for message in raw]


def test_veracity_beat_alone_sends_the_periodic_tasks_to_the_queue(
    own_redis: str, tmp_path: Path
) -> None:
    env = child_env(
        drop=("DATABASE__", "REDIS__"),
        ENVIRONMENT="test",
        DATABASE__URL=f"sqlite:///{tmp_path / 'v.db'}",
        REDIS__URL=own_redis,
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
            sent = _sent_tasks(own_redis)
        assert sent.count("audit.ship_outbox") >= 2, log.read_text()  # every 2 s, repeatedly
        assert set(sent) <= PERIODIC_TASKS
        assert not (tmp_path / "v.db").exists()  # beat needs no database and migrates none
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
