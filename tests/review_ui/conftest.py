"""The UI served by uvicorn on a free loopback port over an embedded runtime, and a browser.

One server and one headless Chromium per module keep the browser tests fast; every test signs
in as fresh users of its own, so tests do not depend on each other's state.
"""

from __future__ import annotations

import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import select

from accounts.service import add_user
from bench import chromium
from classifier.interface import Classifier
from classifier.reference import ReferenceClassifier
from core.actors import Actor, ActorType
from core.db import transaction
from core.dispatch import InProcessDispatcher
from core.migrate import upgrade
from core.settings import REPO_ROOT
from pipeline.intake import score_posts
from pipeline.models import ReviewCase
from pipeline.platform_receiver import ReceiverState, start_receiver
from pipeline.schemas import PostIn
from runtime.container import Runtime, build_runtime
from runtime.inprocess import start_inprocess_pipeline
from runtime.web import create_app
from tests.conftest import ADMIN, PASSWORD, make_settings

if TYPE_CHECKING:
    from pipeline.queue import QueueFilter

SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"
PLATFORM = Actor(name="apikey:test", type=ActorType.PLATFORM)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Stack:
    rt: Runtime
    dispatcher: InProcessDispatcher
    receiver: ReceiverState

    def user(self, role: str) -> str:
        name = f"{role}-{uuid.uuid4().hex[:6]}"
        with transaction(self.rt.sessions) as session:
            add_user(session, name, PASSWORD, role, ADMIN)
        return name

    def case(self, post_id: str) -> ReviewCase | None:
        """The review case opened for the post, if one was."""
        with self.rt.sessions() as session:
            return session.scalars(select(ReviewCase).where(ReviewCase.post_id == post_id)).first()

    def queue_posts(self, texts: list[str], **fields: Any) -> list[str]:
        posts = [PostIn(id=f"p-{uuid.uuid4().hex[:10]}", text=t, **fields) for t in texts]
        with transaction(self.rt.sessions) as session:
            score_posts(session, self.rt.classifier, posts, PLATFORM)
        self.dispatcher.drain()
        return [p.id for p in posts]


@contextmanager
def bilingual_stack(tmp_path: Path) -> Iterator[Stack]:
    """The embedded default with the real shipped models for both languages (English falsehood
    model, Chinese model, both claim matchers) and both bundled claim fixtures imported."""
    from classifier.serving.loader import load_classifier
    from classifier.serving.routed import with_chinese
    from pipeline.signals import IntakeSignals
    from pipeline.signals_zh import with_chinese_signals

    def prepare(rt: Runtime) -> None:
        english = IntakeSignals(rt.claim_library, None)
        rt.signals_override = with_chinese_signals(english, rt.sessions)
        import_bundled_claims(rt, "fixture", "fixture_zh")

    url = f"sqlite:///{tmp_path / 'languages.db'}"
    upgrade(url)
    yield from stack_on(url, lambda: with_chinese(load_classifier()), prepare)


def import_bundled_claims(rt: Runtime, *sources: str) -> None:
    from claims.importers import read_source
    from claims.service import import_claims

    with transaction(rt.sessions) as session:
        for source in sources:
            import_claims(session, read_source(source, None), ADMIN, source=source)


def _stack(tmp: Path) -> Iterator[Stack]:
    url = f"sqlite:///{tmp / 'ui.db'}"
    upgrade(url)
    yield from stack_on(url)


def stack_on(
    url: str,
    classifier: Callable[[], Classifier | None] = ReferenceClassifier,
    prepare: Callable[[Runtime], None] = lambda rt: None,
    **settings: Any,
) -> Iterator[Stack]:
    """The UI's runtime over a migrated database at `url`, with a platform receiver. A
    `classifier` factory that returns None leaves the runtime its own (the shipped model);
    `prepare` runs on the runtime before the pipeline starts."""
    server, state, receiver_url = start_receiver()
    rt = build_runtime(make_settings(url, receiver_url, **settings), classifier=classifier())
    prepare(rt)
    dispatcher = start_inprocess_pipeline(rt)
    try:
        yield Stack(rt, dispatcher, state)
    finally:
        dispatcher.drain()
        dispatcher.shutdown()
        rt.engine.dispose()
        server.shutdown()


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    yield from _stack(tmp_path)


@pytest.fixture(scope="module")
def module_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from _stack(tmp_path_factory.mktemp("ui"))


