"""Schema-driven fuzzing of the API's own routes: no 5xx, and every response is in the spec."""

from __future__ import annotations

import re
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from runtime.container import Runtime
from tests.conftest import auth, new_api_key, new_user_token

OURS = re.compile(
    r"^/(healthz|readyz|metrics|v1/(score|posts/\{post_id\}|webhooks.*|admin/(apikeys|webhooks).*))$"
)
EXAMPLES_PER_OPERATION = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]


def test_fuzzing_our_routes_finds_no_500_and_nothing_outside_the_spec(
    rt: Runtime, client: TestClient
) -> None:
    platform = auth(new_api_key(rt, ("score", "read", "webhooks")))
    admin = auth(new_user_token(rt, "admin"))
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    every: list[Any] = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    operations = [op for op in every if OURS.match(op.path)]
    assert len(operations) >= 10, [op.path for op in operations]
    for operation in operations:
        _fuzz(operation, admin if "/admin/" in operation.path else platform)


def _fuzz(operation: Any, headers: dict[str, str]) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def fuzz(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    fuzz()
