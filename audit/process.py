"""What the action log reads from the running process: its Elasticsearch store, if any."""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends

from audit.es_store import ElasticsearchLog
from core.process import Process
from core.web_deps import get_runtime


class AuditProcess(Process, Protocol):
    @property
    def action_log(self) -> ElasticsearchLog | None: ...


AuditRuntimeDep = Annotated[AuditProcess, Depends(get_runtime)]