def browser_client(stack: Stack) -> TestClient:
    # https base URL: the session cookie is Secure outside development, as in production.
    return TestClient(create_app(stack.rt), base_url="https://testserver")


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    page = client.get("/ui/login")
    token = CSRF.search(page.text)
    assert token, "login form carries a CSRF token"
    return client.post(
        "/ui/login",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )


def signed_in(stack: Stack, role: str) -> TestClient:
    """A browser client signed in as a new user of the stack with `role`."""
    return signed_in_as(stack, stack.user(role))


def signed_in_as(stack: Stack, username: str) -> TestClient:
    """A browser client signed in as `username`."""
    client = browser_client(stack)
    assert sign_in(client, username).status_code == 303
    return client


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "page carries a CSRF token"
    return found.group(1)


def submit(
    client: TestClient,
    page: Any,
    path: str,
    *,
    follow_redirects: bool = False,
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> Any:
    """A form on `page` (a response, or its HTML) posted to `path` with the page's CSRF token
    and `fields`; the response, its redirect not followed unless asked."""
    html = page if isinstance(page, str) else page.text
    return client.post(
        path,
        data={"csrf_token": csrf_of(html), **fields},
        headers=headers,
        follow_redirects=follow_redirects,
    )


def draft_on_workbench(client: TestClient, **fields: str) -> Any:
    """The PR workbench's "draft a statement" form posted with `fields` (channel web unless
    given); the unfollowed response."""
    form: dict[str, Any] = {"channel": "web", **fields}
    return submit(client, client.get("/ui/pr"), "/ui/pr/statements", **form)


def decide_in_ui(
    client: TestClient,
    case_id: str,
    reason: str,
    action: str,
    headers: dict[str, str] | None = None,
    follow_redirects: bool = True,
) -> Any:
    """The case page's decision form posted with a reason code and an action only; the response,
    its redirect followed unless told not to."""
    path = f"/ui/review/cases/{case_id}"
    return submit(
        client,
        client.get(path),
        f"{path}/decide",
        follow_redirects=follow_redirects,
        headers=headers,
        reason_code=reason,
        action=action,
    )


def take_next(client: TestClient, **form: Any) -> str:
    """Press "take the next case" on the review queue; where it sends the reviewer."""
    response = submit(client, client.get("/ui/review"), "/ui/review/next", **form)
    location: str = response.headers["location"]
    return location


def claim_next_in_ui(client: TestClient) -> str:
    """The id of the case the reviewer is given on taking the next one."""
    location = take_next(client)
    assert location.startswith("/ui/review/cases/"), location
    return location.rsplit("/", 1)[-1]


@pytest.fixture(scope="module")
def live_url(module_stack: Stack) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(module_stack.rt), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="ui-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    # "localhost" is a secure context for Chromium, so the Secure session cookie is kept over http.
    yield f"http://localhost:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")  # one Chromium for every browser test module
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not chromium.installed():
        pytest.skip("Chromium not installed (scripts/services/chromium.sh installs it)")
    driver = chromium.headless_chromium(tmp_path_factory.mktemp("chromium-profile"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def screenshot(driver: Any, name: str) -> Path:
    """Save the page as artifacts/screenshots/NAME.png, first checking the one breakage a
    picture shows at a glance and a test can see too: a page that runs off sideways."""
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    wide = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert wide <= 0, f"{name}: the page runs {wide}px off to the side"
    return path


def decide_next(
    stack: Stack,
    note: str,
    action: str = "remove",
    *,
    post_id: str | None = None,
    filters: QueueFilter | None = None,
    **fields: Any,
) -> tuple[str, str]:
    """A reviewer takes the next case (that of `post_id` where given) and decides it as a false
    claim, through the pipeline's own functions; the case's and the decision's ids."""
    from pipeline.decisions import decide
    from pipeline.queue import claim_next
    from pipeline.schemas import DecisionAction, DecisionIn, ReasonCode

    reviewer = Actor(name=stack.user("reviewer"), type=ActorType.HUMAN, roles=("reviewer",))
    with transaction(stack.rt.sessions) as session:
        case = claim_next(session, reviewer, filters=filters)
        assert case is not None
        assert post_id is None or case.post_id == post_id
        reason = DecisionIn(
            reason_code=ReasonCode.FALSE_CLAIM, action=DecisionAction(action), note=note, **fields
        )
        ids = case.id, decide(session, case.id, reviewer, reason).id
    stack.dispatcher.drain()
    return ids


def decided_case(stack: Stack, text: str, note: str) -> str:
    """A case worked to a removal by a reviewer, through the pipeline's own functions."""
    stack.queue_posts([text])
    return decide_next(stack, note)[0]
