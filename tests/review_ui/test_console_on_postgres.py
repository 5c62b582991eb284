"""The reviewer console's queries and migration on both backends: 0702 up, down and up;
the console's pages, QA sampling, bulk decisions, corrections and the note autosave on
real PostgreSQL."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from alembic import command
from sqlalchemy import select

from core.actors import Actor, ActorType
from core.db import transaction
from core.migrate import alembic_config, upgrade
from pipeline import qa
from pipeline.console_models import CaseNoteDraft, QaReview
from pipeline.models import Decision, ReviewCase
from tests.core.backends import table_names
from tests.review_ui.conftest import browser_client, csrf_of, sign_in, signed_in, stack_on, submit

TABLES = {"reviewer_settings", "case_note_drafts", "qa_sampling", "qa_reviews"}
SENIOR = Actor(name="boss", type=ActorType.HUMAN, roles=("senior_reviewer",))


def test_migration_0702_goes_up_down_and_up_again(empty_url: str) -> None:
    upgrade(empty_url, "0702_reviewer_console")
    assert table_names(empty_url) & TABLES == TABLES
    command.downgrade(alembic_config(empty_url), "0701_review_ui")
    assert table_names(empty_url) & TABLES == set()
    upgrade(empty_url)
    assert table_names(empty_url) & TABLES == TABLES


def _next(client, token: str) -> str:  # type: ignore[no-untyped-def]
    location: str = client.post(
        "/ui/review/next", data={"csrf_token": token}, follow_redirects=False
    ).headers["location"]
    return location


@pytest.mark.services
def test_the_console_on_postgres(postgres_url: str) -> None:
    with contextmanager(stack_on)(postgres_url) as stack:
        with transaction(stack.rt.sessions) as session:
            qa.set_sampling_fraction(session, 1.0, SENIOR)
        stack.queue_posts(["Garlic and bleach cure, share now!!"])
        first, second = browser_client(stack), browser_client(stack)
        alice, bob = stack.user("reviewer"), stack.user("reviewer")
        sign_in(first, alice)
        sign_in(second, bob)
        token = csrf_of(first.get("/ui/review").text)
        case_id = _next(first, token).rsplit("/", 1)[-1]
        saved = first.post(
            f"/ui/review/cases/{case_id}/note",
            data={"note": "AFP rated it false"},
            headers={"x-csrf-token": token, "accept": "application/json"},
        )
        assert saved.json() == {"saved": True}
        extended = first.post(
            f"/ui/review/cases/{case_id}/extend",
            headers={"x-csrf-token": token, "accept": "application/json"},
        )
        assert extended.json()["extended"] is True
        assert "AFP rated it false" in first.get(f"/ui/review/cases/{case_id}").text
        decided = first.post(
            f"/ui/review/cases/{case_id}/decide",
            data={"csrf_token": token, "reason_code": "false_claim", "action": "remove"},
            follow_redirects=False,
        )
        assert decided.headers["location"].startswith("/ui/review/decisions/")  # none left
        stack.dispatcher.drain()
        with stack.rt.sessions() as session:
            assert session.get(CaseNoteDraft, (case_id, alice)) is None
            qa_case = session.scalars(select(ReviewCase).where(ReviewCase.stage == "qa")).one()
        qa_page = second.get(_next(second, csrf_of(second.get("/ui/review").text)))
        assert "QA sample" in qa_page.text and qa_case.id in str(qa_page.url)
        submit(
            second,
            qa_page,
            f"/ui/review/cases/{qa_case.id}/decide",
            follow_redirects=True,
            reason_code="false_claim",
            action="remove",
        )
        with stack.rt.sessions() as session:
            assert session.scalars(select(QaReview)).one().agrees is True
        with transaction(stack.rt.sessions) as session:
            qa.set_sampling_fraction(session, 0.0, SENIOR)
        stack.queue_posts([f"Garlic and bleach cure, variant {i}, share now!!" for i in range(3)])
        onward = first.post(  # decide goes straight on to the next case
            f"/ui/review/cases/{_next(first, token).rsplit('/', 1)[-1]}/release",
            data={"csrf_token": token},
            follow_redirects=False,
        )
        assert onward.headers["location"] == "/ui/review?notice=released"

        senior = signed_in(stack, "senior_reviewer")
        board = senior.get("/ui/dashboards").text
        assert 'id="qa-agreement">100%<' in board
        page = senior.get("/ui/supervise").text
        assert "showing 3 of 3" in page and f'id="figures-{alice}"' in page
        waiting = re.findall(r'name="case_ids" value="(\w+)"', page)[:2]
        bulk = {
            "csrf_token": csrf_of(page),
            "case_ids": waiting,
            "action": "no_action",
            "reason_code": "not_misinformation",
        }
        preview = senior.post("/ui/supervise/bulk/preview", data=bulk)
        assert preview.status_code == 200 and "Apply to 2 cases" in preview.text
        applied = senior.post(
            "/ui/supervise/bulk/apply",
            data=bulk,
            follow_redirects=False,
        )
        assert "done=2" in applied.headers["location"]
        # exposure counts the bulk-decided cases (a JSON path into the log on PostgreSQL too)
        assert 'id="seen-today">2<' in senior.get("/ui/review/wellness").text
        with stack.rt.sessions() as session:
            removal = session.scalars(select(Decision).where(Decision.decided_by == alice)).one()
        recent = senior.get("/ui/decisions").text
        assert f"undo-{removal.id}" in recent and "agreed" in recent
        undone = submit(senior, recent, f"/ui/decisions/{removal.id}/undo", why="court ruling")
        assert undone.headers["location"] == "/ui/decisions?notice=undone"
        wellness = first.post(
            "/ui/review/wellness",
            data={"csrf_token": token, "grayscale": "1", "daily_cap": "1"},
            follow_redirects=False,
        )
        assert wellness.status_code == 303
        assert 'id="exposure-warning"' in first.get("/ui/review").text
