"""Real Celery workers, a runtime that dispatches to them, and a private Redis for the
reliability tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

from core import dispatch
from runtime.celery_dispatch import CeleryDispatcher
from runtime.container import Runtime
from tests.conftest import CELERY_WORKER, TEST_PROCESS_ENV, child_env, redis_runtime, wait_for

REPO = Path(__file__).resolve().parents[2]


def celery_runtime(db_url: str, redis_url: str, takedown_url: str, **extra: object) -> Runtime:
    """A runtime whose dispatcher sends tasks to Celery workers over Redis at `redis_url`."""
    rt = redis_runtime(db_url, redis_url, takedown_url, **extra)
    rt.dispatcher = CeleryDispatcher(redis_url)
    dispatch.install(rt.sessions, rt.dispatcher)
    return rt


def worker_env(db_url: str, redis_url: str, takedown_url: str, **extra: str) -> dict[str, str]:
    return child_env(
        drop=("DATABASE__", "REDIS__", "ELASTICSEARCH__", "PLATFORM__"),
        **TEST_PROCESS_ENV,
        DATABASE__URL=db_url,
        REDIS__URL=redis_url,
        PLATFORM__TAKEDOWN_URL=takedown_url,
        PLATFORM__MAX_ATTEMPTS="3",
        VERACITY_VISIBILITY_TIMEOUT="3",
        **extra,
    )


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """One solo-pool worker process (easy to SIGKILL mid-task), in its own process group."""
    return subprocess.Popen(
        [
            *CELERY_WORKER,
            "--pool",
            "solo",
            "-Q",
            "veracity",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=REPO,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill(proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=20)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            kill(proc)


def start_redis(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )

    def up() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            return False

    wait_for(up, timeout=10, what="redis-server to listen")
    return proc
