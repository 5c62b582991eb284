"""The database log's search, aggregations, export and retention on real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from audit.db_search import DatabaseSearch
from audit.events import Action
from audit.export import Export
from audit.holds import HoldSubject, set_hold
from audit.operations import apply_retention, verify
from audit.schemas import ExportFormat, SearchFilters
from classifier.reference import ReferenceClassifier
from core.actors import Actor
from core.clock import utcnow
from core.db import transaction
from runtime.container import Runtime, build_runtime
from tests.audit.factories import write_events
from tests.conftest import make_settings
from tests.pipeline.factories import add_scored_post

pytestmark = pytest.mark.services
LEGAL = Actor.system("test-legal")


@pytest.fixture
def pg_rt(postgres_url: str) -> Iterator[Runtime]:
    runtime = build_runtime(make_settings(postgres_url), classifier=ReferenceClassifier())
    yield runtime
    runtime.engine.dispose()


def test_search_aggregate_export_and_retention_on_postgres(pg_rt: Runtime) -> None:
    old = utcnow() - timedelta(days=1000)
    write_events(pg_rt, 5, at=old, post_prefix="old")
    write_events(pg_rt, 1, at=old, post_prefix="kept", policy_version="policy-8")
    write_events(pg_rt, 8, reason="manipulated_media: Doctored PHOTO", policy_version="policy-8")
    write_events(pg_rt, 3, action=Action.POST_SCORED, actor=Actor.system("scorer"))
    store = DatabaseSearch(pg_rt.sessions)
    decided = SearchFilters(actions=(Action.CASE_DECIDED,))
    assert store.search(SearchFilters(text="doctored photo"), size=50, cursor=None).total == 8
    assert store.count(SearchFilters(policy_version="policy-8")) == 9
    aggs = store.aggregate(decided)
    assert {b.key: b.count for b in aggs.by_policy} == {"policy-8": 9, "policy-7": 5}
    job = Export(store, pg_rt.sessions, decided, ExportFormat.NDJSON, LEGAL, page_size=100)
    assert sum(chunk.count(b"\n") for chunk in job.chunks()) == 14
    with transaction(pg_rt.sessions) as s:
        add_scored_post(s, post_id="kept0")
        set_hold(s, HoldSubject.POST, "kept0", "litigation hold", LEGAL)
    run = apply_retention(pg_rt, LEGAL, days=365)
    assert (run.deleted, run.held) == (5, 1)
    assert store.count(decided) == 9
    report = verify(pg_rt, LEGAL, log_result=False)
    assert report.ok, report.first_break
