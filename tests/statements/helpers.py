"""Factories for statement tests: library claims, posts linked to them, and users."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claims.importers import read_fixture
from claims.models import Claim
from claims.service import import_claims
from core.actors import Actor, ActorType
from core.clock import utcnow
from core.db import transaction
from incidents.models import Incident
from pipeline.claim_links import link_post
from pipeline.models import Post
from runtime.container import Runtime
from statements import service
from statements.config import StatementSettings, get_statement_settings
from statements.delivery import EVENT_HEADER, SIGNATURE_HEADER
from statements.generators import OfflineGenerator
from statements.models import Statement, StatementKind, StatementVersion
from statements.publishers import default_publishers
from statements.schemas import DraftIn, EditIn
from tests.conftest import auth
from tests.core.remote import QuietHandler, serve_in_thread

SYSTEM = Actor.system("tests")  # a machine author: its drafts need a person before approval
OFFICIAL_SECRET = "official-account-secret-0123456789"  # the `official` fixture's
PR2 = Actor(name="pr-second", type=ActorType.HUMAN, roles=("pr",))
PR4 = Actor(name="pr-fourth", type=ActorType.HUMAN, roles=("pr",))


def load_fixture_claims(rt: Runtime) -> list[Claim]:
    with transaction(rt.sessions) as session:
        import_claims(session, read_fixture(), SYSTEM, source="fixture")
        return list(session.query(Claim).order_by(Claim.origin_ref))


def false_claim(rt: Runtime, ref: str = "fx-001") -> Claim:
    claims = {c.origin_ref: c for c in load_fixture_claims(rt)}
    return claims[ref]


def add_messaging_outage(session: Session, key: str, grade: int) -> Incident:
    """An outage incident (messages delayed since 09:10) first seen now, flushed."""
    incident = Incident(
        key=key,
        title="Messaging outage",
        grade=grade,
        type="outage",
        description="Messages sent since 09:10 are delayed.",
        first_seen_at=utcnow(),
    )
    session.add(incident)
    session.flush()
    return incident


def draft_counter_statement(session: Session, claim_id: str, platform: str = "Demo") -> Statement:
    """The machine's (SYSTEM, offline generator) counter-statement draft for a claim."""
    draft_in = DraftIn(kind="counter_statement", claim_id=claim_id)
    return service.draft(session, draft_in, SYSTEM, OfflineGenerator(), platform=platform)


def stored_statement(
    session: Session,
    title: str,
    *,
    kind: str = StatementKind.COUNTER_STATEMENT,
    published_hours_ago: int | None = None,
    versions: int = 1,
    created_hours_ago: int = 0,
    **columns: object,
) -> Statement:
    """A statement stored with `versions` versions (title "<title> vN"); `columns` (status,
    claim_id, case_id, incident_id, requires_legal) go to the row as given, the model's
    defaults fill the rest."""
    published = published_hours_ago is not None
    statement = Statement(
        kind=kind,
        title=title,
        body="…",
        created_by="pr",
        created_at=utcnow() - timedelta(hours=created_hours_ago),
        version=versions,
        published_version=versions if published else None,
        published_at=utcnow() - timedelta(hours=published_hours_ago or 0) if published else None,
        **columns,
    )
    session.add(statement)
    session.flush()
    for number in range(versions, 0, -1):  # out of order: the queries must order them
        session.add(
            StatementVersion(
                statement_id=statement.id,
                number=number,
                title=f"{title} v{number}",
                body="…",
                edited_by="pr",
            )
        )
    session.flush()
    return statement


def checked(session: Session, statement_id: str) -> None:
    """A person reads the machine's draft and saves it unchanged (see test_workflow)."""
    made = service.get(session, statement_id)
    seen = EditIn(title=made.title, body=made.body, base_version=made.version)
    service.edit(session, statement_id, seen, PR4)


