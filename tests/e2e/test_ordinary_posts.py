"""Ordinary posts that make no claim stay out of review: the intake path with every real model
(the shipped falsehood model, language identification, the shipped claim matcher over the
bundled claims, the shipped check-worthiness head) under the default routing policy.

Targets (issue 15): per language, at most 5% to review or urgent and at most 1% urgent. The
corpus (tests/fixtures/ordinary_posts/) was never used to choose a threshold; every other post
is scored here to keep the test short (`veracity triage-rates` reports the full files).
"""

from __future__ import annotations

import pytest

from claims.library_service import FixedLibrary, bundled_claims
from claims.matching_model import default_parts
from classifier.checkworthiness import load_checkworthiness
from classifier.loader import load_classifier
from core.settings import REPO_ROOT
from pipeline.routing import RoutingPolicy
from pipeline.signals import IntakeSignals
from pipeline.triage_rates import rates, read_posts, triage_bands

CORPUS = REPO_ROOT / "tests" / "fixtures" / "ordinary_posts"


@pytest.fixture(scope="module")
def signals() -> IntakeSignals:
    parts = default_parts()
    checker = load_checkworthiness(embedder=parts.embedder)  # the shipped head, required
    return IntakeSignals(FixedLibrary(parts, bundled_claims()), checker)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_ordinary_posts_rarely_reach_review_and_almost_never_urgent(
    lang: str, signals: IntakeSignals
) -> None:
    posts = read_posts(CORPUS / f"{lang}.jsonl")[::2]
    rows = triage_bands(posts, load_classifier(), signals, RoutingPolicy())
    summary = rates(rows)["all"]
    assert summary["posts"] == len(posts) >= 500
    assert summary["review_or_urgent"] <= 0.05, summary
    assert summary["urgent"] <= 0.01, summary
