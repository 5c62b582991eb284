"""Replicas that cooperate (issue 21 item 4): two `veracity serve`, two `veracity worker` and
one `veracity beat` on real PostgreSQL, Redis and Elasticsearch, under a bounded load through
both APIs. Nothing is duplicated (posts, cases, decisions, platform calls, log documents,
incidents), nothing is lost, and each periodic job a beat sends runs once, on one worker.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from accounts.service import add_user, create_api_key
from audit.es_store import ElasticsearchLog, make_client
from audit.models import AuditEvent
from classifier.reference import ReferenceClassifier
from core.db import transaction
from core.settings import SecuritySettings
from incidents.models import Incident
from pipeline.models import Decision, EnforcementAction, Post, ReviewCase
from pipeline.platform_receiver import ReceiverState
from pipeline.tasks import sweep
from runtime.container import Runtime, build_runtime
from tests.conftest import (
    ADMIN,
    PASSWORD,
    free_port,
    make_settings,
    services_env,
    wait_for,
)

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(600)]
REDIS_DB = 9  # the own_redis fixture's database, no other suite's
REPO = Path(__file__).resolve().parents[2]
POSTS = 200
PER_REQUEST = 20
REMOVALS_PER_REVIEWER = 10
FALSE = "The miracle cure they don't want you to know: garlic water kills the virus {n}. Share!!"
BENIGN = "Lovely walk along the river this morning with the dog, number {n}."
PERIODIC = ("audit.ship_outbox", "pipeline.sweep", "incidents.scan")
# Celery's own lines, in plain or JSON logs: "Task audit.ship_outbox[<id>] received".
RECEIVED = re.compile(r"Task ([a-z_.]+)\[([0-9a-f-]{36})\] received")
SUCCEEDED = re.compile(r"Task ([a-z_.]+)\[([0-9a-f-]{36})\] succeeded")


@dataclass
class Fleet:
    """The processes of one deployment, each in its own process group, with its log."""

    env: dict[str, str]
    logs: Path
    started: float = field(default_factory=time.monotonic)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, *args: str) -> None:
        log = (self.logs / f"{name}.log").open("wb")
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "veracity_cli.main", *args],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise AssertionError(
                    f"{name} exited ({proc.returncode}):\n{self.log(name)[-3000:]}"
                )

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


@pytest.fixture
def deployment(
    postgres_url: str,
    own_redis: str,
    elasticsearch_url: str,
    es_prefix: str,
    receiver: tuple[ReceiverState, str],
    tmp_path: Path,
) -> Iterator[tuple[Fleet, Runtime, list[str]]]:
    secret = secrets.token_urlsafe(48)
    env = services_env(
        postgres_url,
        own_redis,
        elasticsearch_url,
        es_prefix,
        receiver[1],
        drop=("PLATFORM__", "SECURITY__", "API__"),
        PLATFORM__MAX_ATTEMPTS="3",
        SECURITY__SECRET_KEY=secret,
    )
    fleet = Fleet(env, tmp_path)
    ports = [free_port(), free_port()]
    rt = build_runtime(
        make_settings(postgres_url, security=SecuritySettings(secret_key=secret)),
        classifier=ReferenceClassifier(),
    )
    try:
        for i, port in enumerate(ports):
            fleet.start(f"api-{i}", "serve", "--port", str(port))
        for i in range(2):
            fleet.start(f"worker-{i}", "worker", "--concurrency", "2")
        fleet.start("beat", "beat", "--schedule-file", str(tmp_path / "beat-schedule"))
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base in bases:
            wait_for(partial(_ready, fleet, base), timeout=240, what=f"{base}/readyz")
        yield fleet, rt, bases
    finally:
        fleet.stop_all()
        rt.engine.dispose()
        for name in fleet.procs:
            print(f"--- {name} (tail)\n{fleet.log(name)[-1500:]}")


def _ready(fleet: Fleet, base: str) -> bool:
    fleet.check_alive()
    try:
        return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _credentials(rt: Runtime) -> tuple[str, list[str]]:
    """A platform key and two reviewers' bearer tokens, signed in through the API itself."""
    with transaction(rt.sessions) as session:
        key = create_api_key(session, "platform", ("score", "read"), ADMIN).secret
        for name in ("rev-a", "rev-b"):
            add_user(session, name, PASSWORD, "reviewer", ADMIN)
    return key, ["rev-a", "rev-b"]


def _send_posts(bases: list[str], key: str) -> set[str]:
    """POSTS posts in batches alternating between the APIs; the first batch sent twice, once
    to each, as a platform retrying after a timeout would."""
    batches = []
    for start in range(0, POSTS, PER_REQUEST):
        batches.append(
            [
                {
                    "id": f"rp-{n}",
                    "text": (FALSE if n % 2 == 0 else BENIGN).format(n=n),
                    "views": 1000 + n,
                }
                for n in range(start, start + PER_REQUEST)
            ]
        )
    sends = [(bases[i % 2], batch) for i, batch in enumerate(batches)]
    sends.append((bases[1], batches[0]))
    headers = {"Authorization": f"Bearer {key}"}
    errors: list[str] = []
    routed: set[str] = set()

    def send(base: str, batch: list[dict[str, Any]]) -> None:
        resp = httpx.post(f"{base}/v1/score", json={"posts": batch}, headers=headers, timeout=120)
        if resp.status_code != 200:
            errors.append(f"{resp.status_code} {resp.text[:200]}")
            return
        routed.update(r["id"] for r in resp.json()["results"] if r["case_opened"])

    threads = [threading.Thread(target=send, args=s) for s in sends]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return routed


