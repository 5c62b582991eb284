"""Verdicts as labelled examples for retraining: machine and human verdicts in one row shape.

Each row: post_id, text, lang, source (machine | human), decider, label (1 = misinformation,
0 = not, None = undetermined), verdict (a band or a reason code), action, score,
model_version, claim_id, decided_at. Human labels outrank machine ones when training; keeping
both side by side gives the classifier a growing evaluation set. Drill posts (and the drill's
simulated reviewers' verdicts) are left out unless asked for: they are not ground truth.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from core.user_files import replaced
from pipeline.models import Decision, Post, Score
from pipeline.repository.posts import with_posts

FALSE_REASONS = frozenset({"false_claim", "misleading_context", "manipulated_media"})
TRUE_REASONS = frozenset({"satire_or_opinion", "not_misinformation"})
SOURCES = ("human", "machine", "all")


def human_label(reason_code: str) -> int | None:
    if reason_code in FALSE_REASONS:
        return 1
    return 0 if reason_code in TRUE_REASONS else None


def _row(post: Post, **fields: Any) -> dict[str, Any]:
    return {"post_id": post.id, "text": post.text, "lang": post.lang, **fields}


def human_rows(
    session: Session, since: datetime | None = None, *, include_drills: bool = False
) -> Iterator[dict[str, Any]]:
    for decision, post in with_posts(session, Decision, since, include_drills=include_drills):
        yield _row(
            post,
            source=decision.decider_type,
            decider=decision.decided_by,
            label=human_label(decision.reason_code),
            verdict=decision.reason_code,
            action=decision.action,
            score=None,
            model_version=None,
            claim_id=decision.claim_id,
            decided_at=decision.created_at.isoformat(),
        )


def machine_rows(
    session: Session, since: datetime | None = None, *, include_drills: bool = False
) -> Iterator[dict[str, Any]]:
    for score, post in with_posts(session, Score, since, include_drills=include_drills):
        yield _row(
            post,
            source="machine",
            decider=score.model_version,
            label=int(score.band != "ignore"),
            verdict=score.band,
            action=None,
            score=score.score,
            model_version=score.model_version,
            claim_id=None,
            decided_at=score.created_at.isoformat(),
        )


def export_labels(
    session: Session,
    out: Path,
    *,
    source: str = "human",
    since: datetime | None = None,
    include_drills: bool = False,
) -> int:
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}")
    written = 0
    with replaced(out) as fh:
        if source in ("human", "all"):
            for row in human_rows(session, since, include_drills=include_drills):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                written += 1
        if source in ("machine", "all"):
            for row in machine_rows(session, since, include_drills=include_drills):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                written += 1
    return written
