"""Request dependencies every route may take: the process, one database transaction, the
request id. Routes in any domain use these; `api/` and `review_ui/` only mount the routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from core.db import transaction
from core.process import Process


def get_runtime(request: Request) -> Process:
    """The running process. A domain that reads more of it names its own view of the same
    object: `Annotated[PipelineProcess, Depends(get_runtime)]` (the views are Protocols)."""
    rt: Process = request.app.state.runtime
    return rt


RuntimeDep = Annotated[Process, Depends(get_runtime)]


def get_session(rt: RuntimeDep) -> Iterator[Session]:
    """One transaction per request: committed when the endpoint returns, else rolled back."""
    with transaction(rt.sessions) as session:
        yield session


# scope="function": the commit runs when the endpoint returns, before the response is sent.
# The default ("request") runs it after the client already has its 200, so a crash in between
# lost acknowledged writes. A failed commit now answers with an error instead of a 200.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def request_id(request: Request) -> str | None:
    state = request.scope.get("state", {})
    rid = state.get("request_id") if isinstance(state, dict) else None
    return str(rid) if rid else None


RequestIdDep = Annotated[str | None, Depends(request_id)]
