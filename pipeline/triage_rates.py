"""`veracity triage-rates`: how often a set of posts would go to review or urgent at intake.

Runs the intake path without a database: the falsehood model, then the same signals intake
measures (`pipeline.signals`: language, the shipped claim matcher over the bundled library,
the check-worthiness head), then `pipeline.triage.triage_band` under a routing policy (the
built-in default unless `--policy` names a JSON body). On ordinary posts that make no claim
(`tests/fixtures/ordinary_posts/`) the targets are at most 5% to review or urgent and at most
1% urgent, per language. `--per-post FILE` also writes each post's band, the rule that set it
and the signals it read (JSON lines), to see why posts were queued.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from classifier.interface import Classifier
from core.errors import Invalid
from core.messages import Msg
from core.user_files import (
    output_file,
    read_json,
    read_json_lines,
    replaced,
    schema_refusal,
    writing,
)
from pipeline.routing import RoutingPolicy
from pipeline.schemas import PostIn, RoutingPolicyBody
from pipeline.signals import IntakeSignals, PostSignals
from pipeline.triage import REVIEW, URGENT, MatchInfo, Signals, triage_band

BATCH = 64


@dataclass(frozen=True)
class Triaged:
    """One post as intake would triage it: the band, the rule that set it, what it read."""

    post_id: str
    lang: str  # detected ("und" without signals)
    band: str
    rule: str
    model_band: str  # the falsehood model's own band
    signals: Signals

    def to_json(self, policy: RoutingPolicy) -> dict[str, object]:
        best: MatchInfo | None = self.signals.matches[0] if self.signals.matches else None
        match = best and best.to_json() | {"status": best.status(policy)}
        return {
            "id": self.post_id,
            "lang": self.lang,
            "band": self.band,
            "rule": self.rule,
            "score": round(self.signals.score, 4),
            "model_band": self.model_band,
            "checkworthiness": self.signals.checkworthiness,
            "best_match": match,
        }


def triage_bands(
    posts: Sequence[PostIn],
    classifier: Classifier,
    signals: IntakeSignals | None,
    policy: RoutingPolicy,
) -> list[Triaged]:
    """Each post, in order, as intake would triage it."""
    out: list[Triaged] = []
    for start in range(0, len(posts), BATCH):
        batch = posts[start : start + BATCH]
        predictions = classifier.predict([p.text for p in batch])
        measured: Sequence[PostSignals | None] = (
            signals.measure(batch) if signals is not None else [None] * len(batch)
        )
        for post, prediction, sig in zip(batch, predictions, measured, strict=True):
            if sig is None:
                full = Signals(prediction.score, prediction.band.value)
            else:
                full = Signals(
                    prediction.score,
                    prediction.band.value,
                    sig.checkworthiness,
                    sig.matches,
                    sig.lang,
                )
            lang = sig.lang if sig else "und"
            band, rule = triage_band(full, policy)
            out.append(Triaged(post.id, lang, band, rule, prediction.band.value, full))
    return out


def rates(rows: Iterable[Triaged]) -> dict[str, Any]:
    """Counts and rates overall and per detected language; `falsehood_only` is what the
    falsehood model's band alone would have queued (before triage)."""
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    alone: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        for name in ("all", row.lang):
            groups[name][row.band] += 1
            alone[name][row.model_band] += 1
    return {
        name: {**_summary(counts), "falsehood_only": _summary(alone[name])}
        for name, counts in sorted(groups.items())
    }


def _summary(counts: Counter[str]) -> dict[str, Any]:
    n = sum(counts.values())
    queued = counts[REVIEW] + counts[URGENT]
    return {
        "posts": n,
        "bands": dict(sorted(counts.items())),
        "review_or_urgent": round(queued / n, 4) if n else 0.0,
        "urgent": round(counts[URGENT] / n, 4) if n else 0.0,
    }


def read_posts(path: Path) -> list[PostIn]:
    """JSONL with `id` and `text` (and optionally `lang`, the platform's hint)."""
    posts: list[PostIn] = []
    for line, raw in read_json_lines(path):
        try:
            row_id = str(raw.get("id") or f"row-{line - 1}")
            posts.append(PostIn(id=row_id, text=raw.get("text"), lang=raw.get("lang")))
        except ValidationError as exc:
            raise schema_refusal(path, Msg("line {line}", line=line), exc) from exc
    if not posts:
        raise Invalid(
            Msg("{path}: no posts (one JSON object a line, with id and text)", path=str(path))
        )
    return posts


def default_signals() -> IntakeSignals:
    """The shipped matcher over the bundled claims and the shipped check-worthiness head (and,
    with a Chinese model shipped, the Chinese matcher over the bundled Chinese claims)."""
    from claims.library_service import FixedLibrary, bundled_claims
    from claims.matching.model import default_parts
    from claims.matching.zh import is_not_chinese
    from classifier.checkworthiness import load_checkworthiness
    from pipeline.signals_zh import with_chinese_signals

    parts = default_parts()
    library = FixedLibrary(parts, bundled_claims(), keep=is_not_chinese)
    try:
        checker = load_checkworthiness(embedder=parts.embedder)
    except FileNotFoundError:
        checker = None
    return with_chinese_signals(IntakeSignals(library, checker))


def run(args: argparse.Namespace) -> int:
    from classifier.serving.loader import MODEL_FILE, has_model, load_classifier
    from classifier.serving.routed import with_chinese

    policy = RoutingPolicy()
    if args.policy is not None:
        try:
            body = RoutingPolicyBody.model_validate(read_json(args.policy))
        except ValidationError as exc:
            raise schema_refusal(args.policy, Msg("routing policy"), exc) from exc
        policy = RoutingPolicy.from_body(body.model_dump(), args.policy.name)
    posts = read_posts(args.input)
    if args.model_dir is not None and not has_model(args.model_dir):
        raise Invalid(
            Msg(
                "--model-dir {path} has no model ({file})",
                path=str(args.model_dir),
                file=MODEL_FILE,
            )
        )
    if args.per_post is not None:  # refused before the posts are scored, not after
        output_file(args.per_post, inputs=[args.input, args.policy])
    classifier = with_chinese(load_classifier(args.model_dir))
    rows = triage_bands(posts, classifier, default_signals(), policy)
    if args.per_post is not None:
        with writing(args.per_post), replaced(args.per_post) as out:
            for row in rows:
                out.write(json.dumps(row.to_json(policy), ensure_ascii=False) + "\n")
    print(json.dumps({"input": str(args.input), "policy": policy.version, **rates(rows)}, indent=2))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "triage-rates", help="how often posts (JSONL) would go to review or urgent at intake"
    )
    p.add_argument("--input", type=Path, required=True, help="JSONL: id, text, optional lang")
    p.add_argument("--model-dir", type=Path, default=None, help="the falsehood model")
    p.add_argument("--policy", type=Path, default=None, help="a routing policy body (JSON)")
    p.add_argument(
        "--per-post", type=Path, default=None, help="also write each post's band, rule and signals"
    )
    p.set_defaults(handler=lambda _rt, args: run(args), needs_db=False)
