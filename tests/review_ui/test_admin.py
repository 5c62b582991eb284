"""Admin pages through the HTTP edge: accounts, keys, dead-letter retry."""

from __future__ import annotations

from sqlalchemy import select

from accounts.models import User
from pipeline.models import ActionStatus, EnforcementAction
from tests.review_ui.conftest import (
    Stack,
    browser_client,
    decided_case,
    sign_in,
    signed_in,
    submit,
)


def test_admin_creates_an_account_that_can_sign_in(stack: Stack) -> None:
    client = signed_in(stack, "admin")
    page = client.get("/ui/admin")
    made = submit(
        client,
        page,
        "/ui/admin/users",
        username="new-legal",
        password="a-long-enough-password",
        role="legal",
    )
    assert made.headers["location"] == "/ui/admin?notice=user_added"
    with stack.rt.sessions() as session:
        assert (
            session.scalars(select(User.role).where(User.username == "new-legal")).one() == "legal"
        )
    short = submit(client, page, "/ui/admin/users", username="x", password="short", role="pr")
    assert short.status_code == 422 and "at least 10 characters" in short.text
    assert sign_in(browser_client(stack), "new-legal", "a-long-enough-password").status_code == 303


def test_admin_retries_a_dead_lettered_action_and_it_is_confirmed(stack: Stack) -> None:
    decided_case(stack, "Miracle cure hoax exposed!! share before", "dead letter drill")
    with stack.rt.sessions() as session, session.begin():
        action = session.scalars(select(EnforcementAction)).one()
        action.status = ActionStatus.DEAD
        action.last_error = "platform said 503"
        action_id = action.id
    client = signed_in(stack, "admin")
    page = client.get("/ui/admin")
    assert "platform said 503" in page.text
    retried = submit(client, page, f"/ui/admin/dead/{action_id}/retry")
    assert retried.headers["location"] == "/ui/admin?notice=retried"
    stack.dispatcher.drain()
    with stack.rt.sessions() as session:
        done = session.get(EnforcementAction, action_id)
        assert done is not None and done.status == ActionStatus.CONFIRMED
    again = submit(client, page, f"/ui/admin/dead/{action_id}/retry")
    assert again.status_code == 409
