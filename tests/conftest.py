"""Shared fixtures: an embedded runtime per test, the API client, accounts, and real services.

Tests marked `services` use the real Redis, PostgreSQL and Elasticsearch that `make test`
starts. Outside `make test` they are skipped unless VERACITY_TEST_*_URL is set; under
`make test` (VERACITY_REQUIRE_SERVICES=1) a missing service is an error, never a skip.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import pytest
from fastapi.testclient import TestClient

import runtime.domains  # noqa: F401 - tables and listeners, as every process has them
from accounts.service import add_user, create_api_key
from classifier.reference import ReferenceClassifier
from core.actors import Actor, ActorType
from core.db import transaction
from core.dispatch import InProcessDispatcher
from core.migrate import upgrade
from core.security import sign_token
from core.settings import (
    REPO_ROOT,
    DatabaseSettings,
    ElasticsearchSettings,
    Environment,
    OutboundSettings,
    PlatformSettings,
    RedisSettings,
    Settings,
)
from pipeline.platform_receiver import ReceiverState, start_receiver
from runtime.container import Runtime, build_runtime
from runtime.inprocess import start_inprocess_pipeline
from runtime.web import create_app
from tests.core.remote import Remote, start_redirecting, start_remote
from webhooks.receiver import WebhookReceiverState, start_webhook_receiver

if TYPE_CHECKING:
    from tests.review_ui.conftest import Stack

ADMIN = Actor(name="test-admin", type=ActorType.HUMAN, roles=("admin",))
PASSWORD = "correct-horse-battery"


class _Retry(Protocol):
    @property
    def next_attempt_at(self) -> datetime | None: ...


_Row = TypeVar("_Row")
_Retried = TypeVar("_Retried", bound=_Retry)


def service_url(name: str) -> str:
    url = os.environ.get(f"VERACITY_TEST_{name}_URL")
    if url:
        return url
    if os.environ.get("VERACITY_REQUIRE_SERVICES") == "1":
        pytest.fail(f"VERACITY_TEST_{name}_URL is not set but make test requires real services")
    pytest.skip(f"set VERACITY_TEST_{name}_URL (make test does) to run against real {name.lower()}")


# Use as `@pytest.fixture(params=BACKENDS)`; the PostgreSQL case needs the real service.
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.services)]


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all (to migrate step by step) on each backend, dropped
    afterwards."""
    if request.param != "postgres":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with new_postgres_database("vt_bk") as url:
        yield url


@pytest.fixture(params=BACKENDS)
def any_rt(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    """The same scenario on the embedded SQLite database and on a migrated PostgreSQL one."""
    from tests.core.backends import runtime_on  # it builds on this module

    yield from runtime_on(request, tmp_path)


@pytest.fixture
def remote() -> Iterator[Remote]:
    """A real HTTP server that answers as a test scripts it (429/503, Retry-After, ...)."""
    server, state = start_remote()
    yield state
    server.shutdown()


@pytest.fixture
def redirecting() -> Iterator[tuple[str, list[str]]]:
    """(base URL, paths asked for) of a server whose /go redirects to /target, which answers 400
    with a revealing body (`tests.core.remote.REVEALING_BODY`)."""
    server, base, hits = start_redirecting()
    yield base, hits
    server.shutdown()


# What the `receiver` and `hooks` fixtures give: (state, URL) of a local receiver.
Receiver = tuple[ReceiverState, str]
Hooks = tuple[WebhookReceiverState, str]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server, state, url = start_receiver()
    yield state, url
    server.shutdown()


@pytest.fixture
def hooks() -> Iterator[Hooks]:
    """(state, URL) of a local callback receiver that records the webhooks sent to it."""
    server, state, url = start_webhook_receiver()
    yield state, url
    server.shutdown()


# The local receivers the tests call listen on loopback, which the outbound gate refuses
# unless allowed explicitly.
TEST_ALLOW_HOSTS = "127.0.0.1,localhost"
TEST_OUTBOUND = OutboundSettings(allow_hosts=TEST_ALLOW_HOSTS.split(","))
# A product process started by a test runs as make_settings configures one in-process: the
# test environment, the reference classifier, the local receivers let through.
TEST_PROCESS_ENV = {
    "ENVIRONMENT": "test",
    "USE_REFERENCE_CLASSIFIER": "true",
    "OUTBOUND__ALLOW_HOSTS": TEST_ALLOW_HOSTS,
}


def make_settings(db_url: str, takedown_url: str | None = None, **extra: object) -> Settings:
    return Settings(
        environment=Environment.TEST,
        database=DatabaseSettings(url=db_url),
        platform=PlatformSettings(takedown_url=takedown_url, timeout=2.0, max_attempts=3),
        use_reference_classifier=True,
        **{"outbound": TEST_OUTBOUND, **extra},  # type: ignore[arg-type]
    )


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'veracity.db'}"


