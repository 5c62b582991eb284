"""`veracity serve --workers 2`: /metrics, whichever worker answers it, counts every worker's
requests (Prometheus multiprocess mode), a stopped worker's live series go, and the run's
metrics directory is removed when the server exits.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from accounts.service import create_api_key
from classifier.reference import ReferenceClassifier
from core.db import transaction
from core.settings import SecuritySettings
from runtime.container import build_runtime
from tests.conftest import ADMIN, child_env, free_port, make_settings, wait_for

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(300)]
REPO = Path(__file__).resolve().parents[2]
BY_WORKER = re.compile(r'^veracity_http_requests_by_worker\{pid="(\d+)"\} ([0-9.e+]+)$', re.M)


@dataclass
class Served:
    base: str
    key: str
    proc: subprocess.Popen[bytes]
    tmp: Path  # the server's TMPDIR: where its metrics directory is made
    log: Path


@pytest.fixture
def served(postgres_url: str, tmp_path: Path) -> Iterator[Served]:
    secret = secrets.token_urlsafe(48)
    rt = build_runtime(
        make_settings(postgres_url, security=SecuritySettings(secret_key=secret)),
        classifier=ReferenceClassifier(),
    )
    with transaction(rt.sessions) as session:
        key = create_api_key(session, "platform", ("score",), ADMIN, rate_limit_per_minute=0)
    rt.engine.dispose()
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = child_env(
        drop=("DATABASE__", "REDIS__", "ELASTICSEARCH__", "SECURITY__", "API__", "PROMETHEUS"),
        ENVIRONMENT="test",
        DATABASE__URL=postgres_url,
        SECURITY__SECRET_KEY=secret,
        USE_REFERENCE_CLASSIFIER="true",
        TMPDIR=str(tmp),
    )
    port = free_port()
    log = tmp_path / "serve.log"
    serve = ["serve", "--port", str(port), "--workers", "2"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "veracity_cli.main", *serve],
        cwd=REPO,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _ready(proc, base, log), timeout=180, what=f"{base}/readyz")
        yield Served(base, key.secret, proc, tmp, log)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        print(log.read_text(errors="replace")[-3000:])


def _ready(proc: subprocess.Popen[bytes], base: str, log: Path) -> bool:
    if proc.poll() is not None:
        raise AssertionError(f"serve exited:\n{log.read_text(errors='replace')[-3000:]}")
    try:
        return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _metrics(base: str) -> str:
    with httpx.Client(base_url=base) as fresh:  # a new connection: any worker may answer
        resp = fresh.get("/metrics")
    assert resp.status_code == 200
    return resp.text


def _sample(text: str, line_start: str) -> float:
    return sum(
        float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(line_start)
    )


def _score_until_both_workers_answered(served: Served) -> int:
    """1-post requests, each on a new connection, until both workers have answered some."""
    headers = {"Authorization": f"Bearer {served.key}"}
    sent = 0
    for round_ in range(20):
        for i in range(10):
            body = {"posts": [{"id": f"mp-{round_}-{i}", "text": "Garlic water cures the flu"}]}
            with httpx.Client(base_url=served.base, headers=headers, timeout=60) as one:
                assert one.post("/v1/score", json=body).status_code == 200
            sent += 1
        per_worker = BY_WORKER.findall(_metrics(served.base))
        if len(per_worker) == 2 and all(float(n) > 0 for _, n in per_worker):
            return sent
    raise AssertionError(f"one worker answered all {sent} requests")


def test_metrics_sum_both_workers_and_forget_a_stopped_one(served: Served) -> None:
    sent = _score_until_both_workers_answered(served)
    (metrics_dir,) = served.tmp.glob("veracity-metrics-*")
    assert list(metrics_dir.glob("counter_*.db")), "the workers write to the run's directory"

    score_ok = 'veracity_http_requests_total{method="POST",route="/v1/score",status="200"}'
    for _ in range(6):  # whichever worker answers, it reports both workers' counts
        text = _metrics(served.base)
        assert _sample(text, score_ok) == sent
        assert _sample(text, 'veracity_posts_scored_total{cached="false"}') == sent
        assert _sample(text, "veracity_model_batch_size_count") >= sent  # + explanations
        assert text.count('veracity_model_info{version="reference-0"} 1.0') == 1
        assert len(BY_WORKER.findall(text)) == 2

    # A worker stopped (SIGTERM, its lifespan ends) drops its live series; uvicorn starts a
    # new one; the counts it made stay in the totals.
    pids = {pid for pid, _ in BY_WORKER.findall(_metrics(served.base))}
    stopped = sorted(pids)[0]
    os.kill(int(stopped), signal.SIGTERM)

    def replaced() -> bool:
        now = {pid for pid, _ in BY_WORKER.findall(_metrics(served.base))}
        return stopped not in now

    wait_for(replaced, timeout=60, what="the stopped worker's series to go")
    assert _sample(_metrics(served.base), score_ok) >= sent  # /metrics itself adds none here

    os.killpg(served.proc.pid, signal.SIGTERM)
    served.proc.wait(timeout=30)
    assert not metrics_dir.exists(), "the run's metrics directory is removed at exit"
