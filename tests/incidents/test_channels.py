"""Notifications by channel against real local servers: a signed webhook, a Slack-compatible
incoming webhook and e-mail through an SMTP server on 127.0.0.1; each group its own payload;
a missed clock tells leadership and the incident's owner."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from core.clock import utcnow
from core.db import transaction
from core.outbound import gated_client, policy_from
from incidents.channels import SmtpMailer
from incidents.clocks import check_overdue
from incidents.models import IncidentClock, Notification
from incidents.notify import deliver_pending
from runtime.container import Runtime
from tests.conftest import auth, new_user_token
from tests.incidents.conftest import SECRET, Received
from tests.incidents.smtp import Mailbox, smtp_server
from tests.incidents.test_reporting import OUTAGE


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


def _mailer(box: Mailbox) -> SmtpMailer:
    return SmtpMailer(box.host, box.port, "incidents@veracity.example")


@dataclass
class Groups:
    received: Received  # what the webhook and Slack-compatible endpoints were sent
    lead: dict[str, str]  # headers of lead-c, a leadership member


@pytest.fixture
def groups(rt: Runtime, client: TestClient, webhook_receiver: tuple[Received, str]) -> Groups:
    """Leadership by e-mail (two members), PR on Slack, technical response by webhook."""
    received, url = webhook_receiver
    admin = auth(new_user_token(rt, "admin"))
    lead = auth(new_user_token(rt, "leadership", "lead-c"))
    new_user_token(rt, "leadership", "lead-d")
    for body in (
        {"role": "leadership", "channel": "email", "min_grade": 4},
        {"role": "pr", "channel": "slack", "url": f"{url}/slack", "min_grade": 4},
        {"role": "technical_response", "url": f"{url}/tech", "secret": SECRET},
    ):
        made = client.post("/v1/incidents/response-groups", json=body, headers=admin)
        assert made.status_code == 200, made.text
    for name in ("lead-c", "lead-d"):
        member = {"username": name, "email": f"{name}@example.org"}
        added = client.post(
            "/v1/incidents/response-groups/leadership/members", json=member, headers=lead
        )
        assert added.status_code == 200, added.text
    return Groups(received, lead)


def _deliver(rt: Runtime, box: Mailbox | None) -> int:
    with gated_client(policy_from(rt.settings), timeout=5) as http:
        return deliver_pending(rt.sessions, http, mailer=_mailer(box) if box else None)


def _by_path(received: Received, path: str) -> list[tuple[dict[str, str], dict[str, Any]]]:
    return [(h, json.loads(b)) for p, h, b in received.requests if p == path]


def test_each_group_is_told_its_own_way_with_its_own_tasks(
    rt: Runtime, client: TestClient, groups: Groups, mailbox: Mailbox
) -> None:
    received, lead = groups.received, groups.lead
    made = client.post("/v1/incidents", json=OUTAGE, headers=auth(new_user_token(rt, "pr")))
    incident_id = made.json()["id"]
    assert _deliver(rt, mailbox) == 1  # reported: leadership only, by e-mail
    assert not received.requests
    [(rcpt, first)] = mailbox.messages
    assert sorted(rcpt) == ["lead-c@example.org", "lead-d@example.org"]
    assert "incident.reported" in first["Subject"] and "Login service down" in first["Subject"]
    assert first["From"] == "incidents@veracity.example"

    activated = client.post(
        f"/v1/incidents/{incident_id}/activate", json={"reason": "go"}, headers=lead
    )
    assert activated.status_code == 200
    assert _deliver(rt, mailbox) == 3
    [(slack_headers, slack)] = _by_path(received, "/slack")
    [(tech_headers, tech)] = _by_path(received, "/tech")
    assert "X-Veracity-Signature" not in slack_headers  # Slack's shape, unsigned
    assert slack["text"].startswith("incident.activated: Login service down")
    assert [b["type"] for b in slack["blocks"]] == ["header", "section"]
    assert "Notify users of the outage" in slack["blocks"][1]["text"]["text"]
    assert "Restore the service" not in slack["blocks"][1]["text"]["text"]
    assert tech_headers["X-Veracity-Signature"].startswith("sha256=")
    assert [t["kind"] for t in tech["tasks"]] == ["restore"]  # its own tasks only
    body = mailbox.messages[-1][1].get_payload()
    assert isinstance(body, str)
    assert "Restore the service" in body and "Notify users of the outage" in body  # leadership
    page = client.get(f"/v1/incidents/{incident_id}", headers=lead).json()
    told = {(n["group"], n["channel"], n["event"]) for n in page["notifications"]}
    assert ("pr", "slack", "incident.activated") in told
    assert all(n["sent_at"] for n in page["notifications"])


def test_a_missed_clock_tells_leadership_and_the_owner(
    rt: Runtime, client: TestClient, groups: Groups, mailbox: Mailbox
) -> None:
    lead = groups.lead
    owner = auth(new_user_token(rt, "technical_response", "owner-1"))
    lead_member = {"username": "owner-1", "email": "owner-1@example.org"}
    client.post(
        "/v1/incidents/response-groups/technical_response/members", json=lead_member, headers=lead
    )
    made = client.post("/v1/incidents", json=OUTAGE, headers=owner)
    incident_id = made.json()["id"]
    client.post(
        f"/v1/incidents/{incident_id}/activate",
        json={"reason": "go", "owner": "owner-1"},
        headers=lead,
    )
    _deliver(rt, mailbox)
    mailbox.messages.clear()
    with transaction(rt.sessions) as session:
        session.execute(
            update(IncidentClock)
            .where(IncidentClock.incident_id == incident_id, IncidentClock.name == "user notice")
            .values(due_at=utcnow() - timedelta(minutes=1))
        )
    with transaction(rt.sessions) as session:
        assert check_overdue(session) == 1
    assert _deliver(rt, mailbox) == 2  # the leadership channel and the owner
    to_owner = mailbox.to("owner-1@example.org")
    to_lead = mailbox.to("lead-c@example.org")
    assert len(to_owner) == 1 and len(to_lead) == 1
    text = to_owner[0].get_payload()
    assert isinstance(text, str)
    assert "Missed deadline: user notice" in text and "Owner: owner-1" in text


@pytest.mark.usefixtures("groups")
def test_e_mail_without_an_smtp_server_stays_unsent_with_the_reason(
    rt: Runtime, client: TestClient
) -> None:
    client.post("/v1/incidents", json=OUTAGE, headers=auth(new_user_token(rt, "pr")))
    assert _deliver(rt, None) == 0
    with rt.sessions() as session:
        note = session.scalars(select(Notification)).one()
    assert note.sent_at is None and note.attempts == 1
    assert note.last_error == "no SMTP server configured (SMTP__HOST)"


def test_a_channel_is_refused_without_what_it_needs(rt: Runtime, client: TestClient) -> None:
    admin = auth(new_user_token(rt, "admin"))
    path = "/v1/incidents/response-groups"
    cases = (
        ({"role": "pr", "channel": "slack"}, "url_required"),
        ({"role": "pr", "url": "http://127.0.0.1:9/x", "secret": "short"}, "weak_secret"),
        ({"role": "pr", "channel": "slack", "url": "http://10.0.0.1/x"}, "outbound_url_refused"),
    )
    for body, code in cases:
        refused = client.post(path, json=body, headers=admin)
        assert refused.status_code == 422 and refused.json()["error"]["code"] == code, body
    assert client.post(path, json={"role": "pr", "channel": "pigeon"}, headers=admin).status_code
    for role in ("leadership", "pr", "technical_response"):
        token = auth(new_user_token(rt, role))
        denied = client.post(path, json={"role": "pr", "channel": "email"}, headers=token)
        assert denied.status_code == 403, role
    listed = client.get(path, headers=auth(new_user_token(rt, "leadership")))
    assert listed.status_code == 200 and listed.json() == {"channels": [], "members": []}
    assert client.get(path, headers=auth(new_user_token(rt, "reviewer"))).status_code == 403
