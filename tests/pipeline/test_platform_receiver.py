"""The stand-in platform (`veracity platform-receiver`): an action counts as applied only once it
is in its log, so a sender's retry takes effect instead of being answered as a replay."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from pipeline.platform_receiver import start_receiver


def test_an_action_it_cannot_log_is_refused_and_applied_on_the_retry(tmp_path: Path) -> None:
    log = tmp_path / "actions.jsonl"
    server, state, url = start_receiver(log_path=log)
    try:
        log.mkdir()  # the log cannot be appended to (as root, a permission would not stop it)
        headers = {"idempotency-key": "t-1"}
        refused = httpx.post(url, json={"post_id": "p1", "action": "remove"}, headers=headers)
        assert refused.status_code == 503
        assert "cannot record the action" in refused.json()["error"]
        assert state.actions_applied() == []
        log.rmdir()
        retried = httpx.post(url, json={"post_id": "p1", "action": "remove"}, headers=headers)
        assert retried.status_code == 201 and retried.json()["replayed"] is False
        logged = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
        assert logged == [{"post_id": "p1", "action": "remove", "idempotency_key": "t-1"}]
        again = httpx.post(url, json={"post_id": "p1", "action": "remove"}, headers=headers)
        assert again.status_code == 200 and again.json()["replayed"] is True
        assert len(log.read_text(encoding="utf-8").splitlines()) == 1
    finally:
        server.shutdown()
        server.server_close()
