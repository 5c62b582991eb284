"""The API's contract that every domain's routes share: the error body every refusal uses, the
OpenAPI entries for refusals, the largest integer a query accepts and the shape of an id in a
path."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Any

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.functional_serializers import PlainSerializer

# A time as `datetime.isoformat()` writes it ("+00:00", not pydantic's "Z"): the JSON the API
# gave before its views were pydantic models.
IsoTime = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str)]


class ErrorDetail(BaseModel):
    """What went wrong: a stable machine-readable code and a sentence for people."""

    code: str = Field(
        description="Stable and machine-readable, e.g. `empty_text`, `invalid_api_key`",
        examples=["text_too_long"],
    )
    message: str = Field(
        description="For people; may change", examples=["request failed validation"]
    )
    details: Any | None = Field(
        default=None,
        description="For validation failures (400/422): one entry per field, with `loc` "
        "(where), `type` (pydantic's error type) and `msg`",
        examples=[[{"loc": ["body", "posts", 0, "text"], "type": "string_too_long", "msg": "…"}]],
    )


class ErrorResponse(BaseModel):
    """The body of every 4xx and 5xx answer (`error_body` builds it)."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {"error": {"code": "invalid_api_key", "message": "unknown API key"}}
        }
    )
    error: ErrorDetail


# Integers in a query (row offsets, version numbers) beyond this are refused with 422: the
# databases take at most 64-bit integers (a larger one was a 500), PostgreSQL's INTEGER columns
# (a statement's version numbers) at most 32-bit ones, and no listing here comes near 2**31 rows.
MAX_INTEGER = 2**31 - 1
MAX_OFFSET = MAX_INTEGER

# The characters a platform's post id may hold (pipeline.schemas.PostIn); the ids the project
# makes itself (core.db.new_id: 32 hex characters) are among them.
ID_PATTERN = r"^[A-Za-z0-9_.:\-]+$"
# An id in a path: the project's own rows are `String(32)` (`core.db.new_id`), so a longer id
# or one of other characters names nothing and is refused with 422 before any lookup, and no
# 404 echoes a client's five thousand characters back. A post's id (the platform's) is longer.
RowId = Annotated[str, Path(min_length=1, max_length=32, pattern=ID_PATTERN)]
PostId = Annotated[str, Path(min_length=1, max_length=128, pattern=ID_PATTERN)]


def refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the refusals a route can answer with."""
    text = {
        400: "Malformed JSON or bad encoding",
        401: "Missing, unknown or revoked credentials",
        403: "Wrong scope or role",
        404: "Not found",
        409: "Conflict with the current state (code names it: lease_not_held, case_decided, ...)",
        413: "Request body too large",
        422: "Validation failed (code names the rule: empty_batch, batch_too_large, ...)",
        429: "Rate limited; see Retry-After",
        503: "Overloaded; see Retry-After",
    }
    return {s: {"model": ErrorResponse, "description": text[s]} for s in statuses}


def _shows_nothing(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) == "Cf"


def said(text: str) -> str:
    """The text without what shows nothing at its ends: whitespace and the format characters
    (Unicode Cf: zero-width spaces and joiners, direction marks, the byte order mark)."""
    start, end = 0, len(text)
    while start < end and _shows_nothing(text[start]):
        start += 1
    while end > start and _shows_nothing(text[end - 1]):
        end -= 1
    return text[start:end]


def _not_blank(text: str) -> str:
    if not said(text):
        raise ValueError("must not be only spaces")
    return text


# Text that must say something: only spaces (tabs, new lines) and invisible format characters
# (U+200B, ...) is refused with 422 naming the field.
NotBlank = AfterValidator(_not_blank)
# Why someone did something that needs a reason: words, kept as written, up to 2000 characters.
Reason = Annotated[str, Field(min_length=1, max_length=2000), NotBlank]


# The base of every request body: an unknown field is refused (422), not silently dropped, so a
# misspelt option never reads as its default. No docstring: a model's docstring is its
# description in the OpenAPI schema.
class StrictIn(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReasonIn(StrictIn):
    """Why someone did something that needs a reason (closing, restoring, releasing, ...)."""

    reason: Reason
