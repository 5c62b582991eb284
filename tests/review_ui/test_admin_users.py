"""Admins edit accounts (role, deactivate, unlock, reset password) from the UI, send a signed
test ping to a webhook, and subscribers hear about incidents and published statements."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from accounts.models import User
from audit.events import Action, Subject
from audit.models import AuditEvent
from audit.service import record
from core.actors import Actor, ActorType
from core.clock import utcnow
from core.db import transaction
from tests.conftest import PASSWORD
from tests.review_ui.browsing import css, log_in, page_is, wait_for
from tests.review_ui.conftest import (
    Stack,
    browser_client,
    csrf_of,
    screenshot,
    sign_in,
    signed_in,
    submit,
)
from tests.statements.helpers import false_claim
from webhooks.models import DeliveryStatus, WebhookDelivery
from webhooks.receiver import WebhookReceiverState

NEW_PASSWORD = "a-fresh-long-password-42"
SYSTEM = Actor(name="system:test", type=ActorType.SYSTEM, roles=("system",))


def _admin(stack: Stack) -> tuple[Any, str]:
    client = browser_client(stack)
    name = stack.user("admin")
    sign_in(client, name)
    return client, name


def _post(client: Any, path: str, **data: Any) -> Any:
    return submit(client, client.get("/ui/admin"), path, **data)


def _user(stack: Stack, username: str) -> User:
    with stack.rt.sessions() as session:
        found = session.scalars(select(User).where(User.username == username)).one()
        session.expunge(found)
        return found


def test_a_role_change_takes_effect_and_ends_the_old_session(stack: Stack) -> None:
    admin, _ = _admin(stack)
    name = stack.user("reviewer")
    theirs = browser_client(stack)
    sign_in(theirs, name)
    assert theirs.get("/ui/review").status_code == 200
    changed = _post(admin, f"/ui/admin/users/{name}/role", role="senior_reviewer")
    assert changed.headers["location"] == f"/ui/admin/users/{name}?notice=role"
    assert _user(stack, name).role == "senior_reviewer"
    assert theirs.get("/ui/review", follow_redirects=False).status_code == 303  # signed out
    page = admin.get(changed.headers["location"])
    assert "Role changed" in page.text and 'id="user-role">senior reviewer' in page.text
    with stack.rt.sessions() as session:
        logged = session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.USER_CHANGED.value)
        ).all()
        docs: list[dict[str, Any]] = [e.document for e in logged]
        assert any(d["veracity"]["after"].get("role") == "senior_reviewer" for d in docs)
    bad = _post(admin, f"/ui/admin/users/{name}/role", role="overlord")
    assert bad.status_code == 422 and "unknown role" in bad.text


def test_deactivate_reactivate_unlock_and_reset_a_password(stack: Stack) -> None:
    admin, admin_name = _admin(stack)
    name = stack.user("pr")
    assert _post(admin, f"/ui/admin/users/{name}/active", active="no").status_code == 303
    assert not _user(stack, name).active
    assert sign_in(browser_client(stack), name).status_code != 303
    _post(admin, f"/ui/admin/users/{name}/active", active="yes")
    assert sign_in(browser_client(stack), name).status_code == 303

    with transaction(stack.rt.sessions) as session:
        user = session.scalars(select(User).where(User.username == name)).one()
        user.locked_until = utcnow() + timedelta(minutes=15)
    assert "locked until" in admin.get(f"/ui/admin/users/{name}").text
    assert sign_in(browser_client(stack), name).status_code != 303
    assert _post(admin, f"/ui/admin/users/{name}/unlock").status_code == 303
    assert _user(stack, name).locked_until is None
    assert sign_in(browser_client(stack), name).status_code == 303

    short = _post(admin, f"/ui/admin/users/{name}/password", password="short")
    assert short.status_code == 422 and "at least 10 characters" in short.text
    assert (
        _post(admin, f"/ui/admin/users/{name}/password", password=NEW_PASSWORD).status_code == 303
    )
    assert sign_in(browser_client(stack), name).status_code != 303
    assert sign_in(browser_client(stack), name, NEW_PASSWORD).status_code == 303

    own = _post(admin, f"/ui/admin/users/{admin_name}/active", active="no")
    assert own.status_code == 409 and _user(stack, admin_name).active
    demote = _post(admin, f"/ui/admin/users/{admin_name}/role", role="reviewer")
    assert demote.status_code == 409 and _user(stack, admin_name).role == "admin"
    assert admin.get("/ui/admin/users/nobody-here").status_code == 404
    reviewer = signed_in(stack, "reviewer")
    assert reviewer.get(f"/ui/admin/users/{name}").status_code == 403


def _subscribe(client: Any, url: str, events: list[str]) -> str:
    token = csrf_of(client.get("/ui/admin/webhooks").text)
    added = client.post(
        "/ui/admin/webhooks", data={"csrf_token": token, "url": url, "events": events}
    )
    secret = re.search(r'id="new-webhook-secret">(whsec_[^<]+)<', added.text)
    assert secret, added.text
    return secret.group(1)


def test_a_test_send_pings_the_endpoint_signed_and_shows_the_answer(
    stack: Stack, hooks: tuple[WebhookReceiverState, str]
) -> None:
    receiver, url = hooks
    admin, _ = _admin(stack)
    receiver.secret = _subscribe(admin, url, ["decision.made"])
    page = admin.get("/ui/admin/webhooks")
    sub_id = re.search(r'id="test-([0-9a-f]+)"', page.text)
    assert sub_id
    sent = submit(admin, page, f"/ui/admin/webhooks/{sub_id.group(1)}/test", follow_redirects=True)
    assert "Test ping delivered: the endpoint answered 200." in sent.text
    (request,) = receiver.requests
    assert request["valid"] and json.loads(request["body"])["type"] == "ping"

    receiver.fail_next.append(503)
    failed = submit(
        admin, page, f"/ui/admin/webhooks/{sub_id.group(1)}/test", follow_redirects=True
    )
    assert "Test ping not delivered: HTTP 503." in failed.text
    with stack.rt.sessions() as session:
        pings = session.scalars(select(WebhookDelivery).where(WebhookDelivery.event == "ping"))
        assert sorted(p.status for p in pings) == [DeliveryStatus.DELIVERED, DeliveryStatus.FAILED]
        tested = session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.WEBHOOK_TESTED.value)
        ).all()
        assert len(tested) == 2


def test_incident_and_statement_events_reach_subscribers_from_the_action_log(
    stack: Stack, hooks: tuple[WebhookReceiverState, str]
) -> None:
    _, url = hooks
    admin, _ = _admin(stack)
    _subscribe(admin, url, ["incident.opened", "incident.activated", "statement.published"])
    with transaction(stack.rt.sessions) as session:
        record(
            session,
            Action.INCIDENT_OPENED,
            SYSTEM,
            Subject(incident_id="inc-1"),
            after={"grade": 2},
        )
        with session.begin_nested() as savepoint:  # rolled back: never announced
            record(session, Action.INCIDENT_ACTIVATED, SYSTEM, Subject(incident_id="inc-2"))
            savepoint.rollback()
        record(session, Action.INCIDENT_GRADED, SYSTEM, Subject(incident_id="inc-1"))

    from statements import service
    from statements.generators import OfflineGenerator
    from statements.publishers import default_publishers
    from statements.schemas import DraftIn

    claim = false_claim(stack.rt)
    writer = Actor(name="pr-a", type=ActorType.HUMAN, roles=("pr",))
    approver = Actor(name="pr-b", type=ActorType.HUMAN, roles=("pr",))
    with transaction(stack.rt.sessions) as session:
        made = service.draft(
            session,
            DraftIn(kind="counter_statement", claim_id=claim.id),
            writer,
            OfflineGenerator(),
            platform="Demo",
        )
        service.approve(session, made.id, approver)
        service.publish(session, made.id, approver, default_publishers(webhook=False))
    with stack.rt.sessions() as session:
        sent = {d.event: d.payload for d in session.scalars(select(WebhookDelivery))}
    assert set(sent) == {"incident.opened", "statement.published"}
    assert sent["incident.opened"]["incident_id"] == "inc-1"
    assert sent["incident.opened"]["grade"] == 2
    published = sent["statement.published"]
    assert published["statement_id"] == made.id
    assert str(published["url"]).endswith(f"/v1/statements/{made.id}/public")
    assert "pr-a" not in json.dumps(sent) and "pr-b" not in json.dumps(sent)
    stack.dispatcher.drain()  # the deliveries go out before the stack closes


@pytest.mark.browser
def test_an_admin_resets_a_password_and_deactivates_an_account_in_the_browser(
    browser: Any, live_url: str, module_stack: Stack
) -> None:
    name = module_stack.user("reviewer")
    log_in(browser, live_url, module_stack.user("admin"))
    page_is(browser, "admin")
    css(browser, f"#user-{name}").click()
    page_is(browser, "admin-user")
    css(browser, "#new-password").send_keys(NEW_PASSWORD)
    css(browser, "#reset-password").click()
    wait_for(browser, lambda d: d.switch_to.alert).accept()
    wait_for(browser, lambda d: "Password reset" in css(d, "main").text)
    css(browser, "#role").send_keys("senior reviewer")
    css(browser, "#save-role").click()
    wait_for(browser, lambda d: d.switch_to.alert).accept()
    wait_for(browser, lambda d: css(d, "#user-role").text == "senior reviewer")
    css(browser, "#toggle-active").click()
    wait_for(browser, lambda d: d.switch_to.alert).accept()
    wait_for(browser, lambda d: css(d, "#user-state").text == "deactivated")
    screenshot(browser, "95-admin-user-edited")
    assert PASSWORD != NEW_PASSWORD


@pytest.mark.browser
def test_an_admin_subscribes_a_webhook_and_sends_it_a_test_ping_in_the_browser(
    browser: Any, live_url: str, module_stack: Stack, hooks: tuple[WebhookReceiverState, str]
) -> None:
    receiver, url = hooks
    log_in(browser, live_url, module_stack.user("admin"), path="/ui/admin/webhooks")
    page_is(browser, "admin-webhooks")
    css(browser, "#webhook-url").send_keys(url)
    css(browser, "#add-webhook").click()
    receiver.secret = wait_for(browser, lambda d: css(d, "#new-webhook-secret")).text
    browser.get(f"{live_url}/ui/admin/webhooks")
    row = next(
        r for r in browser.find_elements("css selector", "#subscriptions tr") if url in r.text
    )
    row.find_element("css selector", "button[id^='test-']").click()
    wait_for(browser, lambda d: "Test ping delivered" in css(d, "#ping-result").text)
    assert receiver.requests and receiver.requests[-1]["valid"]
    screenshot(browser, "96-admin-webhook-test-ping")
