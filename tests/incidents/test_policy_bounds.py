"""The incident policy takes only finite numbers within sane ranges and clocks that wait for a
plan step that exists: anything else is refused 422 with the field named, and nothing is
stored."""

from __future__ import annotations

import math

import pytest
from fastapi.testclient import TestClient

from core.db import transaction
from incidents.material_models import StoredIncidentPolicy
from incidents.policy_store import body_of
from incidents.severity import IncidentPolicy
from runtime.container import Runtime
from runtime.web import create_app
from tests.conftest import auth, new_user_token

THRESHOLDS = "/v1/response-plan/thresholds"


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ('{"note": "t", "min_velocity": 1e309}', "min_velocity"),
        ('{"note": "t", "surge_boost": 1e999}', "surge_boost"),
        ('{"note": "t", "min_velocity": NaN}', "min_velocity"),
        ('{"note": "t", "surge_boost": -Infinity}', "surge_boost"),
        ('{"note": "t", "min_velocity": 1e15}', "min_velocity"),
        ('{"note": "t", "surge_boost": 1e12}', "surge_boost"),
        (
            '{"note": "t", "clocks": [{"name": "x", "milestone": "bogus", "within_minutes": 5}]}',
            "bogus",
        ),
        (
            '{"note": "t", "type_clocks": {"outage": [{"name": "x", "milestone": "restored",'
            ' "within_minutes": 5}]}}',
            "restored",
        ),
    ],
)
def test_a_policy_edit_out_of_range_is_refused_and_nothing_stored(
    any_rt: Runtime, raw: str, named: str
) -> None:
    rt = any_rt
    lead = auth(new_user_token(rt, "leadership"))
    with TestClient(create_app(rt)) as client:
        made = client.patch(
            THRESHOLDS, content=raw, headers={**lead, "Content-Type": "application/json"}
        )
        assert made.status_code == 422, made.text
        error = made.json()["error"]
        # A clock is checked as the request is read (invalid_request, the field in details);
        # numbers as the whole policy is (bad_policy, the field in the message).
        assert error["code"] in ("bad_policy", "invalid_request"), error
        assert named in str(error), error
        now = client.get("/v1/incident-policy", headers=lead).json()
    assert now["history"] == []
    assert now["policy"]["min_velocity"] == 50_000 and now["policy"]["surge_boost"] == 1_000
    assert [c["milestone"] for c in now["policy"]["clocks"]] == [
        "internal_report",
        "public_statement",
        "first_action",
    ]


def test_a_policy_within_range_is_kept(any_rt: Runtime) -> None:
    rt = any_rt
    lead = auth(new_user_token(rt, "leadership"))
    clocks = [{"name": "x", "milestone": "containment", "within_minutes": 5}]
    change = {"note": "t", "min_velocity": 1e9, "surge_boost": 5_000, "clocks": clocks}
    with TestClient(create_app(rt)) as client:
        made = client.patch(THRESHOLDS, json=change, headers=lead)
        assert made.status_code == 200, made.text
        policy = client.get("/v1/incident-policy", headers=lead).json()["policy"]
    assert (policy["min_velocity"], policy["surge_boost"]) == (1e9, 5_000)
    assert policy["clocks"][0]["milestone"] == "containment"


def test_a_version_saved_before_the_checks_still_loads_and_the_next_edit_must_fix_it(
    rt: Runtime, client: TestClient
) -> None:
    """SQLite kept Infinity as saved: the version still runs (nothing breaks on reading it),
    and the next edit is refused until it sets a finite number."""
    lead = auth(new_user_token(rt, "leadership"))
    with transaction(rt.sessions) as session:
        body = body_of(IncidentPolicy()).model_dump(mode="json") | {"min_velocity": math.inf}
        session.add(StoredIncidentPolicy(version=1, body=body, author="old", note="before"))
    assert client.get("/v1/incident-policy", headers=lead).status_code == 200
    refused = client.patch(THRESHOLDS, json={"note": "t", "min_posts": 5}, headers=lead)
    assert refused.status_code == 422 and "min_velocity" in refused.json()["error"]["message"]
    fixed = {"note": "t", "min_posts": 5, "min_velocity": 40_000}
    assert client.patch(THRESHOLDS, json=fixed, headers=lead).status_code == 200
