"""Reading an uploaded claims file: JSON (a list, as `claims/fixtures/claims.json`) or CSV with
the same columns. Refusals carry their status: too big 413, not JSON or CSV 415, malformed 422."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from typing import Any

from fastapi import UploadFile
from pydantic import ValidationError

from claims.schemas import ImportedClaim
from review_ui.auth import UiRefused
from review_ui.i18n import Msg

MAX_BYTES = 1024 * 1024  # a library file of a few thousand claims
MAX_CLAIMS = 5000
UPLOAD_ORIGIN = "upload"
COLUMNS = ("origin_ref", "text", "verdict", "source_url", "source_name", "explanation")
JSON_TYPES = {"application/json", "text/json"}
CSV_TYPES = {"text/csv", "application/csv", "application/vnd.ms-excel", "text/plain"}


class UploadRefused(UiRefused):
    """A file the library cannot import; the library page shows why beside its import form."""


def read_upload(file: UploadFile) -> list[ImportedClaim]:
    raw = file.file.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise UploadRefused(
            413, Msg("The file is over {kib} KiB; split it.", kib=MAX_BYTES // 1024)
        )
    kind = _kind(file.filename or "", (file.content_type or "").split(";")[0].strip().lower())
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadRefused(422, Msg("The file is not UTF-8 text.")) from exc
    rows = _json_rows(text) if kind == "json" else _csv_rows(text)
    if not rows:
        raise UploadRefused(422, Msg("The file holds no claims."))
    if len(rows) > MAX_CLAIMS:
        raise UploadRefused(
            413,
            Msg(
                "At most {most} claims a file; this one has {count}.",
                most=MAX_CLAIMS,
                count=len(rows),
            ),
        )
    return [_claim(row, n) for n, row in enumerate(rows, 1)]


def _kind(filename: str, content_type: str) -> str:
    name = filename.lower()
    if name.endswith(".json") and content_type in JSON_TYPES | {"application/octet-stream", ""}:
        return "json"
    if name.endswith(".csv") and content_type in CSV_TYPES | {"application/octet-stream", ""}:
        return "csv"
    raise UploadRefused(415, Msg("Upload a .json or .csv file in the claim library's format."))


def _json_rows(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise UploadRefused(422, Msg("The JSON does not parse: {reason}", reason=str(exc))) from exc
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise UploadRefused(422, Msg("The JSON must be a list of claims (objects)."))
    return data


def _csv_rows(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"text", "verdict"} - set(reader.fieldnames or [])
    if missing:
        raise UploadRefused(
            422, Msg("The CSV needs the columns {columns}.", columns=", ".join(COLUMNS))
        )
    try:
        return [dict(r) for r in reader]
    except csv.Error as exc:
        raise UploadRefused(422, Msg("The CSV does not parse: {reason}", reason=str(exc))) from exc


def _claim(row: dict[str, Any], number: int) -> ImportedClaim:
    text = " ".join(str(row.get("text") or "").split())
    # Without its own id a claim is known by its text, so a re-upload adds nothing twice.
    ref = str(row.get("origin_ref") or "").strip() or hashlib.sha256(text.encode()).hexdigest()[:32]
    try:
        claim = ImportedClaim(
            origin=UPLOAD_ORIGIN,
            origin_ref=ref[:128],
            text=text,
            verdict=str(row.get("verdict") or "").strip().lower(),
            source_url=str(row.get("source_url") or "").strip() or None,
            source_name=str(row.get("source_name") or "").strip()[:200] or None,
            explanation=str(row.get("explanation") or "").strip(),
        )
    except ValidationError as exc:
        field = ".".join(str(p) for p in exc.errors()[0]["loc"])
        raise UploadRefused(
            422, Msg("Claim {number}: {field} is not valid.", number=number, field=field)
        ) from exc
    if not 3 <= len(claim.text) <= 5000:
        raise UploadRefused(
            422, Msg("Claim {number}: the text must be 3 to 5000 characters.", number=number)
        )
    if claim.source_url and not claim.source_url.startswith(("https://", "http://")):
        raise UploadRefused(
            422, Msg("Claim {number}: the source must be an http(s) address.", number=number)
        )
    return claim