def _review(base: str, username: str, removals: int, decided: list[str]) -> None:
    token = httpx.post(
        f"{base}/v1/auth/token", json={"username": username, "password": PASSWORD}, timeout=60
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + 180
    while len([d for d in decided if d.startswith(username)]) < removals:
        assert time.monotonic() < deadline, f"{username} found too few cases"
        case = httpx.post(f"{base}/v1/cases/claim", headers=headers, timeout=60).json()["case"]
        if case is None:
            time.sleep(0.5)  # the workers are still routing posts into cases
            continue
        resp = httpx.post(
            f"{base}/v1/cases/{case['id']}/decision",
            json={"reason_code": "false_claim", "action": "remove", "note": "garlic cure"},
            headers=headers,
            timeout=60,
        )
        assert resp.status_code == 200, resp.text
        decided.append(f"{username}:{case['id']}")


def _count(rt: Runtime, column: Any, *where: Any) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count(column)).where(*where)) or 0)


def test_two_apis_two_workers_and_one_beat_cooperate(
    deployment: tuple[Fleet, Runtime, list[str]], receiver: tuple[ReceiverState, str]
) -> None:
    fleet, rt, bases = deployment
    state, _ = receiver
    key, reviewers = _credentials(rt)
    routed = _send_posts(bases, key)
    assert len(routed) >= 2 * REMOVALS_PER_REVIEWER

    decided: list[str] = []
    people = [
        threading.Thread(target=_review, args=(base, name, REMOVALS_PER_REVIEWER, decided))
        for base, name in zip(bases, reviewers, strict=True)
    ]
    for t in people:
        t.start()
    for t in people:
        t.join()
    assert len(decided) == 2 * REMOVALS_PER_REVIEWER

    # Work settles: every removal at the platform, every log event in Elasticsearch.
    def settled() -> bool:
        fleet.check_alive()
        pending = _count(
            rt, EnforcementAction.id, EnforcementAction.status.not_in(("confirmed", "failed"))
        )
        unshipped = _count(rt, AuditEvent.id, AuditEvent.shipped_at.is_(None))
        return pending == 0 and unshipped == 0 and len(state.actions_applied()) > 0

    wait_for(settled, timeout=180, what="enforcement confirmed and the outbox shipped")

    # Stored once: each post, each case per post, each decision per case.
    assert _count(rt, Post.id) == POSTS
    with rt.sessions() as s:
        cases_per_post = Counter(s.scalars(select(ReviewCase.post_id)))
        decisions_per_case = Counter(s.scalars(select(Decision.case_id)))
        actions = list(
            s.execute(select(EnforcementAction.idempotency_key, EnforcementAction.status))
        )
        incident_keys = Counter(
            s.execute(select(Incident.key, Incident.is_drill).where(Incident.closed_at.is_(None)))
        )
    assert set(cases_per_post) == routed, "each post the API said it would queue has a case"
    assert set(cases_per_post.values()) == {1}
    assert set(decisions_per_case.values()) == {1}
    assert len(decisions_per_case) == len(decided)
    assert all(count == 1 for count in incident_keys.values()), incident_keys

    # The platform got each removal exactly once: one request per idempotency key.
    assert {status for _, status in actions} == {"confirmed"}
    assert len(actions) == len(decided)
    requests = Counter(r["key"] for r in state.requests)
    assert set(requests) == {key for key, _ in actions}
    assert set(requests.values()) == {1}, requests

    # Every outbox event is in Elasticsearch exactly once.
    store = ElasticsearchLog(
        make_client([fleet.env["ELASTICSEARCH__HOSTS"]]), fleet.env["ELASTICSEARCH__INDEX_PREFIX"]
    )
    store.refresh()
    with rt.sessions() as s:
        event_ids = set(s.scalars(select(AuditEvent.id)))
    hits = store.client.search(index=store.pattern, size=10_000, source=False)["hits"]["hits"]
    assert len(hits) == len(event_ids)
    assert {h["_id"] for h in hits} == event_ids

    # Periodic jobs: beat sent them, each message ran on exactly one worker.
    def periodic_ran() -> bool:
        fleet.check_alive()
        done = {name for name, _ in _task_lines(fleet, SUCCEEDED)}
        return set(PERIODIC) <= done

    wait_for(periodic_ran, timeout=90, what="the sweeper and incident scan to run")
    received = Counter(
        task_id for name, task_id in _task_lines(fleet, RECEIVED) if name in PERIODIC
    )
    assert received and set(received.values()) == {1}, "a periodic task ran twice"
    sent = Counter(re.findall(r"Sending due task [\w.-]+ \(([a-z_.]+)\)", fleet.log("beat")))
    for name in PERIODIC:
        assert sent[name] >= 1, (name, sent)
    # 15 s between scans: one beat, not two, sent them (with a tick of slack).
    elapsed = time.monotonic() - fleet.started
    assert sent["incidents.scan"] <= elapsed / 15 + 1, (sent, elapsed)

    # Nothing unfinished for the sweeper to find.
    counts = sweep(rt, older_than=timedelta(0))
    assert (counts["posts"], counts["actions"]) == (0, 0), counts


def _task_lines(fleet: Fleet, pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for name in ("worker-0", "worker-1"):
        found += pattern.findall(fleet.log(name))
    return found
