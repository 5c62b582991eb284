"""`veracity claims match` without `--claims`: queries matched against the database's claim
library with the process's matcher and the active policy's thresholds, as intake does."""

from __future__ import annotations

import argparse
from typing import Protocol

from claims.library_service import LibraryMatcher
from claims.match_cli import check_paths, write_matches
from claims.matching.evaluation import read_queries
from core.migrate import upgrade
from pipeline.policy_store import active_policy
from pipeline.process import PipelineProcess
from pipeline.signals import prepare
from pipeline.triage import match_status


class MatchProcess(PipelineProcess, Protocol):
    @property
    def claim_library(self) -> LibraryMatcher: ...


def run_match_library(rt: MatchProcess, args: argparse.Namespace) -> int:
    """Match against the database library with the process's matcher, as intake does."""
    check_paths(args)
    upgrade(rt.settings.database.url)
    queries = read_queries(args.input)
    library = rt.claim_library
    cleaned = [prepare(q.text) for q in queries]
    found = library.match_vectors(cleaned, library.embedder.embed(cleaned), args.top)
    with rt.sessions() as session:
        policy = active_policy(session, rt.policy)
    rows = (
        [
            {
                "claim_id": m.claim_id,
                "score": m.score,
                "verdict": verdict,
                "status": match_status(m.score, policy, m.dense),
            }
            for m, verdict in matches
        ]
        for matches in found
    )
    write_matches(args.output, [q.id for q in queries], rows)
    print(f"matched {len(queries)} queries against the claim library -> {args.output}")
    return 0
