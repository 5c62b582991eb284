"""A local HTTP receiver for response-group webhooks, and an incident made from a wave."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.db import transaction
from incidents.detection import scan
from incidents.models import Incident, ResponseGroup
from incidents.severity import IncidentPolicy
from runtime.container import Runtime
from runtime.web import create_app
from tests.conftest import auth, new_user_token
from tests.incidents.factories import add_wave

POLICY = IncidentPolicy(min_posts=10)
SECRET = "s3cret-s3cret-s3cret"  # response groups' webhook secret


@dataclass
class Received:
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def webhook_receiver() -> Iterator[tuple[Received, str]]:
    received = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.requests.append((self.path, dict(self.headers.items()), body))
            self.send_response(500 if self.path.endswith("/broken") else 204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield received, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def open_incident(rt: Runtime, wave: int = 30) -> str:
    with transaction(rt.sessions) as session:
        add_wave(session, wave=wave, background=10)
    with transaction(rt.sessions) as session:
        scan(session, policy=POLICY)
    with rt.sessions() as session:
        return session.scalars(select(Incident.id)).one()


def add_groups(rt: Runtime, grades: Mapping[str, int] | None = None, **urls: str) -> None:
    """Response groups told by signed webhook, `role=url` each, from grade 4 (the least severe)
    on unless `grades` names another for the role."""
    with transaction(rt.sessions) as session:
        for role, url in urls.items():
            grade = (grades or {}).get(role, 4)
            session.add(ResponseGroup(role=role, url=url, secret=SECRET, min_grade=grade))


def edit_plan(client: TestClient, lead: dict[str, str], changes: dict[str, Any]) -> dict[str, Any]:
    """Leadership edits the response plan's thresholds (it must be accepted); the answer."""
    changed = client.patch("/v1/response-plan/thresholds", json=changes, headers=lead)
    assert changed.status_code == 200, changed.text
    answer: dict[str, Any] = changed.json()
    return answer


@pytest.fixture
def any_client(any_rt: Runtime) -> Iterator[TestClient]:
    """The app over `any_rt`: the same requests on SQLite and on PostgreSQL."""
    with TestClient(create_app(any_rt)) as test_client:
        yield test_client


@pytest.fixture
def lead(rt: Runtime) -> dict[str, str]:
    """The headers of a new leadership member."""
    return auth(new_user_token(rt, "leadership"))
