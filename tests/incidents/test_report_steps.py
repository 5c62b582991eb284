"""The post-incident report times the incident's own type's plan steps: an outage's restore and
user notice, a leak's containment and breach notices; not false information's enforcement
steps (which read "not reached" for every other type before)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

OUTAGE = {
    "type": "outage",
    "title": "Checkout down",
    "what": "Payments fail with 502 from the gateway.",
    "scope": {"affected_users": 200_000, "services": ["checkout"], "regions": ["DE", "FR"]},
}
LEAK = {
    "type": "data_leak",
    "title": "Backup bucket public",
    "what": "A backup bucket with the customer table was public for a day.",
    "scope": {"affected_users": 20_000, "records": 50_000, "personal_data": True},
}
MISINFORMATION_ONLY = ("detected (incident opened)", "first enforcement action")


def _run(client: TestClient, lead: dict[str, str], body: dict[str, Any], done: list[str]) -> str:
    made = client.post("/v1/incidents", json=body, headers=lead)
    assert made.status_code == 201, made.text
    url = f"/v1/incidents/{made.json()['id']}"
    if made.json()["status"] == "reported":
        activated = client.post(f"{url}/activate", json={"reason": "plan"}, headers=lead)
        assert activated.status_code == 200, activated.text
    for kind in done:
        step = client.post(f"{url}/milestones", json={"kind": kind}, headers=lead)
        assert step.status_code == 200, step.text
    return url


def _plan_rows(html: str) -> str:
    return html.split("1. Response against the plan", 1)[1].split("<h2>", 1)[0]


@pytest.mark.parametrize(
    ("body", "done", "timed", "missed", "taken"),
    [
        (
            OUTAGE,
            ["user_notice", "recovery"],
            ("reported", "response activated", "users notified", "service restored"),
            "first internal report",
            ("service restored",),
        ),
        (
            LEAK,
            ["containment", "regulator_notice"],
            ("contained", "regulator notified (breach notice)", "users notified"),
            "users notified",
            ("contained", "regulator notified"),
        ),
    ],
    ids=["outage", "data-leak"],
)
def test_the_report_times_the_types_own_plan_steps(
    client: TestClient,
    lead: dict[str, str],
    body: dict[str, Any],
    done: list[str],
    timed: tuple[str, ...],
    missed: str,
    taken: tuple[str, ...],
) -> None:
    """`done`: the milestones recorded; `missed`: the one plan step not taken."""
    url = _run(client, lead, body, done)
    html = client.get(f"{url}/report", headers=lead).text
    rows = _plan_rows(html)
    for step in timed:
        assert f"<td>{step}</td>" in rows
    assert missed in rows and "Time from start" in rows
    assert not any(step in html for step in MISINFORMATION_ONLY)
    assert f"not reached: {missed}" in html
    for step in taken:
        assert f"not reached: {step}" not in html
    pdf = client.get(f"{url}/report?format=pdf", headers=lead)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert taken[0] in text and "first enforcement action" not in text
