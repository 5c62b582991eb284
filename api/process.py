"""What the API and the review UI read from the running process: every domain's part of it
(the routing policy, the platform client, the action log's store) and the models that score."""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends, Request

from audit.process import AuditProcess
from classifier.interface import Classifier
from pipeline.process import PipelineProcess
from pipeline.signals import IntakeSignals


class AppProcess(AuditProcess, PipelineProcess, Protocol):
    @property
    def classifier(self) -> Classifier: ...

    @property
    def intake_signals(self) -> IntakeSignals | None: ...


def get_app_runtime(request: Request) -> AppProcess:
    rt: AppProcess = request.app.state.runtime
    return rt


AppRuntimeDep = Annotated[AppProcess, Depends(get_app_runtime)]