@pytest.fixture
def rt(sqlite_url: str, receiver: Receiver) -> Iterator[Runtime]:
    upgrade(sqlite_url)
    runtime = build_runtime(
        make_settings(sqlite_url, receiver[1]), classifier=ReferenceClassifier()
    )
    yield runtime
    runtime.engine.dispose()


@pytest.fixture
def pipeline(rt: Runtime) -> Iterator[InProcessDispatcher]:
    dispatcher = start_inprocess_pipeline(rt)
    yield dispatcher
    dispatcher.drain()
    dispatcher.shutdown()


@pytest.fixture
def client(rt: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(rt)) as test_client:
        yield test_client


def new_api_key(rt: Runtime, scopes: tuple[str, ...] = ("score", "read")) -> str:
    with transaction(rt.sessions) as session:
        return create_api_key(session, f"key-{uuid.uuid4().hex[:6]}", scopes, ADMIN).secret


def new_user_token(rt: Runtime, role: str, username: str | None = None) -> str:
    name = username or f"{role}-{uuid.uuid4().hex[:6]}"
    with transaction(rt.sessions) as session:
        user = add_user(session, name, PASSWORD, role, ADMIN)
        user_id = user.id
    return sign_token({"sub": user_id, "role": role}, rt.settings.security.secret_key, 3600)


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    """Poll until `predicate()` holds: for work that happens on another thread or process."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released): for a server to start on, or
    for an address that refuses connections."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# `celery worker` for the product's app, in a child process; the caller adds queue, pool, ...
CELERY_WORKER = (sys.executable, "-m", "celery", "-A", "runtime.worker:app", "worker")


def run_python(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """This interpreter with `args` in a child process at the repository root, its output
    captured as text; a failing exit raises nothing (run's default): the caller checks it."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def child_env(*, drop: tuple[str, ...], **set_: str) -> dict[str, str]:
    """This process's environment for a child process, less every variable whose name starts
    with one of `drop` (so the caller's service settings do not leak in), plus `set_`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update(set_)
    return env


def services_env(
    db_url: str,
    redis_url: str,
    elasticsearch_url: str,
    es_prefix: str,
    takedown_url: str,
    drop: tuple[str, ...] = (),
    **extra: str,
) -> dict[str, str]:
    """The environment for the product in a child process on the real services (the reference
    classifier, test outbound hosts), less the caller's settings that start with `drop`."""
    return child_env(
        drop=("DATABASE__", "REDIS__", "ELASTICSEARCH__", *drop),
        **TEST_PROCESS_ENV,
        DATABASE__URL=db_url,
        REDIS__URL=redis_url,
        ELASTICSEARCH__HOSTS=elasticsearch_url,
        ELASTICSEARCH__INDEX_PREFIX=es_prefix,
        PLATFORM__TAKEDOWN_URL=takedown_url,
        **extra,
    )


def logged_after(document: dict[str, object]) -> dict[str, object]:
    """The `after` part of a logged event's document."""
    veracity = document["veracity"]
    assert isinstance(veracity, dict)
    after = veracity["after"]
    assert isinstance(after, dict)
    return after


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def claim_and_decide(
    rt: Runtime, client: TestClient, decision: Mapping[str, object]
) -> dict[str, Any]:
    """A new reviewer claims the next case and decides it (the API must accept the decision);
    returns the case as claimed."""
    reviewer = auth(new_user_token(rt, "reviewer"))
    case: dict[str, Any] = client.post("/v1/cases/claim", headers=reviewer).json()["case"]
    decided = client.post(f"/v1/cases/{case['id']}/decision", json=decision, headers=reviewer)
    assert decided.status_code == 200, decided.text
    return case


# What the action log holds for a post a reviewer removed, in order.
REMOVAL_TRAIL = (
    "post.scored",
    "post.routed",
    "case.queued",
    "case.claimed",
    "case.decided",
    "enforcement.requested",
    "enforcement.confirmed",
)


def stored(rt: Runtime, model: type[_Row], key: str) -> _Row:
    """The row of `model` with primary key `key`, as stored now (it must exist)."""
    with rt.sessions() as s:
        row = s.get(model, key)
        assert row is not None, (model.__name__, key)
        return row


def due_at(rt: Runtime, model: type[_Retried], key: str) -> datetime:
    """When the stored row's next attempt is due (it must have one)."""
    due = stored(rt, model, key).next_attempt_at
    assert due is not None
    return due


@pytest.fixture
def bilingual(tmp_path: Path) -> Iterator[Stack]:
    """The review UI's stack with both languages' shipped models and claims (bilingual_stack)."""
    from tests.review_ui.conftest import bilingual_stack  # it builds on this module

    with bilingual_stack(tmp_path) as made:
        yield made


@pytest.fixture
def platform_key(rt: Runtime) -> str:
    return new_api_key(rt)


@contextmanager
def new_postgres_database(prefix: str) -> Iterator[str]:
    """An empty PostgreSQL database on the test server, dropped (with any session left) after."""
    import sqlalchemy as sa

    base = service_url("POSTGRES")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test, dropped afterwards."""
    with new_postgres_database("vt") as url:
        upgrade(url)
        yield url


@contextmanager
def flushed_redis(url: str) -> Iterator[str]:
    """The Redis database at `url`, emptied before and after."""
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


def own_redis_db(redis_url: str, db: int) -> Iterator[str]:
    """For a fixture to `yield from`: Redis database `db` of the test server, emptied before and
    after. A suite that runs real workers or a beat takes one of its own, so that no other
    suite's worker takes its tasks."""
    with flushed_redis(redis_url.rsplit("/", 1)[0] + f"/{db}") as url:
        yield url


@pytest.fixture
def redis_url() -> Iterator[str]:
    with flushed_redis(service_url("REDIS")) as url:
        yield url


@pytest.fixture
def own_redis(redis_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """Redis database REDIS_DB (set in the test module) of the test server, emptied before and
    after: a suite that runs real workers takes one of its own, so no other suite's worker
    takes its tasks."""
    yield from own_redis_db(redis_url, request.module.REDIS_DB)


def redis_runtime(
    db_url: str, redis_url: str, takedown_url: str | None = None, **extra: object
) -> Runtime:
    """A runtime with the reference classifier whose Redis (rate limits, the Celery broker) is
    at `redis_url`; `extra`: further settings."""
    settings = make_settings(db_url, takedown_url, redis=RedisSettings(url=redis_url), **extra)
    return build_runtime(settings, classifier=ReferenceClassifier())


def redis_limited_runtime(tmp_path: Path, redis_url: str) -> Runtime:
    """An embedded runtime on a fresh SQLite database whose API rate limits count in Redis."""
    db = f"sqlite:///{tmp_path / 'limited.db'}"
    upgrade(db)
    return redis_runtime(db, redis_url)


@pytest.fixture
def elasticsearch_url() -> str:
    return service_url("ELASTICSEARCH")


@pytest.fixture
def es_prefix(elasticsearch_url: str) -> Iterator[str]:
    """A unique index prefix per test, its indices and template deleted afterwards."""
    from elasticsearch import Elasticsearch

    prefix = f"vt-{uuid.uuid4().hex[:10]}"
    yield prefix
    client = Elasticsearch(elasticsearch_url)
    client.options(ignore_status=404).indices.delete(index=f"{prefix}-*")
    client.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}-actions")
    client.close()


def es_runtime(
    db_url: str, elasticsearch_url: str, es_prefix: str, **extra: object
) -> Iterator[Runtime]:
    """For a fixture: a runtime over the migrated database at `db_url` whose action log is in
    Elasticsearch under `es_prefix` (`extra`: further settings); its client closed after."""
    upgrade(db_url)
    es = ElasticsearchSettings(hosts=[elasticsearch_url], index_prefix=es_prefix)
    settings = make_settings(db_url, None, elasticsearch=es, **extra)
    runtime = build_runtime(settings, classifier=ReferenceClassifier())
    yield runtime
    if runtime.action_log is not None:
        runtime.action_log.client.close()
    runtime.engine.dispose()
