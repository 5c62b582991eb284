"""A post's status after an undo: `restored` only when no other confirmed removal or label holds
it. A correction asks the platform to undo the old action and apply the new one; the two may be
confirmed in either order."""

from __future__ import annotations

import pytest

from core.actors import Actor
from core.db import transaction
from pipeline.actions import request_action, request_undo
from pipeline.enforcement import execute_action
from pipeline.models import EnforcementAction, Post, PostStatus
from pipeline.platform_client import EnforcementRequest
from runtime.container import Runtime
from tests.conftest import stored
from tests.pipeline.factories import add_scored_post

SYSTEM = Actor.system("test")


class Platform:
    def enforce(self, request: EnforcementRequest) -> str:
        return f"ref-{request.idempotency_key}"


def _confirm(rt: Runtime, action_id: str) -> None:
    assert execute_action(rt.sessions, action_id, Platform(), max_attempts=3).status == "confirmed"


def _removed_then_corrected(rt: Runtime, to: str | None) -> tuple[str, str, str | None]:
    """(post, the undo of its confirmed removal, the correction's new action or None)."""
    with transaction(rt.sessions) as session:
        post = add_scored_post(session)
        removal = request_action(session, post, "remove", {}, f"remove-{post.id}", SYSTEM)
        post_id, removal_id = post.id, removal.id
    _confirm(rt, removal_id)
    with transaction(rt.sessions) as session:
        original = session.get(EnforcementAction, removal_id)
        corrected = session.get(Post, post_id)
        assert original is not None and corrected is not None
        undo = request_undo(session, original, SYSTEM, "wrong action")
        assert undo is not None
        new = None
        if to is not None:
            new = request_action(session, corrected, to, {}, f"{to}-{post_id}", SYSTEM).id
        return post_id, undo.id, new


@pytest.mark.parametrize("undo_first", [True, False])
def test_a_corrected_post_shows_its_new_label_whichever_is_confirmed_last(
    any_rt: Runtime, undo_first: bool
) -> None:
    post_id, undo_id, label_id = _removed_then_corrected(any_rt, "label")
    assert label_id is not None
    for action_id in (undo_id, label_id) if undo_first else (label_id, undo_id):
        _confirm(any_rt, action_id)
    assert stored(any_rt, Post, post_id).status == PostStatus.LABELLED


def test_an_undo_with_nothing_else_holding_the_post_restores_it(any_rt: Runtime) -> None:
    post_id, undo_id, _ = _removed_then_corrected(any_rt, None)
    _confirm(any_rt, undo_id)
    assert stored(any_rt, Post, post_id).status == PostStatus.RESTORED
