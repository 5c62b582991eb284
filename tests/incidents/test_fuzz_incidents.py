"""Schema-driven fuzzing of the incident routes (as leadership, who may call them all): no 5xx,
and every answer is in the spec."""

from __future__ import annotations

import re
from typing import Any

import schemathesis
from fastapi.testclient import TestClient

from runtime.container import Runtime
from tests.api.test_openapi_fuzz import _fuzz
from tests.conftest import auth, new_user_token
from tests.incidents.test_reporting import OUTAGE

INCIDENT_ROUTES = re.compile(
    r"^/v1/incidents(|/\{incident_id\}(/(assess|activate|dismiss|owner|tasks|grade|close|milestones))?|/tasks/.*|/response-groups.*)$"
)


def test_fuzzing_the_incident_routes_finds_no_500(rt: Runtime, client: TestClient) -> None:
    lead = auth(new_user_token(rt, "leadership", "lead-fuzz"))
    assert client.post("/v1/incidents", json=OUTAGE, headers=lead).status_code == 201
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    every: list[Any] = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    operations = [op for op in every if INCIDENT_ROUTES.match(op.path)]
    assert len(operations) >= 15, [op.path for op in operations]
    for operation in operations:
        _fuzz(operation, lead)
