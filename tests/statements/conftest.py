"""Fixtures for the statement tests: the platform's official-account endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.statements.helpers import OFFICIAL_SECRET, WebhookReceiver


@pytest.fixture
def official() -> Iterator[WebhookReceiver]:
    """The official-account endpoint, accepting what is signed with OFFICIAL_SECRET."""
    receiver = WebhookReceiver(OFFICIAL_SECRET)
    yield receiver
    receiver.server.shutdown()
