"""Fixtures for the statement tests: the platform's official-account endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from classifier.reference import ReferenceClassifier
from core.migrate import upgrade
from core.settings import OutboundSettings
from runtime.container import Runtime, build_runtime
from tests.conftest import make_settings
from tests.statements.helpers import WebhookReceiver, official_receiver


@pytest.fixture
def official() -> Iterator[WebhookReceiver]:
    """The official-account endpoint, accepting what is signed with OFFICIAL_SECRET."""
    yield from official_receiver()


@pytest.fixture
def strict_rt(sqlite_url: str) -> Iterator[Runtime]:
    """A runtime as in production: no outbound allow-list, so loopback (the local receivers
    included) is private like any inside address."""
    upgrade(sqlite_url)
    settings = make_settings(sqlite_url, outbound=OutboundSettings())
    runtime = build_runtime(settings, classifier=ReferenceClassifier())
    yield runtime
    runtime.engine.dispose()
