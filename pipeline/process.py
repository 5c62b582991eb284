"""What the pipeline reads from the running process: the default routing policy and the
platform client that executes enforcement."""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends

from core.process import Process
from core.web_deps import get_runtime
from pipeline.platform_client import PlatformClient
from pipeline.routing import RoutingPolicy


class PipelineProcess(Process, Protocol):
    policy: RoutingPolicy

    @property
    def platform(self) -> PlatformClient: ...


PipelineRuntimeDep = Annotated[PipelineProcess, Depends(get_runtime)]
