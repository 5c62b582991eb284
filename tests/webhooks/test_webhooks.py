"""Webhooks against a real local receiver: signed, retried with backoff, logged, replayable."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from audit.models import AuditEvent
from core.db import transaction
from core.dispatch import InProcessDispatcher
from core.outbound import policy_from
from runtime.container import Runtime
from tests.conftest import (
    ADMIN,
    Hooks,
    auth,
    claim_and_decide,
    new_api_key,
    new_user_token,
    wait_for,
)
from tests.core.remote import REVEALING_BODY
from webhooks import service
from webhooks.models import WebhookDelivery, WebhookSubscription
from webhooks.schemas import EventType, SubscriptionIn
from webhooks.signing import sign, verify_signature
from webhooks.tasks import deliver_webhook

FALSE_POST = "BREAKING: 5G towers spread the virus, the miracle cure is garlic. Share before they delete it!!"


def _subscribe(client: TestClient, rt: Runtime, url: str, events: list[str]) -> dict[str, str]:
    key = new_api_key(rt, ("webhooks",))
    made = client.post("/v1/webhooks", json={"url": url, "events": events}, headers=auth(key))
    assert made.status_code == 201, made.text
    body: dict[str, str] = made.json()
    assert body["secret"].startswith("whsec_")
    return body


def test_signature_verifies_and_rejects_tampering_wrong_secret_and_stale_time() -> None:
    body = b'{"id":"e1"}'
    header = sign("s3cret", body)
    assert verify_signature("s3cret", body, header)
    assert not verify_signature("s3cret", b'{"id":"e2"}', header)
    assert not verify_signature("other", body, header)
    old = sign("s3cret", body, timestamp=int(time.time()) - 301)
    assert not verify_signature("s3cret", body, old)
    assert not verify_signature("s3cret", body, "garbage")


def test_decision_and_confirmed_enforcement_reach_the_platform_signed(
    rt: Runtime, pipeline: InProcessDispatcher, client: TestClient, platform_key: str, hooks: Hooks
) -> None:
    state, url = hooks
    sub = _subscribe(client, rt, url, ["decision.made", "enforcement.confirmed"])
    state.secret = sub["secret"]
    post = {"id": "w1", "text": FALSE_POST, "views": 5}
    client.post("/v1/score", json={"posts": [post]}, headers=auth(platform_key))
    pipeline.drain()
    decision = {"reason_code": "false_claim", "action": "label", "note": "Debunked: 5G is radio."}
    claim_and_decide(rt, client, decision)
    pipeline.drain()
    wait_for(lambda: len(state.events) == 2)
    assert all(r["valid"] for r in state.requests)
    types = sorted(e["type"] for e in state.events.values())
    assert types == ["decision.made", "enforcement.confirmed"]
    data = {e["type"]: e["data"] for e in state.events.values()}
    assert data["decision.made"]["post_id"] == "w1" and data["decision.made"]["action"] == "label"
    assert data["enforcement.confirmed"]["post_status"] == "labelled"
    assert "reviewer" not in json.dumps(data)  # reviewer identities stay inside


def _queued_delivery(rt: Runtime) -> str:
    """Queues a post.restored event for the one subscription; the id of its pending delivery."""
    with transaction(rt.sessions) as s:
        assert service.enqueue_event(s, EventType.POST_RESTORED, {"post_id": "p9"}) == 1
        s.info.clear()  # the test sends it by hand, not through a dispatcher
    with rt.sessions() as s:
        pending = select(WebhookDelivery.id).where(WebhookDelivery.status == "pending")
        return s.scalars(pending).one()


def _one_delivery(rt: Runtime, url: str, client: TestClient) -> tuple[str, str]:
    sub = _subscribe(client, rt, url, ["post.restored"])
    return _queued_delivery(rt), sub["secret"]


def test_server_errors_are_retried_with_backoff_until_delivered(
    rt: Runtime, client: TestClient, hooks: Hooks
) -> None:
    state, url = hooks
    delivery_id, state.secret = _one_delivery(rt, url, client)
    state.fail_next = [503, 500]
    with httpx.Client(timeout=5) as http:
        first = service.deliver(rt.sessions, delivery_id, http, backoff_base=0.5)
        second = service.deliver(rt.sessions, delivery_id, http, backoff_base=0.5)
        third = service.deliver(rt.sessions, delivery_id, http, backoff_base=0.5)
        again = service.deliver(rt.sessions, delivery_id, http)
    assert first.status == second.status == "retry"  # full jitter: up to 0.5, then up to 1 s
    assert 0 <= first.retry_in <= 0.5 and 0 <= second.retry_in <= 1.0
    assert third.status == "delivered" and again.status == "skipped"
    assert len(state.requests) == 3 and len(state.events) == 1
    event_ids = {r["headers"]["Veracity-Event-Id"] for r in state.requests}
    assert len(event_ids) == 1  # the receiver can deduplicate on it
    with rt.sessions() as s:
        row = s.get(WebhookDelivery, delivery_id)
        assert row is not None and row.attempts == 3 and row.response_code == 200


def test_refused_delivery_fails_and_an_admin_replays_it(
    rt: Runtime, pipeline: InProcessDispatcher, client: TestClient, hooks: Hooks
) -> None:
    state, url = hooks
    delivery_id, secret = _one_delivery(rt, url, client)
    state.secret = "not-the-secret"  # the platform rejects what it cannot verify
    with httpx.Client(timeout=5) as http:
        assert service.deliver(rt.sessions, delivery_id, http).status == "failed"
    admin = auth(new_user_token(rt, "admin"))
    log = client.get("/v1/admin/webhooks/deliveries?status=failed", headers=admin).json()
    assert [d["id"] for d in log] == [delivery_id] and log[0]["response_code"] == 401
    state.secret = secret
    replayed = client.post(f"/v1/admin/webhooks/deliveries/{delivery_id}/replay", headers=admin)
    assert replayed.status_code == 200 and replayed.json()["status"] == "pending"
    pipeline.drain()
    wait_for(lambda: len(state.events) == 1)
    after = client.get(
        f"/v1/admin/webhooks/deliveries?event_id={log[0]['event_id']}", headers=admin
    )
    assert after.json()[0]["status"] == "delivered"


@pytest.mark.parametrize("role", ["reviewer", "senior_reviewer", "pr", "legal"])
def test_only_admins_read_and_replay_the_delivery_log(
    rt: Runtime, client: TestClient, role: str
) -> None:
    token = auth(new_user_token(rt, role))
    assert client.get("/v1/admin/webhooks/deliveries", headers=token).status_code == 403
    assert client.post("/v1/admin/webhooks/deliveries/x/replay", headers=token).status_code == 403


def test_registration_needs_the_webhooks_scope_and_an_http_url(
    rt: Runtime, client: TestClient, platform_key: str
) -> None:
    body = {"url": "https://platform.example/hooks", "events": ["decision.made"]}
    assert client.post("/v1/webhooks", json=body, headers=auth(platform_key)).status_code == 403
    key = auth(new_api_key(rt, ("webhooks",)))
    bad = client.post("/v1/webhooks", json={**body, "url": "file:///etc/passwd"}, headers=key)
    assert bad.status_code == 422
    made = client.post("/v1/webhooks", json=body, headers=key).json()
    assert "secret" not in client.get("/v1/webhooks", headers=key).json()[0]
    gone = client.delete(f"/v1/webhooks/{made['id']}", headers=key)
    assert gone.status_code == 200 and gone.json()["active"] is False


def test_a_header_carrying_several_signatures_verifies_for_any_of_their_secrets() -> None:
    body = b'{"id":"e1"}'
    header = sign(["new", "old"], body)
    assert header.count("v1=") == 2
    assert verify_signature("new", body, header) and verify_signature("old", body, header)
    assert not verify_signature("other", body, header)
    t = int(time.time())
    two_stamps = f"t={t},{sign('new', body, timestamp=t)}"
    assert not verify_signature("new", body, two_stamps)  # one timestamp, or nothing


def test_a_rotated_secret_signs_alongside_the_new_one_until_its_grace_ends(
    rt: Runtime, client: TestClient, hooks: Hooks
) -> None:
    state, url = hooks
    key = auth(new_api_key(rt, ("webhooks",)))
    sub = client.post("/v1/webhooks", json={"url": url, "events": ["post.restored"]}, headers=key)
    sub_id, old = sub.json()["id"], sub.json()["secret"]
    for bad in ({"grace_seconds": -1}, {"grace_seconds": 8 * 86_400}, {"grace": 5}):
        refused = client.post(f"/v1/webhooks/{sub_id}/rotate-secret", json=bad, headers=key)
        assert refused.status_code == 422, bad
    missing = client.post("/v1/webhooks/nope/rotate-secret", headers=key)
    assert missing.status_code == 404
    rotated = client.post(
        f"/v1/webhooks/{sub_id}/rotate-secret", json={"grace_seconds": 3600}, headers=key
    )
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]
    assert new.startswith("whsec_") and new != old
    assert rotated.json()["previous_secret_valid_until"] is not None

    def deliver_one() -> bool:
        with httpx.Client(timeout=5) as http:
            return service.deliver(rt.sessions, _queued_delivery(rt), http).status == "delivered"

    state.secret = old  # a receiver that has not switched yet
    assert deliver_one()
    state.secret = new
    assert deliver_one()
    immediate = client.post(
        f"/v1/webhooks/{sub_id}/rotate-secret", json={"grace_seconds": 0}, headers=key
    )
    newest = immediate.json()["secret"]
    assert immediate.json()["previous_secret_valid_until"] is None
    assert not deliver_one()  # `new` was retired at once: the receiver refuses (401)
    state.secret = newest
    assert deliver_one()
    with rt.sessions() as s:
        logged = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "webhook.secret_rotated")
        ).all()
        assert len(logged) == 2 and "previous_secret_valid_until" in json.dumps(logged[0].document)
        assert not any(secret in json.dumps(e.document) for e in logged for secret in (old, new))


@pytest.mark.parametrize("role", ["reviewer", "pr", "legal", "admin"])
def test_only_the_platforms_webhook_key_rotates_a_secret(
    rt: Runtime, client: TestClient, platform_key: str, role: str
) -> None:
    key = auth(new_api_key(rt, ("webhooks",)))
    body = {"url": "https://platform.example/hooks", "events": ["decision.made"]}
    sub_id = client.post("/v1/webhooks", json=body, headers=key).json()["id"]
    for other in (auth(new_user_token(rt, role)), auth(platform_key)):
        refused = client.post(f"/v1/webhooks/{sub_id}/rotate-secret", headers=other)
        assert refused.status_code == 403, (role, refused.text)


@pytest.mark.parametrize(
    "bad",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/hooks",
        "http://[::1]/hooks",
        "http://2130706433/hooks",
        "http://0x7f.0.0.1/hooks",
        "http://0/hooks",
        "http://[::ffff:127.0.0.1]/hooks",
        "http://platform.example@127.0.0.2/hooks",
    ],
)
def test_a_webhook_to_a_private_or_obfuscated_address_is_refused_with_its_reason(
    rt: Runtime, client: TestClient, bad: str
) -> None:
    key = auth(new_api_key(rt, ("webhooks",)))
    refused = client.post(
        "/v1/webhooks", json={"url": bad, "events": ["post.restored"]}, headers=key
    )
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == "outbound_url_refused" and error["message"]
    with rt.sessions() as s:
        assert s.scalars(select(WebhookSubscription)).first() is None


def test_a_redirect_is_not_followed_and_an_error_body_is_not_shown(
    rt: Runtime, client: TestClient, redirecting: tuple[str, list[str]]
) -> None:
    base, hits = redirecting
    redirected, _ = _one_delivery(rt, f"{base}/go", client)
    attempt = deliver_webhook(rt, redirected)  # the production client, through the gate
    assert attempt.status == "failed" and hits == ["/go"]
    with transaction(rt.sessions) as s:
        s.execute(delete(WebhookDelivery))
        s.execute(delete(WebhookSubscription))
    refused, _ = _one_delivery(rt, f"{base}/target", client)
    assert deliver_webhook(rt, refused).status == "failed" and hits == ["/go", "/target"]
    admin = auth(new_user_token(rt, "admin"))
    log = client.get("/v1/admin/webhooks/deliveries", headers=admin)
    assert [(d["response_code"], d["last_error"]) for d in log.json()] == [(400, None)]
    assert REVEALING_BODY.decode() not in log.text


def test_a_webhook_is_checked_again_when_sent(rt: Runtime, client: TestClient) -> None:
    """Allowed when subscribed, refused when sent (e.g. the allow-list no longer has it)."""
    delivery_id, _ = _one_delivery(rt, "http://localhost:9/hook", client)
    rt.settings.outbound.allow_hosts = ["127.0.0.1"]
    attempt = deliver_webhook(rt, delivery_id)
    assert attempt.status == "retry"
    with rt.sessions() as s:
        row = s.get(WebhookDelivery, delivery_id)
        assert row is not None and "loopback" in (row.last_error or "")


def test_a_key_sees_and_changes_only_its_own_subscriptions_and_admins_see_all(
    rt: Runtime, client: TestClient, hooks: Hooks
) -> None:
    _, url = hooks
    body = {"url": url, "events": ["post.restored"]}
    mine, theirs = auth(new_api_key(rt, ("webhooks",))), auth(new_api_key(rt, ("webhooks",)))
    own = client.post("/v1/webhooks", json=body, headers=mine).json()
    other = client.post("/v1/webhooks", json=body, headers=theirs).json()
    with transaction(rt.sessions) as s:  # registered before owners were kept
        legacy = service.subscribe(
            s, SubscriptionIn.model_validate(body), ADMIN, outbound=policy_from(rt.settings)
        ).id
    assert [s["id"] for s in client.get("/v1/webhooks", headers=mine).json()] == [own["id"]]
    assert [s["id"] for s in client.get("/v1/webhooks", headers=theirs).json()] == [other["id"]]
    assert client.get(f"/v1/webhooks/{own['id']}", headers=mine).json()["url"] == url
    absent = client.get("/v1/webhooks/no-such-id", headers=mine)
    for foreign in (other["id"], legacy):  # answered exactly like an id that does not exist
        for method, path in (
            ("GET", f"/v1/webhooks/{foreign}"),
            ("POST", f"/v1/webhooks/{foreign}/rotate-secret"),
            ("DELETE", f"/v1/webhooks/{foreign}"),
        ):
            refused = client.request(method, path, headers=mine)
            assert refused.status_code == 404, (method, path)
            assert refused.json()["error"]["code"] == absent.json()["error"]["code"]
    with rt.sessions() as s:
        untouched = s.get(WebhookSubscription, other["id"])
        assert untouched is not None and untouched.active and untouched.secret == other["secret"]
    assert client.delete(f"/v1/webhooks/{other['id']}", headers=theirs).status_code == 200
    admin = auth(new_user_token(rt, "admin"))
    seen = {s["id"]: s for s in client.get("/v1/admin/webhooks", headers=admin).json()}
    assert set(seen) == {own["id"], other["id"], legacy}
    assert seen[legacy]["owner_key_id"] is None and seen[own["id"]]["owner_key_id"] is not None
    assert "secret" not in seen[own["id"]]
    for outsider in (mine, auth(new_user_token(rt, "reviewer"))):
        assert client.get("/v1/admin/webhooks", headers=outsider).status_code == 403
