"""The objects a veracity process holds for its lifetime."""

from __future__ import annotations

import importlib
import logging
import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

import runtime.domains  # noqa: F401 - every table and every listener between domains
from audit.es_store import ElasticsearchLog, make_client
from classifier.interface import Classifier
from core.db import make_engine, make_session_factory
from core.dispatch import Dispatcher
from core.outbound import policy_from
from core.settings import Settings
from pipeline.platform_client import ConsolePlatformClient, HttpPlatformClient, PlatformClient
from pipeline.routing import RoutingPolicy

if TYPE_CHECKING:  # the matcher's modules load model runtimes; only their types are needed here
    from claims.library_service import LibraryMatcher
    from pipeline.signals import CheckworthinessScorer, IntakeSignals

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
    signals_override: IntakeSignals | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @cached_property
    def classifier(self) -> Classifier:
        if self.classifier_override is not None:
            return self.classifier_override
        from classifier.reference import ReferenceClassifier

        if self.settings.use_reference_classifier:
            return ReferenceClassifier()
        try:
            loader = importlib.import_module("classifier.serving.loader")
        except ImportError:
            log.warning("no trained model packaged; scoring with the reference classifier")
            return ReferenceClassifier()
        loaded: Classifier = loader.load_classifier(self.settings.model_dir)
        from classifier.serving.routed import with_chinese

        return with_chinese(loaded)  # Chinese posts to the Chinese model when one is shipped

    @cached_property
    def claim_library(self) -> LibraryMatcher:
        """The shipped claim matcher over the library in the database, one per process."""
        from claims.library_service import LibraryMatcher
        from claims.matching.model import default_parts
        from claims.matching.zh import is_not_chinese

        parts = default_parts()
        es = self.settings.elasticsearch
        if not es.hosts:
            return LibraryMatcher(self.sessions, parts, keep=is_not_chinese)
        from claims.index_es import ElasticsearchIndex

        client = make_client(es.hosts, es.request_timeout)
        dims = parts.embedder.dimensions
        return LibraryMatcher(
            self.sessions,
            parts,
            lambda: ElasticsearchIndex(client, es.index_prefix, dims),
            keep=is_not_chinese,  # Chinese claims: `claims.matching.zh`, in process
        )

    @cached_property
    def intake_signals(self) -> IntakeSignals | None:
        """Language, claim matches and check-worthiness at intake; by default None with the
        reference scorer (tests and quick runs score falsehood only), see `INTAKE_SIGNALS`."""
        if self.signals_override is not None:
            return self.signals_override
        wanted = self.settings.intake_signals
        if wanted is False or (wanted is None and self.settings.use_reference_classifier):
            return None
        from pipeline.signals import IntakeSignals
        from pipeline.signals_zh import with_chinese_signals

        english = IntakeSignals(self.claim_library, load_checkworthiness(self.claim_library))
        return with_chinese_signals(english, self.sessions)

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


def load_checkworthiness(library: LibraryMatcher) -> CheckworthinessScorer | None:
    """The shipped check-worthiness head on the matcher's encoder; None when none is shipped."""
    from classifier.checkworthiness import load_checkworthiness as load

    try:
        return load(embedder=library.embedder)
    except FileNotFoundError:
        log.warning("no check-worthiness model shipped: triage runs without it")
        return None


def build_runtime(
    settings: Settings,
    *,
    classifier: Classifier | None = None,
    platform: PlatformClient | None = None,
    policy: RoutingPolicy | None = None,
    signals: IntakeSignals | None = None,
) -> Runtime:
    engine = make_engine(settings.database.url, echo=settings.database.echo)
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        classifier_override=classifier,
        platform_override=platform,
        policy=policy or RoutingPolicy(),
        signals_override=signals,
    )
