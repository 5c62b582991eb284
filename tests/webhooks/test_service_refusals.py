"""webhooks.service: a test send or a secret rotation is refused, as not found, for a subscription
that is missing, unsubscribed, or (rotation through the API) registered by another key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from accounts.models import ApiKey
from core.actors import Actor
from core.db import transaction
from core.errors import NotFound
from runtime.container import Runtime
from webhooks.models import WebhookSubscription
from webhooks.service import queue_ping, rotate_secret

ADMIN = Actor.system("test")


def _refusal(call: Callable[[], object]) -> str:
    with pytest.raises(NotFound) as caught:
        call()
    return str(caught.value)


def test_ping_and_rotation_refuse_what_is_missing_unsubscribed_or_anothers(rt: Runtime) -> None:
    with transaction(rt.sessions) as session:
        session.add(ApiKey(id="k1", name="k1", key_hash="k1", prefix="k1", scopes=["webhooks"]))
        gone, theirs = (
            WebhookSubscription(
                url="https://platform.example/hooks",
                secret="s",
                events=["decision.made"],
                created_by="admin",
                owner_key_id="k1",
                active=active,
            )
            for active in (False, True)
        )
        session.add_all([gone, theirs])
        session.flush()
        no_grace = timedelta(0)
        inactive = f"no active webhook subscription '{gone.id}'"
        assert _refusal(lambda: queue_ping(session, gone.id, ADMIN)) == inactive
        assert _refusal(lambda: rotate_secret(session, gone.id, ADMIN, no_grace)) == inactive
        missing = _refusal(lambda: queue_ping(session, "nope", ADMIN))
        assert missing == "no active webhook subscription 'nope'"
        missing = _refusal(lambda: rotate_secret(session, "nope", ADMIN, no_grace))
        assert missing == "no webhook subscription 'nope'"
        foreign = _refusal(
            lambda: rotate_secret(session, theirs.id, ADMIN, no_grace, owned_by="k2")
        )
        assert foreign == f"no webhook subscription '{theirs.id}'"
