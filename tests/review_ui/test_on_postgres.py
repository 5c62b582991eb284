"""The new UI pages' queries on real PostgreSQL: case panels, reassignment, policy preview."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import select

from core.actors import Actor, ActorType
from core.db import transaction
from incidents.service import observe_post
from incidents.severity import IncidentPolicy
from pipeline.claim_links import link_post
from pipeline.models import ReviewCase
from pipeline.policy_store import active_policy
from review_ui.admin.policy_form import flatten
from tests.review_ui.conftest import browser_client, csrf_of, sign_in, signed_in, stack_on, submit
from tests.statements.helpers import load_fixture_claims

MATCHER = Actor(name="system:matcher", type=ActorType.SYSTEM)


@pytest.mark.services
def test_case_panels_reassignment_and_policy_preview_on_postgres(postgres_url: str) -> None:
    with contextmanager(stack_on)(postgres_url) as stack:
        claim = load_fixture_claims(stack.rt)[0]
        texts = [
            f"Garlic and bleach cure, variant {i}, share before it is deleted!!" for i in (1, 2)
        ]
        first, second = stack.queue_posts(texts, views=300)
        with transaction(stack.rt.sessions) as session:
            link_post(session, claim.id, first, MATCHER, similarity=0.9)
            for post_id in (first, second):
                observe_post(
                    session,
                    post_id,
                    claim_id=claim.id,
                    title="Bleach cure",
                    policy=IncidentPolicy(min_posts=2),
                )
            case_id = session.scalars(
                select(ReviewCase.id).where(ReviewCase.post_id == first)
            ).one()

        senior = signed_in(stack, "senior_reviewer")
        reviewer = stack.user("reviewer")
        moved = submit(
            senior,
            senior.get("/ui/supervise"),
            f"/ui/supervise/cases/{case_id}/reassign",
            to_username=reviewer,
        )
        assert moved.status_code == 303

        worker = browser_client(stack)
        sign_in(worker, reviewer)
        page = worker.get(f"/ui/review/cases/{case_id}").text
        assert claim.text[:30] in page and "similarity 0.90" in page
        related = page[page.index('id="related-posts"') :]
        assert 'id="related-incident">Bleach cure<' in related and second in related

        admin = signed_in(stack, "admin")
        with stack.rt.sessions() as session:
            values = flatten(active_policy(session, stack.rt.policy).to_body())
        values = {k: v for k, v in values.items() if v} | {"band_routes.urgent": "ignore"}
        token = csrf_of(admin.get("/ui/admin/policy").text)
        preview = admin.post("/ui/admin/policy/preview", data={"csrf_token": token, **values})
        assert preview.status_code == 200, preview.text[:500]
        assert 'id="now-to_review">2<' in preview.text
        assert 'id="candidate-to_review">0<' in preview.text
