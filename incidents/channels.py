"""How a notification reaches people, per channel: a signed JSON webhook, a Slack-compatible
incoming webhook, or e-mail over SMTP.

Webhook and Slack URLs are called through the caller's client, which in the running system is
`core.outbound.gated_client` (checked scheme and resolved address, no redirects). The SMTP
server is the operator's own setting (`SMTP__HOST`), not a URL anyone can store, so it is not
gated (a local relay on 127.0.0.1 is the usual set-up).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol

import httpx

from core.retry import parse_retry_after
from core.settings import Settings
from incidents.severity import ROMAN

WEBHOOK, SLACK, EMAIL = "webhook", "slack", "email"
CHANNELS = (WEBHOOK, SLACK, EMAIL)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    error: str | None = None
    retry_after: float | None = None  # seconds the receiver asked us to wait


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class SmtpMailer:
    host: str
    port: int
    sender: str
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0

    def send(self, message: EmailMessage) -> None:
        message["From"] = self.sender
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username and self.password:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


def mailer_from(settings: Settings) -> SmtpMailer | None:
    smtp = settings.smtp
    if not smtp.host:
        return None
    return SmtpMailer(
        smtp.host,
        smtp.port,
        smtp.sender,
        smtp.starttls,
        smtp.username,
        smtp.password,
        smtp.timeout_seconds,
    )


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def summary_lines(payload: dict[str, Any]) -> list[str]:
    """The same facts for people in Slack and e-mail: what happened and what is theirs to do."""
    incident = payload.get("incident") or {}
    grade = ROMAN.get(int(incident.get("grade") or 4), "?")
    drill = "[DRILL] " if incident.get("is_drill") else ""
    lines = [
        f"{drill}{payload.get('event', 'incident')}: {incident.get('title', '')}",
        f"Type {incident.get('type', 'misinformation')}, grade {grade}, "
        f"status {incident.get('status', '')}",
    ]
    if payload.get("clock"):
        clock = payload["clock"]
        lines.append(f"Missed deadline: {clock.get('name')} (was due {clock.get('due_at')})")
    if incident.get("owner"):
        lines.append(f"Owner: {incident['owner']}")
    for task in payload.get("tasks") or []:
        lines.append(f"- Task for {task['group']}: {task['title']} (due {task.get('due_at')})")
    return lines


def send_webhook(client: httpx.Client, url: str, secret: str, payload: dict[str, Any]) -> Outcome:
    body = json.dumps(payload, sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Veracity-Event": str(payload.get("event", "")),
        "X-Veracity-Signature": sign(secret, body),
    }
    return _post(client, url, body, headers)


def slack_body(payload: dict[str, Any]) -> dict[str, Any]:
    """Slack's incoming-webhook shape (also read by Mattermost, Rocket.Chat, Teams' connector)."""
    lines = summary_lines(payload)
    return {
        "text": lines[0],
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": lines[0][:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines[1:])}},
        ],
    }


def send_slack(client: httpx.Client, url: str, payload: dict[str, Any]) -> Outcome:
    body = json.dumps(slack_body(payload)).encode()
    return _post(client, url, body, {"Content-Type": "application/json"})


def send_email(mailer: Mailer | None, recipients: list[str], payload: dict[str, Any]) -> Outcome:
    if mailer is None:
        return Outcome(False, "no SMTP server configured (SMTP__HOST)")
    if not recipients:
        return Outcome(False, "nobody to e-mail: no member of the group has an address")
    lines = summary_lines(payload)
    message = EmailMessage()
    message["To"] = ", ".join(recipients)
    message["Subject"] = lines[0][:200]
    message.set_content("\n".join(lines) + "\n")
    try:
        mailer.send(message)
    except (smtplib.SMTPException, OSError) as exc:
        return Outcome(False, f"{type(exc).__name__}: {exc}"[:500])
    return Outcome(True)


def _post(client: httpx.Client, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    from core.outbound import OutboundRefused

    try:
        response = client.post(url, content=body, headers=headers)
    except (httpx.HTTPError, httpx.InvalidURL, OutboundRefused) as exc:
        # An unusable URL (httpx.InvalidURL is no HTTPError) fails this channel only.
        return Outcome(False, f"{type(exc).__name__}: {exc}"[:500])
    if not response.is_success:  # the status only; the receiver's body is not shown
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        return Outcome(False, f"HTTP {response.status_code}", retry_after)
    return Outcome(True)


def send(
    client: httpx.Client,
    mailer: Mailer | None,
    channel: str,
    url: str,
    secret: str,
    recipients: list[str],
    payload: dict[str, Any],
) -> Outcome:
    """Deliver one notification by its channel (fixed when it was queued)."""
    if channel == EMAIL:
        return send_email(mailer, recipients, payload)
    if channel == SLACK:
        return send_slack(client, url, payload)
    return send_webhook(client, url, secret, payload)
