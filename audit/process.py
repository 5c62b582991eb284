"""What the action log reads from the running process: its Elasticsearch store, if any."""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends, Request

from audit.es_store import ElasticsearchLog
from core.process import Process


class AuditProcess(Process, Protocol):
    @property
    def action_log(self) -> ElasticsearchLog | None: ...


def get_audit_runtime(request: Request) -> AuditProcess:
    rt: AuditProcess = request.app.state.runtime
    return rt


AuditRuntimeDep = Annotated[AuditProcess, Depends(get_audit_runtime)]
