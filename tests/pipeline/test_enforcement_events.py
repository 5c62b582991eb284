"""What the log says when the platform confirms an action: the action by name, labels as labels."""

from __future__ import annotations

from sqlalchemy import select

from audit import dsa
from audit.db_search import DatabaseSearch
from audit.events import Action
from audit.models import AuditEvent
from audit.schemas import SearchFilters
from core.actors import Actor
from core.db import transaction
from core.dispatch import InProcessDispatcher
from incidents.report import _volumes
from pipeline.actions import request_action
from pipeline.models import Post
from runtime.container import Runtime
from tests.pipeline.factories import add_scored_post

SYSTEM = Actor.system("test")


def _request(rt: Runtime, action: str, params: dict[str, object], key: str) -> str:
    with transaction(rt.sessions) as session:
        post = add_scored_post(session)
        request_action(session, post, action, params, key, SYSTEM)
        return post.id


def _events(rt: Runtime, action: Action) -> list[AuditEvent]:
    with rt.sessions() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action.value)))


def _after(event: AuditEvent) -> dict[str, object]:
    veracity = event.document["veracity"]
    assert isinstance(veracity, dict)
    after = veracity.get("after") or {}
    assert isinstance(after, dict)
    return after


def test_a_confirmed_label_is_logged_as_a_label_and_a_removal_as_a_removal(
    rt: Runtime, pipeline: InProcessDispatcher
) -> None:
    labelled = _request(rt, "label", {"statement_id": "st-1"}, "label-st-1")
    removed = _request(rt, "remove", {}, "remove-1")
    reduced = _request(rt, "reduce_reach", {}, "reduce-1")
    pipeline.drain()

    confirmed = _events(rt, Action.ENFORCEMENT_CONFIRMED)
    assert {(e.post_id, _after(e).get("action")) for e in confirmed} == {
        (labelled, "label"),
        (removed, "remove"),
        (reduced, "reduce_reach"),
    }
    (label_event,) = _events(rt, Action.POST_LABELLED)
    assert label_event.post_id == labelled
    with rt.sessions() as session:
        assert session.get(Post, labelled).status == "labelled"  # type: ignore[union-attr]

    # An incident report counts removals as removals and labels as labels.
    volumes = _volumes([*confirmed, label_event], posts=3)
    assert (volumes["removed"], volumes["labelled"]) == (1, 1)


def test_a_counter_statement_label_gets_a_statement_of_reasons_a_decided_one_does_not(
    rt: Runtime, pipeline: InProcessDispatcher
) -> None:
    from_statement = _request(rt, "label", {"statement_id": "st-2"}, "label-st-2")
    pipeline.drain()
    statements = [
        s
        for batch in dsa.statement_batches(DatabaseSearch(rt.sessions), SearchFilters())
        for s in batch
    ]
    assert len(statements) == 1
    (statement,) = statements
    assert statement["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_LABELLED"]
    assert statement["automated_decision"] == "AUTOMATED_DECISION_FULLY"
    assert "false" in statement["decision_facts"]
    (label_event,) = _events(rt, Action.POST_LABELLED)
    assert label_event.post_id == from_statement
