"""What the API and the review UI read from the running process: every domain's part of it
(the routing policy, the platform client, the action log's store) and the models that score."""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends

from audit.process import AuditProcess
from classifier.interface import Classifier
from core.web_deps import get_runtime
from pipeline.process import PipelineProcess
from pipeline.signals import IntakeSignals


class AppProcess(AuditProcess, PipelineProcess, Protocol):
    @property
    def classifier(self) -> Classifier: ...

    @property
    def intake_signals(self) -> IntakeSignals | None: ...


AppRuntimeDep = Annotated[AppProcess, Depends(get_runtime)]
