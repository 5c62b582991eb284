"""Legal's downloads: DSA statements of reasons for a period, and the manifest of each export
(count, bytes, SHA-256), as files, each download logged like the API's."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from api.process import AppRuntimeDep
from audit import repository
from audit.events import Action, Subject
from audit.operations import dsa_statement_lines
from audit.schemas import Manifest, SearchFilters
from audit.service import record
from review_ui.auth import UiRefused
from review_ui.i18n import Msg
from review_ui.page import LegalPage

router = APIRouter()
RECENT = 20


def day_bound(value: str, *, end: bool) -> datetime | None:
    """A YYYY-MM-DD filter as the first (or, with `end`, last) instant of that day in UTC; none
    for an empty value. Raises ValueError for anything else."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from exc
    return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)


def _day(value: str, *, end: bool) -> datetime | None:
    try:
        return day_bound(value, end=end)
    except ValueError as exc:
        raise UiRefused(422, Msg("{value} is not a date (YYYY-MM-DD).", value=repr(value))) from exc


@router.get("/dsa.ndjson", summary="Download DSA statements of reasons (≤100 to a line)")
def dsa_download(rt: AppRuntimeDep, page: LegalPage) -> Response:
    since = _day(page.query("since")[:10], end=False)
    until = _day(page.query("until")[:10], end=True)
    try:
        filters = SearchFilters(since=since, until=until)
    except ValidationError as exc:  # 'since' after 'until': was a 500
        reason = exc.errors()[0]["msg"]
        raise UiRefused(422, Msg("Bad export request: {reason}", reason=reason)) from exc

    span = f"{since.date() if since else 'start'}-{until.date() if until else 'now'}"
    return StreamingResponse(
        dsa_statement_lines(rt, filters, page.actor, via="ui"),
        media_type="application/x-ndjson",
        headers={
            "content-disposition": f'attachment; filename="dsa-statements-{span}.ndjson"',
            "cache-control": "no-store",
        },
    )


def recent_exports(session: Session) -> list[dict[str, Any]]:
    """The latest finished exports, newest first, from their `log.exported` events."""
    out = []
    for event in repository.export_events_newest_first(session, limit=RECENT):
        v: Any = event.document["veracity"]
        after = v.get("after") or {}
        if "export_id" in after:
            out.append(after | {"by": event.actor_name})
    return out


@router.get("/exports/{export_id}/manifest.json", summary="Download an export's manifest")
def manifest_download(export_id: str, page: LegalPage) -> Response:
    found = repository.export_manifest(page.session, export_id[:64])
    if found is None:
        raise UiRefused(404, Msg("No finished export with that id."))
    manifest = Manifest.model_validate(found)
    record(
        page.session,
        Action.LOG_SEARCHED,
        page.actor,
        Subject(other={"export_id": manifest.export_id}),
        after={"manifest": "downloaded", "via": "ui"},
    )
    return Response(
        manifest.model_dump_json(indent=2) + "\n",
        media_type="application/json",
        headers={
            "content-disposition": (
                f'attachment; filename="veracity-actions-{manifest.export_id}.manifest.json"'
            ),
            "cache-control": "no-store",
        },
    )
