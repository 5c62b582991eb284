"""Elasticsearch down before the first shipment (its index template not yet put): the run says
"shipping paused" with the events still waiting and one warning, never a connection error's
traceback (the console: tests/veracity_cli/test_ship_outbox.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from audit.events import Action, Subject
from audit.service import record
from audit.tasks import ship_outbox
from classifier.reference import ReferenceClassifier
from core.actors import Actor
from core.db import transaction
from core.migrate import upgrade
from core.settings import ElasticsearchSettings
from runtime.container import Runtime, build_runtime
from tests.conftest import free_port, make_settings


@pytest.fixture
def es_down(tmp_path: Path) -> Iterator[Runtime]:
    """A runtime whose action log is an Elasticsearch that refuses connections."""
    url = f"sqlite:///{tmp_path / 'v.db'}"
    upgrade(url)
    es = ElasticsearchSettings(hosts=[f"http://127.0.0.1:{free_port()}"])
    runtime = build_runtime(make_settings(url, elasticsearch=es), classifier=ReferenceClassifier())
    yield runtime
    runtime.engine.dispose()


def test_the_periodic_task_pauses_with_one_warning_and_the_events_kept(
    es_down: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    with transaction(es_down.sessions) as session:
        record(session, Action.CASE_DECIDED, Actor.system("t"), Subject(post_id="p1"), reason="t")

    with caplog.at_level(logging.WARNING):
        result = ship_outbox(es_down)

    assert result is not None and result.error
    assert (result.shipped, result.failed, result.remaining) == (0, 0, 1)
    warnings = [
        r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("audit")
    ]
    assert [r.getMessage().split(":")[0] for r in warnings] == ["action log shipping paused"]
    assert all(r.exc_info is None for r in warnings)
