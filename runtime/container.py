"""The objects a veracity process holds for its lifetime."""

from __future__ import annotations

import importlib
import logging
import threading
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from audit.es_store import ElasticsearchLog, make_client
from classifier.interface import Classifier
from core.db import make_engine, make_session_factory
from core.dispatch import Dispatcher
from core.settings import Settings
from core.outbound import policy_from
from pipeline.platform_client import ConsolePlatformClient, HttpPlatformClient, PlatformClient
from pipeline.routing import RoutingPolicy

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    classifier_override: Classifier | None = None
    platform_override: PlatformClient | None = None
    policy: RoutingPolicy = field(default_factory=RoutingPolicy)
    dispatcher: Dispatcher | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @cached_property
    def classifier(self) -> Classifier:
        if self.classifier_override is not None:
            return self.classifier_override
        from classifier.reference import ReferenceClassifier

        if self.settings.use_reference_classifier:
            return ReferenceClassifier()
        try:
            loader = importlib.import_module("classifier.loader")
        except ImportError:
            log.warning("no trained model packaged; scoring with the reference classifier")
            return ReferenceClassifier()
        loaded: Classifier = loader.load_classifier(self.settings.model_dir)
        return loaded

    @cached_property
    def platform(self) -> PlatformClient:
        if self.platform_override is not None:
            return self.platform_override
        url = self.settings.platform.takedown_url
        if not url:
            log.warning("PLATFORM__TAKEDOWN_URL not set: enforcement actions are printed, not sent")
            return ConsolePlatformClient()
        return HttpPlatformClient(
            url, outbound=policy_from(self.settings), timeout=self.settings.platform.timeout
        )

    @cached_property
    def action_log(self) -> ElasticsearchLog | None:
        es = self.settings.elasticsearch
        if not es.hosts:
            return None
        store = ElasticsearchLog(make_client(es.hosts, es.request_timeout), es.index_prefix)
        return store


def build_runtime(
    settings: Settings,
    *,
    classifier: Classifier | None = None,
    platform: PlatformClient | None = None,
    policy: RoutingPolicy | None = None,
) -> Runtime:
    engine = make_engine(settings.database.url, echo=settings.database.echo)
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        classifier_override=classifier,
        platform_override=platform,
        policy=policy or RoutingPolicy(),
    )
