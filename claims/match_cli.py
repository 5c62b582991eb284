"""`veracity claims match` (batch matching to JSONL) and `veracity claims evaluate` (MAP@5).

Both read CheckThat-format TSV files. `claims match` without `--claims` matches against the
claim library in the database instead, as intake does (`Process.claim_library`), and labels
each match with its claim's verdict and its status under the active routing policy.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from claims.matching.evaluation import (
    ClaimRow,
    evaluate_ranking,
    read_claims,
    read_qrels,
    read_queries,
)
from claims.matching.matcher import ClaimMatcher
from claims.matching.model import default_parts
from core.cli_args import int_in
from core.errors import Invalid
from core.process import Process
from core.settings import REPO_ROOT
from core.user_files import output_file, replaced, writing

CACHE_DIR = REPO_ROOT / "var" / "cache" / "claim-embeddings"


def default_data_dir() -> Path:
    env = os.environ.get("VERACITY_DATA_DIR")
    base = Path(env) if env else REPO_ROOT.parent / "shared" / "datasets"
    return base / "checkthat2020_task2"


def _matcher(claims: list[ClaimRow], no_cache: bool) -> ClaimMatcher:
    """The shipped fine-tuned matcher when present, else the packaged base model."""
    matcher = default_parts().matcher(cache_dir=None if no_cache else CACHE_DIR)
    matcher.fit(claims)
    return matcher


def _match_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--claims",
        type=Path,
        default=None,
        help="claims TSV (id, vclaim, title); default: the claim library in the database",
    )
    parser.add_argument("--input", type=Path, required=True, help="queries TSV (id, tweet_content)")
    parser.add_argument("--top", type=TOP, default=5, help="claims per query, 1 to 100")
    parser.add_argument("--output", type=Path, required=True, help="JSONL, one object per query")
    parser.add_argument("--no-cache", action="store_true", help="do not cache claim embeddings")


def _evaluate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=None, help="CheckThat 2020 Task 2 folder")
    parser.add_argument("--split", default="dev", choices=("train", "dev"))
    parser.add_argument("--top", type=TOP, default=5, help="MAP@k's k, 1 to 100")


TOP = int_in(1, 100)
RuntimeT = TypeVar("RuntimeT", bound=Process)


def register(
    claims_sub: argparse._SubParsersAction[argparse.ArgumentParser],
    *,
    library: Callable[[RuntimeT, argparse.Namespace], int],
) -> None:
    """Add `match`, `evaluate` and `train-matcher` under the `veracity claims` command.

    Without `--claims`, `match` runs `library`: the database's library with intake's matcher
    and policy (`pipeline.match_library`), which builds on this domain.
    """

    def run_match_any(rt: RuntimeT, args: argparse.Namespace) -> int:
        return run_match(args) if args.claims is not None else library(rt, args)

    match = claims_sub.add_parser("match", help="match queries (TSV) to claims (TSV) -> JSONL")
    _match_arguments(match)
    match.set_defaults(handler=run_match_any, needs_db=False)
    evaluate = claims_sub.add_parser("evaluate", help="MAP@5, MRR, P@1 on CheckThat 2020 T2")
    _evaluate_arguments(evaluate)
    evaluate.set_defaults(handler=lambda _rt, args: run_evaluate(args), needs_db=False)
    train = claims_sub.add_parser(
        "train-matcher", help="fine-tune the matcher on CheckThat train (selection on train only)"
    )
    _train_arguments(train)
    train.set_defaults(handler=lambda _rt, args: run_train(args), needs_db=False)


def _train_arguments(parser: argparse.ArgumentParser) -> None:
    from claims.train_matcher import add_arguments

    add_arguments(parser)


def run_train(args: argparse.Namespace) -> int:
    from claims.train_matcher import main

    return main(args)


def match_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="veracity claims match")
    _match_arguments(parser)
    return run_match(parser.parse_args(argv))


def check_paths(args: argparse.Namespace) -> None:
    """--output, checked before any file is read or model loaded (the readers refuse an input
    that is absent, a folder or not UTF-8 by name; argparse a --top out of range)."""
    output_file(args.output, make_folder=True, inputs=[args.input, args.claims])


def write_matches(
    path: Path, query_ids: Sequence[str], matches: Iterable[Sequence[Mapping[str, object]]]
) -> None:
    """One JSON line per query: `{"id", "matches": [...]}`."""
    with writing(path), replaced(output_file(path, make_folder=True)) as out:
        for query_id, found in zip(query_ids, matches, strict=True):
            out.write(json.dumps({"id": query_id, "matches": found}) + "\n")


def run_match(args: argparse.Namespace) -> int:
    check_paths(args)
    claims, queries = read_claims(args.claims), read_queries(args.input)  # before the model
    matcher = _matcher(claims, args.no_cache)
    results = matcher.match([q.text for q in queries], top=args.top)
    rows = (
        [{"claim_id": m.claim_id, "score": m.score, "status": _status(m.level)} for m in matches]
        for matches in results
    )
    write_matches(args.output, [q.id for q in queries], rows)
    print(f"matched {len(queries)} queries against {len(matcher)} claims -> {args.output}")
    return 0


def _status(level: str | None) -> str | None:
    """The matcher's own thresholds, in the words the score API uses."""
    return "suggested" if level == "suggest" else level


def _model_name() -> str:
    model_dir = default_parts().model_dir
    return model_dir.name if model_dir else "base all-MiniLM-L6-v2"


def evaluate_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="veracity claims evaluate")
    _evaluate_arguments(parser)
    return run_evaluate(parser.parse_args(argv))


def run_evaluate(args: argparse.Namespace) -> int:
    data = args.data or default_data_dir()
    if not (data / "verified_claims.docs.tsv").is_file():
        raise Invalid(f"{data} has no verified_claims.docs.tsv (set VERACITY_DATA_DIR or --data)")
    started = time.perf_counter()
    matcher = _matcher(read_claims(data / "verified_claims.docs.tsv"), no_cache=False)
    queries = read_queries(data / args.split / "tweets.queries.tsv")
    qrels = read_qrels(data / args.split / "tweet-vclaim-pairs.qrels")
    query_started = time.perf_counter()
    results = matcher.match([q.text for q in queries], top=args.top)
    elapsed = time.perf_counter() - query_started
    rankings = {q.id: [m.claim_id for m in ms] for q, ms in zip(queries, results, strict=True)}
    scores = evaluate_ranking(rankings, qrels, k=args.top)
    print(
        json.dumps(
            {
                "split": args.split,
                "queries": scores.queries,
                "claims": len(matcher),
                "model": _model_name(),
                f"map@{args.top}": round(scores.map_at_k, 4),
                "mrr": round(scores.mrr, 4),
                "p@1": round(scores.precision_at_1, 4),
                "query_ms_each": round(1000 * elapsed / max(len(queries), 1), 1),
                "total_s": round(time.perf_counter() - started, 1),
            }
        )
    )
    return 0
