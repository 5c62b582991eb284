"""The action log's fixtures: one scenario on either log store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from audit.tasks import ship_outbox
from classifier.reference import ReferenceClassifier
from core.migrate import upgrade
from runtime.container import Runtime, build_runtime
from tests.audit.factories import Store
from tests.conftest import es_runtime, make_settings


@pytest.fixture(
    params=[
        "database",
        pytest.param("postgres", marks=pytest.mark.services),
        pytest.param("elasticsearch", marks=pytest.mark.services),
    ]
)
def store(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[Store]:
    """A runtime whose log is in the database (SQLite, or PostgreSQL) or in Elasticsearch, and
    what makes the events written so far searchable there."""
    if request.param in ("database", "postgres"):
        url = request.getfixturevalue("postgres_url") if request.param == "postgres" else sqlite_url
        upgrade(url)
        runtime = build_runtime(make_settings(url), classifier=ReferenceClassifier())
        yield runtime, lambda: None
        runtime.engine.dispose()
        return
    es_url: str = request.getfixturevalue("elasticsearch_url")
    prefix: str = request.getfixturevalue("es_prefix")
    for runtime in es_runtime(sqlite_url, es_url, prefix):

        def ship(rt: Runtime = runtime) -> None:
            ship_outbox(rt)
            assert rt.action_log is not None
            rt.action_log.refresh()

        yield runtime, ship
