"""Drill cases live in their own namespace: every real queue read (claim next, the reviewers'
counts and language choices, the supervise page, dashboards) leaves them out, and a drill's
claim takes only drill cases."""

from __future__ import annotations

from fastapi.testclient import TestClient

from accounts.service import add_user
from core.db import transaction
from incidents.drill_queue import DRILL_QUEUE, drill_reviewer
from pipeline.queue import claim_next, open_case_for_post
from pipeline.routing import RoutingPolicy
from review_ui.supervisor import dashboard_data
from runtime.container import Runtime
from runtime.web import create_app
from tests.conftest import ADMIN, PASSWORD
from tests.pipeline.factories import add_scored_post, make_case, reviewer
from tests.review_ui.conftest import sign_in


def _drill_case(rt: Runtime) -> str:
    """A drill case that would top any real queue: near-certain and hugely viral."""
    with transaction(rt.sessions) as session:
        post = add_scored_post(session, score=0.99, views=5_000_000, lang="xx")
        post.is_drill = True
        case = open_case_for_post(session, post.id, RoutingPolicy())
        assert case is not None and case.is_drill
        return case.id


def test_real_reviewers_never_get_a_drill_case_and_drills_get_only_theirs(rt: Runtime) -> None:
    drill = _drill_case(rt)
    real = make_case(rt.sessions, score=0.6)
    with transaction(rt.sessions) as session:
        first = claim_next(session, reviewer("ann"))
        second = claim_next(session, reviewer("bob"))
        assert (first.id if first else None, second) == (real, None)
        taken = claim_next(session, drill_reviewer("drill-key"), filters=DRILL_QUEUE)
        assert taken is not None and taken.id == drill
        assert claim_next(session, drill_reviewer("other"), filters=DRILL_QUEUE) is None


def test_queue_counts_supervise_page_and_dashboards_leave_drill_cases_out(rt: Runtime) -> None:
    drill = _drill_case(rt)
    real = make_case(rt.sessions, score=0.6)
    with rt.sessions() as session:
        assert dashboard_data.queue_depth(session) == {"review": 1}
        assert sum(dashboard_data.queue_depth(session, include_drills=True).values()) == 2
    with transaction(rt.sessions) as session:
        add_user(session, "senior-ns", PASSWORD, "senior_reviewer", ADMIN)
    with TestClient(create_app(rt), base_url="https://testserver") as ui:
        sign_in(ui, "senior-ns")
        supervise = ui.get("/ui/supervise").text
        assert real in supervise and drill not in supervise
        overview = ui.get("/ui/review").text
        assert 'id="depth-urgent">0<' in overview and 'id="depth-review">1<' in overview
        assert '<option value="xx"' not in overview  # the drill case's language
