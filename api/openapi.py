"""The OpenAPI document as the API really behaves: bearer auth and the project's error body.

FastAPI documents 422 as its own `HTTPValidationError`, which this API never sends
(api/errors.py answers every refusal as `{"error": {"code", "message", "details"}}`), and
documents no 400/401/403/404/413/415 at all.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from api.media_type import is_json
from core.web_schemas import ErrorResponse

SCHEME = "HTTPBearer"
ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}
AUTH_DESCRIPTION = (
    "`Authorization: Bearer <token>`: a platform API key (`vk_…`, from "
    "`veracity apikeys create`; scopes `score`, `read`, `webhooks`) or a user's token "
    "(from `POST /v1/auth/token`; roles reviewer, senior, pr, legal, admin)."
)
# status: (description, example code, example message)
REFUSALS: dict[str, tuple[str, str, str]] = {
    "400": ("Body is not JSON or not UTF-8", "malformed_json", "request body is not valid JSON"),
    "401": (
        "Missing, unknown, revoked or expired credentials",
        "invalid_api_key",
        "unknown API key",
    ),
    "403": (
        "Credentials lack the scope or role",
        "insufficient_scope",
        "this call needs an API key with the 'score' scope",
    ),
    "404": ("No such resource", "not_found", "not found"),
    "413": (
        "Body larger than API__MAX_BODY_BYTES",
        "body_too_large",
        "request body exceeds 2097152 bytes",
    ),
    "415": (
        "Body not sent as JSON (Content-Type application/json), or with a Content-Encoding",
        "unsupported_media_type",
        "this endpoint takes a JSON body: Content-Type application/json (UTF-8); "
        "the request has no Content-Type",
    ),
    "422": (
        "Request failed validation (each field in `details`)",
        "text_too_long",
        "request failed validation",
    ),
}


def _refusal(status: str) -> dict[str, Any]:
    description, code, message = REFUSALS[status]
    example: dict[str, Any] = {"code": code, "message": message}
    if status == "422":
        example["details"] = [
            {"loc": ["body", "posts", 0, "text"], "type": "string_too_long", "msg": "…"}
        ]
    return {
        "description": description,
        "content": {"application/json": {"schema": ERROR_REF, "example": {"error": example}}},
    }


def _document_operation(op: dict[str, Any]) -> None:
    """Add the refusals an operation can answer, all with the project's error body."""
    responses: dict[str, Any] = op.setdefault("responses", {})
    params = op.get("parameters", [])
    has_body = "requestBody" in op
    wanted = ["401", "403"] if op.get("security") else []
    if has_body:
        wanted += ["400", "413"]
        if all(is_json(kind) for kind in op["requestBody"].get("content", {})):
            wanted.append("415")  # api.media_type
    if any(p.get("in") == "path" for p in params):
        wanted.append("404")
    if params or has_body or "422" in responses:
        responses.pop("422", None)  # FastAPI's HTTPValidationError: never sent
        wanted.append("422")
    for status in wanted:
        responses.setdefault(status, _refusal(status))


def build_openapi(app: FastAPI) -> dict[str, Any]:
    # FastAPI's own document (FastAPI.openapi: app.openapi is this module's, see install_openapi)
    # derives the HTTPBearer scheme and each operation's `security` from core.principal.bearer;
    # this adds what it cannot know: the error body and the refusals.
    schema = FastAPI.openapi(app)
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    error_schema = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(error_schema.pop("$defs", {}))
    schemas["ErrorResponse"] = error_schema
    bearer = components.setdefault("securitySchemes", {}).setdefault(
        SCHEME, {"type": "http", "scheme": "bearer"}
    )
    bearer["description"] = AUTH_DESCRIPTION
    for ops in schema.get("paths", {}).values():
        for op in ops.values():
            if isinstance(op, dict) and "responses" in op:
                _document_operation(op)
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return schema


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
