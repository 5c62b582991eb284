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


# Every operation whose service can refuse with core.errors.Conflict (traced through the
# services each route calls), and no other.
CONFLICTS = {
    ("post", "/v1/cases/{case_id}/decision"),  # lease_not_held, case_decided, qa_case, ...
    ("post", "/v1/cases/{case_id}/release"),
    ("post", "/v1/cases/{case_id}/skip"),
    ("post", "/v1/cases/{case_id}/escalate"),
    ("post", "/v1/cases/{case_id}/reassign"),  # wrong_role, same_reviewer
    ("post", "/v1/statements/{statement_id}/edit"),  # withdrawn, stale_version
    ("post", "/v1/statements/{statement_id}/approve"),  # not_draft, stale_version, ...
    ("post", "/v1/statements/{statement_id}/legal-approve"),
    ("post", "/v1/statements/{statement_id}/publish"),  # not_approved
    ("post", "/v1/statements/{statement_id}/withdraw"),  # not_published
    ("post", "/v1/admin/enforcement/{action_id}/retry"),  # not_dead
    ("post", "/v1/posts/{post_id}/appeal"),  # nothing_to_appeal, case_open
    ("post", "/v1/audit/holds"),  # already held
    ("post", "/v1/audit/holds/{hold_id}/release"),  # already released
    ("post", "/v1/incidents/tasks/{task_id}/assign"),  # task_finished
    ("post", "/v1/incidents/tasks/{task_id}/start"),  # task_not_open
    ("post", "/v1/incidents/tasks/{task_id}/done"),
    ("post", "/v1/incidents/{incident_id}/assess"),  # incident_closed
    ("post", "/v1/incidents/{incident_id}/activate"),  # not_reported
    ("post", "/v1/incidents/{incident_id}/dismiss"),
    ("post", "/v1/incidents/{incident_id}/tasks"),
    ("post", "/v1/incidents/{incident_id}/grade"),
    ("post", "/v1/incidents/{incident_id}/close"),
    ("post", "/v1/incidents/{incident_id}/milestones"),  # incident_closed
    ("post", "/v1/incidents/{incident_id}/report/review"),  # report_not_ready, signed_off
    ("post", "/v1/drills/score"),  # drill_mismatch
    ("post", "/v1/score"),  # drill_mismatch, post_held, post_decided
    ("post", "/v1/drills/cases/{case_id}/decision"),  # the same decide as a reviewer's
    ("post", "/v1/drills/cases/{case_id}/release"),  # lease_not_held
    ("delete", "/v1/admin/apikeys/{key_id}"),  # ambiguous_prefix
}


def test_the_operations_that_can_answer_409_declare_it_with_the_error_body(
    client: TestClient,
) -> None:
    spec = _spec(client)
    declared = {
        (method, path)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if "409" in op.get("responses", {})
    }
    assert declared == CONFLICTS
    for method, path in CONFLICTS:
        content = spec["paths"][path][method]["responses"]["409"]["content"]
        assert content["application/json"]["schema"]["$ref"] == ERROR_REF


def test_a_real_409_matches_the_documented_schema(client: TestClient) -> None:
    from tests.conftest import auth, new_user_token
    from tests.pipeline.factories import make_case

    rt = client.app.state.runtime  # type: ignore[attr-defined]
    case_id = make_case(rt.sessions)
    resp = client.post(f"/v1/cases/{case_id}/release", headers=auth(new_user_token(rt, "reviewer")))
    assert resp.status_code == 409
    assert ErrorResponse.model_validate(resp.json()).error.code == "lease_not_held"
    documented = _spec(client)["paths"]["/v1/cases/{case_id}/release"]["post"]["responses"]
    assert "409" in documented


def _body_models(spec: dict[str, Any]) -> dict[str, set[str]]:
    """Every schema component a JSON request body reaches, with the operations reaching it."""
    components = spec["components"]["schemas"]
    reached: dict[str, set[str]] = {}

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                name = ref.rsplit("/", 1)[-1]
                if name not in reached:
                    reached[name] = set()
                    walk(components[name], where)
                reached[name].add(where)
            for value in node.values():
                walk(value, where)
        elif isinstance(node, list):
            for value in node:
                walk(value, where)

    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                walk(content["application/json"]["schema"], f"{method} {path}")
    return reached


def test_every_json_body_refuses_fields_it_does_not_know(client: TestClient) -> None:
    """A misspelt option must be a 422, never silently its default (core.web_schemas.StrictIn)."""
    spec = _spec(client)
    components = spec["components"]["schemas"]
    models = {
        name: where
        for name, where in _body_models(spec).items()
        if components[name].get("type") == "object"
    }
    assert {"ScoreRequest", "PostIn", "DecisionIn", "RoutingPolicyBody", "DraftIn"} <= set(models)
    lax = {
        name: sorted(where)
        for name, where in models.items()
        if components[name].get("additionalProperties") is not False
    }
    assert lax == {}


def test_a_misspelt_field_in_a_nested_body_is_refused_by_name(client: TestClient) -> None:
    from tests.conftest import auth, new_api_key

    rt = client.app.state.runtime  # type: ignore[attr-defined]
    resp = client.post(
        "/v1/score",
        json={"posts": [{"id": "p", "text": "a post", "langauge": "en"}]},
        headers=auth(new_api_key(rt)),
    )
    assert resp.status_code == 422
    details = ErrorResponse.model_validate(resp.json()).error.details
    assert details and details[0]["loc"][-1] == "langauge"
    assert details[0]["type"] == "extra_forbidden"


def test_streamed_answers_document_the_media_types_they_send(client: TestClient) -> None:
    paths = _spec(client)["paths"]
    export = paths["/v1/audit/export"]["get"]["responses"]["200"]["content"]
    assert set(export) == {"application/x-ndjson", "text/csv"}  # not JSON, FastAPI's default
    dsa = paths["/v1/audit/dsa/statements"]["get"]["responses"]["200"]["content"]
    assert set(dsa) == {"application/x-ndjson"}
