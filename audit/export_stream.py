"""An export as an HTTP download: the same response for legal's API and legal's pages."""

from __future__ import annotations

from fastapi.responses import StreamingResponse

from audit.export import Export
from audit.operations import log_reader
from audit.process import AuditProcess
from audit.schemas import ExportFormat, SearchFilters
from core.actors import Actor


def export_download(
    rt: AuditProcess,
    filters: SearchFilters,
    fmt: ExportFormat,
    actor: Actor,
    request_id: str | None = None,
) -> StreamingResponse:
    """Stream every matching event as an attachment, with the export's id and manifest address
    in headers; never cached, since the events are legal records."""
    job = Export(
        log_reader(rt),
        rt.sessions,
        filters,
        fmt,
        actor,
        page_size=rt.settings.audit.export_page_size,
        request_id=request_id,
    )
    filename = f"veracity-actions-{job.export_id}.{fmt.value}"
    return StreamingResponse(
        job.chunks(),
        media_type=job.media_type,
        headers={
            "content-disposition": f'attachment; filename="{filename}"',
            "x-export-id": job.export_id,
            "x-export-manifest": f"/v1/audit/exports/{job.export_id}",
            "cache-control": "no-store",
        },
    )
