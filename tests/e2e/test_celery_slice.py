"""One post from the API to a removal at the platform and its log document in Elasticsearch,
through a real Celery worker on real Redis, with PostgreSQL as the system of record."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import ApiError
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.migrate import upgrade
from core.settings import ElasticsearchSettings
from pipeline.models import ReviewCase
from pipeline.platform_receiver import ReceiverState
from runtime.container import Runtime
from runtime.web import create_app
from tests.conftest import (
    CELERY_WORKER,
    REMOVAL_TRAIL,
    auth,
    claim_and_decide,
    new_api_key,
    services_env,
    wait_for,
)
from tests.pipeline.workers import REPO, celery_runtime

pytestmark = pytest.mark.services
REDIS_DB = 11  # the own_redis fixture's database, no other suite's
FALSE_POST = "The miracle cure they don't want you to know: garlic water kills the virus. Share before they delete it!!"


@pytest.fixture
def worker_env(
    postgres_url: str,
    own_redis: str,
    elasticsearch_url: str,
    es_prefix: str,
    receiver: tuple[ReceiverState, str],
) -> dict[str, str]:
    return services_env(postgres_url, own_redis, elasticsearch_url, es_prefix, receiver[1])


@pytest.fixture
def celery_worker(worker_env: dict[str, str], tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    log = (tmp_path / "worker.log").open("wb")
    proc = subprocess.Popen(
        [
            *CELERY_WORKER,
            "--beat",
            "-Q",
            "veracity",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--schedule",
            str(tmp_path / "beat-schedule"),
        ],
        cwd=REPO,
        env=worker_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
    print((tmp_path / "worker.log").read_text(errors="replace")[-3000:])


@pytest.fixture
def celery_rt(
    postgres_url: str,
    own_redis: str,
    elasticsearch_url: str,
    es_prefix: str,
    receiver: tuple[ReceiverState, str],
) -> Iterator[Runtime]:
    upgrade(postgres_url)
    es = ElasticsearchSettings(hosts=[elasticsearch_url], index_prefix=es_prefix)
    rt = celery_runtime(postgres_url, own_redis, receiver[1], elasticsearch=es)
    assert rt.action_log is not None
    rt.action_log.ensure_template()
    yield rt
    rt.engine.dispose()


def test_post_to_removal_through_a_real_worker(
    celery_rt: Runtime, celery_worker: subprocess.Popen[bytes], receiver: tuple[ReceiverState, str]
) -> None:
    state, _ = receiver
    rt = celery_rt
    key = new_api_key(rt)
    with TestClient(create_app(rt)) as client:
        resp = client.post(
            "/v1/score",
            json={"posts": [{"id": "cel-1", "text": FALSE_POST, "views": 1200}]},
            headers=auth(key),
        )
        assert resp.status_code == 200
        assert resp.json()["results"][0]["case_opened"] is True

        def case_exists() -> bool:
            with rt.sessions() as s:
                return (
                    s.scalars(select(ReviewCase).where(ReviewCase.post_id == "cel-1")).first()
                    is not None
                )

        wait_for(case_exists, what="the worker to route the post into a case")
        decision = {
            "reason_code": "false_claim",
            "action": "remove",
            "note": "debunked garlic cure",
        }
        assert claim_and_decide(rt, client, decision)["post"]["id"] == "cel-1"

    wait_for(lambda: len(state.actions_applied()) == 1, what="the platform to receive the removal")
    assert state.actions_applied()[0]["post_id"] == "cel-1"
    assert state.actions_applied()[0]["action"] == "remove"

    store = rt.action_log
    assert store is not None

    def confirmation_logged() -> bool:
        query = {
            "bool": {
                "filter": [
                    {"term": {"veracity.post_id": "cel-1"}},
                    {"term": {"event.action": "enforcement.confirmed"}},
                ]
            }
        }
        try:
            store.refresh()
            return store.count(query) == 1
        except ApiError as exc:
            # The worker's shipper may be creating today's index right now: until its primary
            # shard has started, a search over the index pattern answers 503. Not there yet.
            if exc.meta.status == 503:
                return False
            raise

    wait_for(confirmation_logged, what="the removal's log document in Elasticsearch")
    store.refresh()
    actions = {
        h["_source"]["event"]["action"]
        for h in store.client.search(
            index=store.pattern, query={"term": {"veracity.post_id": "cel-1"}}, size=50
        )["hits"]["hits"]
    }
    assert set(REMOVAL_TRAIL) <= actions
