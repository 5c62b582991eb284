"""A 200 means committed: a real server killed the instant its answer arrives keeps the write.

FastAPI runs a request-scoped `yield` dependency's exit after the response is sent, so a
commit there can be lost to a crash after the client has its 200 (4 of 4 times, measured).
These tests start `veracity serve` on a SQLite file, SIGKILL it as soon as the status line
of a write's answer arrives, and then read the database file.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine

from accounts.service import add_user, create_api_key
from accounts.session_models import UiSession
from core.db import make_engine, make_session_factory, transaction
from core.migrate import upgrade
from pipeline.models import Decision, Post, ReviewCase
from review_ui.auth import LOGIN_CSRF_COOKIE
from tests.conftest import ADMIN, PASSWORD, child_env, free_port, wait_for
from tests.review_ui.conftest import csrf_of

REPO = Path(__file__).resolve().parents[2]
FALSE_POST = "Miracle cure: drinking bleach cures COVID-19, share before they delete it!!"


class Server:
    """`veracity serve` in its own process group, so SIGKILL takes all of it at once."""

    def __init__(self, db_url: str, log: Path) -> None:
        self.port = free_port()
        env = child_env(
            drop=("DATABASE__", "REDIS__", "ELASTICSEARCH__", "SECURITY__", "PLATFORM__"),
            DATABASE__URL=db_url,
            USE_REFERENCE_CLASSIFIER="true",
        )
        self.log = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "veracity_cli.main", "serve", "--port", str(self.port)],
            cwd=REPO,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        wait_for(self._up, timeout=120, what="veracity serve to answer /healthz")

    def _up(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"server exited with {self.proc.returncode}")
        try:
            return httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.log.close()

    def post_then_kill(self, path: str, body: dict[str, object], token: str) -> bytes:
        """POST JSON; SIGKILL the server as soon as the answer's status line arrives."""
        raw = json.dumps(body).encode()
        return self.send_then_kill(path, raw, "application/json", f"Authorization: Bearer {token}")

    def send_then_kill(self, path: str, raw: bytes, content_type: str, header: str) -> bytes:
        request = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{header}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(raw)}\r\n\r\n"
        ).encode() + raw
        with socket.create_connection(("127.0.0.1", self.port), timeout=60) as sock:
            sock.sendall(request)
            first = sock.recv(65536)
            self.kill()
        return first.split(b"\r\n", 1)[0]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    url = f"sqlite:///{tmp_path / 'served.db'}"
    upgrade(url)
    engine = create_engine(url)
    yield url, engine
    engine.dispose()


def _key_and_reviewer(url: str) -> str:
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        secret = create_api_key(session, "platform", ("score", "read"), ADMIN).secret
        add_user(session, "rev-killed", PASSWORD, "reviewer", ADMIN)
    engine.dispose()
    return secret


@pytest.fixture
def served(db: tuple[str, Engine], tmp_path: Path) -> Iterator[tuple[Engine, str, Server]]:
    """`veracity serve` on the fresh database, with a platform key (given) and rev-killed; it is
    SIGKILLed at the end if the test has not done so."""
    url, engine = db
    key = _key_and_reviewer(url)
    server = Server(url, tmp_path / "server.log")
    try:
        yield engine, key, server
    finally:
        server.kill()


def test_a_scored_post_answered_200_survives_a_kill_at_once(
    served: tuple[Engine, str, Server],
) -> None:
    engine, key, server = served
    status = server.post_then_kill(
        "/v1/score", {"posts": [{"id": "killed-1", "text": FALSE_POST}]}, key
    )
    assert status.startswith(b"HTTP/1.1 200"), status
    with engine.connect() as conn:
        stored = conn.execute(select(Post.id).where(Post.id == "killed-1")).first()
    assert stored is not None, "the post the server answered 200 for is not in the database"


def test_a_decision_answered_200_survives_a_kill_at_once(
    served: tuple[Engine, str, Server],
) -> None:
    engine, key, server = served
    api = httpx.Client(base_url=server.base, timeout=30)
    scored = api.post(
        "/v1/score",
        json={"posts": [{"id": "decided-1", "text": FALSE_POST}]},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert scored.status_code == 200 and scored.json()["results"][0]["case_opened"]

    def queued() -> bool:
        with engine.connect() as conn:
            found = conn.execute(
                select(ReviewCase.id).where(ReviewCase.post_id == "decided-1")
            ).first()
        return found is not None

    wait_for(queued, timeout=120, what="the post's review case")
    token = api.post(
        "/v1/auth/token", json={"username": "rev-killed", "password": PASSWORD}
    ).json()["access_token"]
    claimed = api.post("/v1/cases/claim", headers={"Authorization": f"Bearer {token}"})
    case_id = claimed.json()["case"]["id"]
    api.close()
    status = server.post_then_kill(
        f"/v1/cases/{case_id}/decision",
        {"reason_code": "false_claim", "action": "label", "note": "killed at once"},
        token,
    )
    assert status.startswith(b"HTTP/1.1 200"), status
    with engine.connect() as conn:
        stored = conn.execute(select(Decision.id).where(Decision.case_id == case_id)).first()
    assert stored is not None, "the decision the server answered 200 for is not in the database"


def test_a_ui_sign_in_answered_303_survives_a_kill_at_once(
    served: tuple[Engine, str, Server],
) -> None:
    """The review UI writes through the same session dependency: a sign-in is a UI write."""
    engine, _, server = served
    page = httpx.get(f"{server.base}/ui/login", timeout=30)
    cookie = page.cookies[LOGIN_CSRF_COOKIE]
    form = urlencode(
        {"username": "rev-killed", "password": PASSWORD, "csrf_token": csrf_of(page.text)}
    ).encode()
    status = server.send_then_kill(
        "/ui/login",
        form,
        "application/x-www-form-urlencoded",
        f"Cookie: {LOGIN_CSRF_COOKIE}={cookie}",
    )
    assert status.startswith(b"HTTP/1.1 303"), status
    with engine.connect() as conn:
        stored = conn.execute(select(UiSession.user_id)).first()
    assert stored is not None, "the sign-in the server answered for is not in the database"
