"""The OpenAPI document declares bearer auth and the error body the API really sends."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from core.web_schemas import ErrorResponse

ERROR_REF = "#/components/schemas/ErrorResponse"


def _spec(client: TestClient) -> dict[str, Any]:
    resp = client.get("/openapi.json")
    assert resp.status_code == 200
    spec: dict[str, Any] = resp.json()
    return spec


def test_bearer_scheme_is_declared_and_required_where_credentials_are(client: TestClient) -> None:
    spec = _spec(client)
    scheme = spec["components"]["securitySchemes"]["HTTPBearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    score = spec["paths"]["/v1/score"]["post"]
    assert score["security"] == [{"HTTPBearer": []}]
    assert score["responses"]["401"]["content"]["application/json"]["schema"]["$ref"] == ERROR_REF
    assert "security" not in spec["paths"]["/healthz"]["get"]
    unauthenticated = client.post("/v1/score", json={"posts": [{"id": "a", "text": "x"}]})
    assert unauthenticated.status_code == 401  # what the document says


def test_validation_errors_are_documented_as_the_error_body_that_is_sent(
    client: TestClient,
) -> None:
    spec = _spec(client)
    assert "HTTPValidationError" not in json.dumps(spec)
    responses = spec["paths"]["/v1/score"]["post"]["responses"]
    for status in ("400", "413", "422"):
        assert responses[status]["content"]["application/json"]["schema"]["$ref"] == ERROR_REF
    example = responses["422"]["content"]["application/json"]["example"]
    ErrorResponse.model_validate(example)
    detail = spec["components"]["schemas"]["ErrorDetail"]
    assert set(detail["required"]) == {"code", "message"}


def test_a_real_422_matches_the_documented_schema(client: TestClient) -> None:
    from tests.conftest import auth, new_api_key

    rt = client.app.state.runtime  # type: ignore[attr-defined]
    resp = client.post(
        "/v1/score", json={"posts": [{"id": "p", "text": ""}]}, headers=auth(new_api_key(rt))
    )
    assert resp.status_code == 422
    body = ErrorResponse.model_validate(resp.json())
    assert body.error.code == "empty_text"
    assert body.error.details


def test_every_operation_with_parameters_documents_422_with_the_error_body(
    client: TestClient,
) -> None:
    spec = _spec(client)
    checked = 0
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if "422" in op.get("responses", {}):
                schema = op["responses"]["422"]["content"]["application/json"]["schema"]
                assert schema["$ref"] == ERROR_REF, (method, path)
                checked += 1
    assert checked > 10
