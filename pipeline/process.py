"""What the pipeline reads from the running process: the default routing policy and the
platform client that executes enforcement."""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends, Request

from core.process import Process
from pipeline.platform_client import PlatformClient
from pipeline.routing import RoutingPolicy


class PipelineProcess(Process, Protocol):
    policy: RoutingPolicy

    @property
    def platform(self) -> PlatformClient: ...


def get_pipeline_runtime(request: Request) -> PipelineProcess:
    rt: PipelineProcess = request.app.state.runtime
    return rt


PipelineRuntimeDep = Annotated[PipelineProcess, Depends(get_pipeline_runtime)]
