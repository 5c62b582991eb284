"""Legal: action-log search, case histories and exports, over audit's LogStore and Export."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import Response

from api.process import AppRuntimeDep
from audit.events import Action, Subject
from audit.export_stream import export_download
from audit.operations import log_reader
from audit.schemas import ExportFormat, SearchFilters
from audit.service import record
from review_ui.auth import UiRefused
from review_ui.i18n import Msg
from review_ui.legal import downloads as legal_downloads
from review_ui.legal.timeline import case_post, timeline_row, words_for
from review_ui.page import LegalPage

router = APIRouter(prefix="/legal")
router.include_router(legal_downloads.router)  # statements of reasons, export manifests
FIELDS = ("post_id", "case_id", "actor", "q", "action", "since", "until")
PAGE_SIZE = 100


def _filters(params: dict[str, str]) -> SearchFilters:
    action = params.get("action", "")
    try:
        return SearchFilters(
            post_id=params.get("post_id") or None,
            case_id=params.get("case_id") or None,
            actor=params.get("actor") or None,
            text=params.get("q") or None,
            actions=(Action(action),) if action else (),
            since=legal_downloads.day_bound(params.get("since", ""), end=False),
            until=legal_downloads.day_bound(params.get("until", ""), end=True),
        )
    except ValidationError as exc:
        raise ValueError(str(exc.errors()[0]["msg"])) from exc


def _params(request: Request) -> dict[str, str]:
    return {k: request.query_params.get(k, "").strip()[:500] for k in FIELDS}


def _row(doc: dict[str, Any]) -> dict[str, Any]:
    v = doc.get("veracity", {})
    action = doc.get("event", {}).get("action", "")
    return {
        "at": str(doc.get("@timestamp", ""))[:19].replace("T", " "),
        "action": action,
        "words": words_for(action),
        "actor": doc.get("user", {}).get("name", ""),
        "post_id": v.get("post_id") or "",
        "case_id": v.get("case_id") or "",
        "reason": v.get("reason") or "",
        "after": v.get("after") or {},
    }


@router.get("", summary="Search the action log")
def search(rt: AppRuntimeDep, page: LegalPage) -> Response:
    params = _params(page.request)
    rows: list[dict[str, Any]] = []
    total, error, searched = 0, "", any(params.values())
    if searched:
        try:
            filters = _filters(params)
        except ValueError as exc:
            error = Msg("Bad search: {reason}", reason=exc)
        else:
            found = log_reader(rt).search(filters, size=PAGE_SIZE, cursor=None)
            rows, total = [_row(d) for d in found.events], found.total
            record(
                page.session,
                Action.LOG_SEARCHED,
                page.actor,
                Subject(post_id=filters.post_id, case_id=filters.case_id),
                after={"filters": filters.described(), "total": total, "via": "ui"},
            )
    query = urlencode({k: v for k, v in params.items() if v})
    return page.render(
        "legal/search.html",
        422 if error else 200,
        params=params,
        rows=rows,
        total=total,
        searched=searched,
        error=error,
        actions=[a.value for a in Action],
        export_query=query,
        exports=legal_downloads.recent_exports(page.session),
    )


@router.get("/cases/{case_id}", summary="A case's full history, oldest first")
def case_history(case_id: str, rt: AppRuntimeDep, page: LegalPage) -> Response:
    filters = SearchFilters(case_id=case_id[:64])
    events = [timeline_row(d) for d in log_reader(rt).iter_events(filters, page_size=500)]
    if not events:
        raise UiRefused(404, Msg("No events for that case."))
    record(
        page.session,
        Action.LOG_SEARCHED,
        page.actor,
        Subject(case_id=filters.case_id),
        after={"filters": filters.described(), "total": len(events), "via": "ui"},
    )
    return page.render(
        "legal/case.html",
        case_id=case_id,
        events=events,
        post=case_post(page.session, filters.case_id or ""),
    )


@router.get("/export", summary="Download every matching event (CSV or NDJSON)")
def export(rt: AppRuntimeDep, page: LegalPage) -> Response:
    params = _params(page.request)
    try:
        filters = _filters(params)
        fmt = ExportFormat(page.query("format", "csv"))
    except ValueError as exc:
        raise UiRefused(422, Msg("Bad export request: {reason}", reason=exc)) from exc
    return export_download(rt, filters, fmt, page.actor)
