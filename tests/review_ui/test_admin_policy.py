"""Admin edits the routing policy through its preview (HTTP edge, embedded runtime)."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from audit.events import Action
from audit.models import AuditEvent
from pipeline.policy_store import active_policy
from review_ui.admin.policy_form import flatten
from tests.review_ui.conftest import Stack, csrf_of, signed_in

URGENT_POSTS = [
    "Miracle cure: garlic and bleach kill the virus, share before they delete it!!",
    "5G towers spread the plandemic, the secret microchip truth exposed",
]


@pytest.fixture
def stack(module_stack: Stack) -> Stack:
    """One runtime for this module (only the first test queues posts; each signs in anew)."""
    return module_stack


def _admin(stack: Stack) -> tuple[TestClient, str]:
    client = signed_in(stack, "admin")
    page = client.get("/ui/admin/policy")
    assert page.status_code == 200
    return client, csrf_of(page.text)


def _form(stack: Stack, **changes: str) -> dict[str, str]:
    with stack.rt.sessions() as session:
        values = flatten(active_policy(session, stack.rt.policy).to_body())
    values = {k: v for k, v in values.items() if v != ""}  # unchecked boxes are not sent
    values.update(changes)
    return values


def _cell(page: str, cell_id: str) -> int:
    found = re.search(rf'id="{cell_id}">(-?\d+)<', page)
    assert found, f"{cell_id} on the page"
    return int(found.group(1))


def _saved_form(page: str) -> dict[str, Any]:
    found = re.search(r'name="policy_json" value="([^"]+)"', page)
    assert found, "the preview offers to save the previewed candidate"
    return {"policy_json": html.unescape(found.group(1)), "base_version": _base(page)}


def _base(page: str) -> str:
    found = re.search(r'name="base_version" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_preview_counts_the_change_and_saving_it_is_logged_with_its_reason(stack: Stack) -> None:
    stack.queue_posts(URGENT_POSTS)
    client, token = _admin(stack)
    form = _form(stack, **{"band_routes.urgent": "ignore", "since_hours": "24"})
    preview = client.post("/ui/admin/policy/preview", data={"csrf_token": token, **form})
    assert preview.status_code == 200
    assert _cell(preview.text, "now-to_review") == 2
    assert _cell(preview.text, "candidate-to_review") == 0
    assert "Model band “urgent” goes to: urgent → <strong>ignore</strong>" in preview.text

    saved = client.post(
        "/ui/admin/policy",
        data={"csrf_token": token, **_saved_form(preview.text), "note": "urgent flood drill"},
        follow_redirects=False,
    )
    assert saved.headers["location"] == "/ui/admin/policy?notice=saved"
    with stack.rt.sessions() as session:
        policy = active_policy(session)
        assert policy.version.startswith("v") and policy.band_routes["urgent"] == "ignore"
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.POLICY_CHANGED.value)
        ).one()
        assert event.document["veracity"]["reason"] == "urgent flood drill"  # type: ignore[index]
        assert event.actor_name.startswith("admin-")
    page = client.get("/ui/admin/policy?notice=saved").text
    assert "urgent flood drill" in page and f'id="active-version">{policy.version}<' in page


def test_bad_values_are_refused_naming_the_field(stack: Stack) -> None:
    client, token = _admin(stack)
    not_number = client.post(
        "/ui/admin/policy/preview",
        data={"csrf_token": token, **_form(stack, reach_weight="lots")},
    )
    assert not_number.status_code == 422
    assert "Priority weight of reach: &#39;lots&#39; is not a number" in not_number.text
    negative = client.post(
        "/ui/admin/policy/preview",
        data={"csrf_token": token, **_form(stack, **{"sla_hours.urgent": "-2"})},
    )
    assert negative.status_code == 422 and "sla_hours values must be positive" in negative.text
    out_of_range = client.post(
        "/ui/admin/policy/preview",
        data={"csrf_token": token, **_form(stack, claim_match_min_similarity="1.5")},
    )
    assert out_of_range.status_code == 422
    assert "Claim match: minimum similarity" in out_of_range.text


def test_saving_needs_a_reason_and_a_preview_of_the_policy_in_force(stack: Stack) -> None:
    client, token = _admin(stack)
    preview = client.post(
        "/ui/admin/policy/preview",
        data={"csrf_token": token, **_form(stack, reach_weight="2")},
    )
    candidate = _saved_form(preview.text)
    no_reason = client.post("/ui/admin/policy", data={"csrf_token": token, **candidate})
    assert no_reason.status_code == 422 and "Say why" in no_reason.text

    other, other_token = _admin(stack)
    other_preview = other.post(
        "/ui/admin/policy/preview",
        data={"csrf_token": other_token, **_form(stack, reach_weight="3")},
    )
    first = other.post(
        "/ui/admin/policy",
        data={"csrf_token": other_token, **_saved_form(other_preview.text), "note": "first"},
        follow_redirects=False,
    )
    assert first.status_code == 303
    stale = client.post(
        "/ui/admin/policy", data={"csrf_token": token, **candidate, "note": "second"}
    )
    assert stale.status_code == 409 and "Preview again" in stale.text
    forged = dict(candidate, policy_json=json.dumps({"reach_weight": -1}))
    bad = client.post("/ui/admin/policy", data={"csrf_token": token, **forged, "note": "x"})
    assert bad.status_code == 422
    with stack.rt.sessions() as session:
        assert active_policy(session).reach_weight == 3
