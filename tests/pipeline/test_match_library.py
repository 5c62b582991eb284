"""`veracity claims match` without --claims: the database library, as intake matches."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from claims.importers import read_source
from claims.models import stable_claim_id
from claims.service import import_claims
from core.db import transaction
from pipeline.match_library import run_match_library
from runtime.container import Runtime
from tests.conftest import ADMIN


def test_claims_match_against_the_library_gives_verdict_and_status(
    rt: Runtime, tmp_path: Path
) -> None:
    with transaction(rt.sessions) as session:
        import_claims(session, read_source("fixture", None), ADMIN, source="fixture")
    queries = tmp_path / "q.tsv"
    queries.write_text(
        "\ttweet_content\nq1\tVaccines contain microchips to track you\nq2\tI really need a nap\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    args = argparse.Namespace(claims=None, input=queries, top=2, output=out)
    assert run_match_library(rt, args) == 0
    q1, q2 = (json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())
    best = q1["matches"][0]
    assert best["claim_id"] == stable_claim_id("fixture", "fx-005")
    assert (best["verdict"], best["status"]) == ("false", "confirmed")
    assert all(m["status"] is None for m in q2["matches"])