def publish_counter_statement(
    session: Session, claim_id: str, platform: str = "Demo", *, webhook: bool = False
) -> Statement:
    """A counter-statement drafted, checked by a person, approved and published (PR2)."""
    made = draft_counter_statement(session, claim_id, platform)
    checked(session, made.id)
    service.approve(session, made.id, PR2)
    return service.publish(session, made.id, PR2, default_publishers(webhook=webhook))


def post_linked_to(rt: Runtime, claim_id: str, text: str = "5g towers are spreading it") -> str:
    post_id = f"p-{uuid.uuid4().hex[:8]}"
    with transaction(rt.sessions) as session:
        session.add(
            Post(id=post_id, text=text, text_sha256=hashlib.sha256(text.encode()).hexdigest())
        )
        session.flush()
        link_post(session, claim_id, post_id, SYSTEM, similarity=0.9)
    return post_id


class WebhookReceiver:
    """The platform's official-account endpoint, as a real local HTTP server: checks the
    signature, deduplicates on the event id, and can fail on demand."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.events: dict[str, dict[str, Any]] = {}  # by event id: what took effect
        self.hits = 0
        self.bad_signatures = 0
        self.fail_next: list[int] = []
        self.redirect_next: list[str] = []  # answer 302 to this Location
        state = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server calls it by this name
                raw = self.rfile.read(int(self.headers["content-length"]))
                state.hits += 1
                if state.redirect_next:
                    self._reply(302, state.redirect_next.pop(0))
                    return
                if state.fail_next:
                    self._reply(state.fail_next.pop(0))
                    return
                if not verify(state.secret, raw, self.headers.get(SIGNATURE_HEADER, "")):
                    state.bad_signatures += 1
                    self._reply(401)
                    return
                state.events.setdefault(self.headers[EVENT_HEADER], json.loads(raw))
                self._reply(200)

            def _reply(self, status: int, location: str | None = None) -> None:
                self.send_response(status)
                if location:
                    self.send_header("location", location)
                self.send_header("content-length", "0")
                self.end_headers()

        self.server, base = serve_in_thread(Handler)
        self.url = f"{base}/official-account"


def official_receiver() -> Iterator[WebhookReceiver]:
    """For a fixture to `yield from`: an official-account endpoint accepting what is signed
    with OFFICIAL_SECRET, shut down afterwards."""
    receiver = WebhookReceiver(OFFICIAL_SECRET)
    yield receiver
    receiver.server.shutdown()


def verify(secret: str, body: bytes, header: str, tolerance: int = 300) -> bool:
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    if not parts.get("t", "").isdigit() or abs(time.time() - int(parts["t"])) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), parts.get("v1", ""))


class FakeChatServer:
    """A stand-in for a remote OpenAI-compatible LLM: a real local HTTP server speaking the
    chat-completions shape, answering with whatever `answer` holds."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answer = ""
        state = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server calls it by this name
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                state.requests.append(
                    {"path": self.path, "auth": self.headers["authorization"], "body": body}
                )
                data = json.dumps(
                    {"choices": [{"message": {"role": "assistant", "content": state.answer}}]}
                ).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server, base = serve_in_thread(Handler)
        self.url = f"{base}/v1"


def statement_api(
    client: TestClient, settings: StatementSettings | None = None
) -> Iterator[TestClient]:
    """For a fixture: `client` whose app reads `settings` as its statement settings (by default
    only the public base URL), until the fixture ends."""
    chosen = (
        StatementSettings(public_base_url="https://veracity.example")
        if settings is None
        else settings
    )
    client.app.dependency_overrides[get_statement_settings] = lambda: chosen  # type: ignore[attr-defined]
    yield client
    client.app.dependency_overrides.clear()  # type: ignore[attr-defined]


def drafted_via_api(api: TestClient, token: str, **body: Any) -> dict[str, Any]:
    """POST /v1/statements with `body` as the user of `token`: the 201's statement."""
    resp = api.post("/v1/statements", json=body, headers=auth(token))
    assert resp.status_code == 201, resp.text
    out: dict[str, Any] = resp.json()
    return out
