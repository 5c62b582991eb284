"""Every refusal as `{"error": {"code", "message", "details"}}` with a 4xx status, and an
unexpected failure in the same shape (code `internal`, status 500, the request id)."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Send

from core.errors import DomainError
from core.logging import bound_request
from core.refusal import Refusal
from core.web_deps import request_id

_TYPE_CODES = {
    ("posts", "too_short"): "empty_batch",
    ("posts", "too_long"): "batch_too_large",
    ("text", "string_too_short"): "empty_text",
    ("text", "string_too_long"): "text_too_long",
    ("text", "value_error"): "empty_text",
    ("id", "string_pattern_mismatch"): "bad_post_id",
    ("reason", "value_error"): "reason_required",  # only spaces (core.web_schemas.Reason)
}


__all__ = ["Refusal", "answer_unexpected", "error_body", "install_error_handlers", "send_error"]

log = logging.getLogger("veracity.api")


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return {"error": body}


def _validation_code(errors: list[dict[str, Any]]) -> str:
    for err in errors:
        loc = [str(part) for part in err.get("loc", ())]
        etype = str(err.get("type", ""))
        if etype == "json_invalid" or (loc == ["body"] and etype == "missing"):
            return "malformed_json"  # unparseable, or no body at all
        if etype == "extra_forbidden":
            return "unknown_field"
        if etype == "value_error" and "duplicate" in str(err.get("msg", "")):
            return "duplicate_ids"
        for (field, kind), code in _TYPE_CODES.items():
            if loc and loc[-1] == field and etype == kind:
                return code
            if field == "posts" and loc[-1:] == ["posts"] and etype == kind:
                return code
    return "invalid_request"


async def _bad_encoding(request: Request) -> JSONResponse | None:
    """The 400 for a body that is not UTF-8; None when it is (or cannot be read again)."""
    try:
        raw = await request.body()
    except RuntimeError:
        # A form was parsed straight from the stream (Starlette keeps no copy of it), so there
        # is nothing left to re-read; the form parser has already decoded it.
        raw = b""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return JSONResponse(
            error_body("bad_encoding", "request body is not valid UTF-8"), status_code=400
        )
    return None


async def send_error(send: Send, status: int, body: dict[str, Any]) -> None:
    """Answer an ASGI request with `body` (an `error_body`) as JSON, from a middleware."""
    encoded = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(encoded)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": encoded})


async def _on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    if (refused := await _bad_encoding(request)) is not None:
        return refused
    errors = [
        {"loc": list(e.get("loc", ())), "type": e.get("type"), "msg": e.get("msg")}
        for e in exc.errors()
    ]
    code = _validation_code(errors)
    status = 400 if code == "malformed_json" else 422
    message = "request body is not valid JSON" if status == 400 else "request failed validation"
    return JSONResponse(error_body(code, message, errors), status_code=status)


async def _on_domain(_: Request, exc: DomainError) -> JSONResponse:
    return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status)


_FASTAPI_BODY_ERROR = "There was an error parsing the body"


async def _unparseable_body(request: Request) -> JSONResponse:
    """FastAPI's generic 400 for a body it could not decode: name the reason."""
    if (refused := await _bad_encoding(request)) is not None:
        return refused
    return JSONResponse(
        error_body("malformed_json", "request body is not valid JSON"), status_code=400
    )


async def _on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 400 and exc.detail == _FASTAPI_BODY_ERROR:
        return await _unparseable_body(request)
    if isinstance(exc, Refusal):
        return JSONResponse(
            error_body(exc.code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )
    code = {
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        413: "body_too_large",
        429: "rate_limited",
        503: "unavailable",
    }.get(exc.status_code, "http_error")
    detail = exc.detail if isinstance(exc.detail, str) else "request refused"
    return JSONResponse(error_body(code, detail), status_code=exc.status_code, headers=exc.headers)


def answer_unexpected(rid: str, method: str, path: str, exc: BaseException) -> dict[str, Any]:
    """Log an exception nothing else handled, with its traceback under the request id, and
    return the error body that answers it with that id, instead of a plain-text 500."""
    with bound_request(rid):
        log.error("unhandled %s on %s %s", type(exc).__name__, method, path, exc_info=exc)
    message = f"internal error; the server's log has it under request id {rid}"
    return error_body("internal", message, {"request_id": rid})


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    """The last resort, for a failure in a middleware outside UnexpectedErrorMiddleware (which
    answers everything inside it): Starlette's outermost handler, which re-raises afterwards."""
    rid = request_id(request) or uuid.uuid4().hex  # none yet: failed outside RequestIdMiddleware
    body = answer_unexpected(rid, request.method, request.url.path, exc)
    return JSONResponse(body, status_code=500, headers={"X-Request-ID": rid})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Exception, _on_unexpected)
    app.add_exception_handler(RequestValidationError, _on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(DomainError, _on_domain)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _on_http)  # type: ignore[arg-type]
