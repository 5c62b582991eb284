"""Drills: replay a labelled wave through the real HTTP API as drill data, optionally with
simulated reviewers and a simulated statement, then score the response.

CSV columns: `id`, `text`, `label` (1 = part of the wave, 0 = background), and optional
`views`, `shares`, `lang`, `region`, `created_at`. Drill posts go to `POST /v1/drills/score`, which marks
posts, their cases and their action-log events `is_drill` (excluded from the reviewers' queue,
dashboards, metrics, exports and training labels). A drill is a tenant of its own: its
simulated reviewers claim and decide only drill cases (`/v1/drills/cases/*`).
"""

from __future__ import annotations

import csv
import io
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from pydantic import ValidationError
from sqlalchemy.orm import Session
from tqdm import tqdm  # type: ignore[import-untyped]

from audit.events import Action
from core.clock import utcnow
from core.errors import Conflict, Invalid
from core.messages import Msg
from core.user_files import read_text, schema_refusal
from incidents.repository import drills
from pipeline.schemas import PostIn

BATCH = 50


@dataclass(frozen=True)
class DrillPost:
    id: str
    text: str
    label: bool
    extra: dict[str, Any] = field(default_factory=dict)


def read_posts(path: Path) -> list[DrillPost]:
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""))
    missing = {"id", "text", "label"} - set(reader.fieldnames or [])
    if missing:
        raise Invalid(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    posts: list[DrillPost] = []
    lines: dict[str, int] = {}  # each id's line: a repeated id is refused by both lines
    for row in reader:
        post = _drill_post(path, reader.line_num, row)
        if post.id in lines:
            raise Invalid(
                f"{path}: line {reader.line_num}: id '{post.id}' is already used on line "
                f"{lines[post.id]}"
            )
        lines[post.id] = reader.line_num
        posts.append(post)
    if not posts:
        raise Invalid(f"{path}: no posts, only the header row (a drill needs at least one post)")
    return posts


def check_posts(posts: Sequence[DrillPost]) -> None:
    """A drill of no posts would start, log and score a run of nothing: refused before it starts."""
    if not posts:
        raise Invalid(Msg("the drill has no posts to replay"), code="no_drill_posts")


def with_prefix(posts: Sequence[DrillPost], prefix: str) -> list[DrillPost]:
    """The wave under new post ids (`prefix` + id), to run it again as a new drill; a prefix
    that makes an id the API refuses is refused now, before the drill starts."""
    renamed = [replace(p, id=prefix + p.id) for p in posts]
    if prefix and renamed:  # the ids were checked unprefixed: the longest tells for them all
        longest = max(renamed, key=lambda p: len(p.id)).id
        try:
            PostIn.model_validate({"id": longest, "text": "-"})
        except ValidationError as exc:
            raise Invalid(
                f"--id-prefix '{prefix}' makes post id '{longest}' one the API refuses: "
                f"{exc.errors()[0]['msg']}"
            ) from exc
    return renamed


def _drill_post(path: Path, line: int, row: dict[str, str | None]) -> DrillPost:
    """One CSV row; a short row, a label other than 1 or 0, a count that is not a whole number
    or a post the API would refuse (checked here, before the drill starts and is logged) is
    refused by its line."""
    if row.get("id") is None or row.get("text") is None or row.get("label") is None:
        raise Invalid(f"{path}: line {line} has fewer columns than the header")
    label = str(row["label"]).strip()
    if label not in ("0", "1"):  # anything else was read as background, silently
        raise Invalid(
            f"{path}: line {line}: label must be 1 (part of the wave) or 0 (background), "
            f"not '{label}'"
        )
    extra: dict[str, Any] = {}
    for key in ("views", "shares"):
        if value := (row.get(key) or "").strip():
            if not value.isdigit():
                raise Invalid(f"{path}: line {line}: {key} must be a whole number, not '{value}'")
            extra[key] = int(value)
    for key in ("lang", "region", "created_at"):
        if row.get(key):
            extra[key] = row[key]
    post = DrillPost(str(row["id"]), str(row["text"]), label == "1", extra)
    if "\x00" in post.text:
        raise Invalid(f"{path}: line {line}: text contains a NUL character (U+0000)")
    try:
        PostIn.model_validate({"id": post.id, "text": post.text, **extra})
    except ValidationError as exc:
        raise schema_refusal(path, Msg("line {line}", line=line), exc) from exc
    return post


def check_rate(rate: float) -> None:
    if not (rate > 0 and math.isfinite(rate)):
        raise Invalid(Msg("--rate must be positive (posts per second), not {rate}", rate=rate))


def send_posts(
    client: httpx.Client,
    api_key: str,
    posts: Sequence[DrillPost],
    rate: float,
    *,
    progress: bool = True,
    between_batches: Callable[[], None] | None = None,
) -> datetime:
    """POST the posts in batches at about `rate` posts per second; returns the start time."""
    check_rate(rate)
    started = utcnow()
    clock = time.monotonic()
    headers = {"Authorization": f"Bearer {api_key}"}
    batch = max(1, min(BATCH, int(rate)))
    with tqdm(total=len(posts), disable=not progress, unit="post") as bar:
        for start in range(0, len(posts), batch):
            chunk = posts[start : start + batch]
            body = {"posts": [{"id": p.id, "text": p.text, **p.extra} for p in chunk]}
            response = client.post("/v1/drills/score", json=body, headers=headers)
            if response.is_error:  # e.g. 409: the wave reuses a real post's id
                raise Invalid(f"the drill's posts were refused: {_refusal(response)}")
            bar.update(len(chunk))
            if between_batches:
                between_batches()
            wait = clock + (start + len(chunk)) / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
    return started


def _refusal(response: httpx.Response) -> str:
    """The API's refusal message, or the status line when the body is not the API's."""
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status_code} {response.reason_phrase}"


def simulate_reviewers(
    client: httpx.Client, api_key: str, labels: dict[str, bool], max_cases: int = 10_000
) -> int:
    """A reviewer who knows the truth: removes wave posts, leaves background ones. It works
    through the drill's own queue (`/v1/drills/cases/*`), so it never sees a real case, and
    decides only this run's posts (`labels`): another drill's case is put back for that drill
    (the queue does not offer it to this reviewer again for a while), unless that drill closed
    it meanwhile (stopped by Ctrl-C: `drill_queue.close_drill_cases`)."""
    headers = {"Authorization": f"Bearer {api_key}"}
    decided = 0
    while decided < max_cases:
        response = client.post("/v1/drills/cases/claim", headers=headers)
        response.raise_for_status()
        case = response.json().get("case")
        if not case:
            return decided
        if case["post"]["id"] not in labels:
            put_back = client.post(f"/v1/drills/cases/{case['id']}/release", headers=headers)
            if put_back.status_code != 409:  # 409: its drill, interrupted, closed it meanwhile
                put_back.raise_for_status()
            continue
        wave = labels[case["post"]["id"]]
        body = (
            {"reason_code": "false_claim", "action": "remove", "note": "drill"}
            if wave
            else {"reason_code": "not_misinformation", "action": "no_action", "note": "drill"}
        )
        client.post(f"/v1/drills/cases/{case['id']}/decision", json=body, headers=headers)
        decided += 1
    return decided


@dataclass
class DrillScore:
    posts: int
    wave_posts: int
    detected: int
    grouped: int
    recall: float
    precision: float
    incidents: list[str]
    grade_reached: int | None
    median_s_to_queue: float | None
    median_s_to_decision: float | None
    s_to_statement: float | None
    s_to_detect: float | None


def refuse_sent_posts(session: Session, posts: Sequence[DrillPost]) -> None:
    """A wave's posts are scored once: ids an earlier drill already sent are refused, since
    their incident, cases and timings belong to that drill."""
    sent = drills.drill_posts_sent(session, [p.id for p in posts])
    if sent:
        raise Conflict(
            Msg(
                "{count} post id(s) of this wave ({ids}) were sent by an earlier drill; run it "
                "again under new ids, e.g. veracity drill --id-prefix run2- ...",
                count=len(sent),
                ids=", ".join(sent[:5]) + (", ..." if len(sent) > 5 else ""),
            ),
            code="drill_posts_sent",
        )


def score_drill(session: Session, posts: Sequence[DrillPost], started: datetime) -> DrillScore:
    """The run's own score: the drill incidents that took in its posts (opened by them or
    joined by them), and the timings of its posts' events since it started."""
    ids = [p.id for p in posts]
    wave = {p.id for p in posts if p.label}
    incidents = drills.drill_incidents_of_posts(session, ids)
    incident_ids = [i.id for i in incidents]
    grouped = drills.grouped_post_ids(session, incident_ids, ids)
    events = drills.drill_events_of_posts(session, ids, started)
    first: dict[tuple[str, str], datetime] = {}
    for e in events:
        first.setdefault((e.action, e.post_id or ""), e.timestamp)

    def median_delay(action: Action) -> float | None:
        delays = [
            (at - first[(Action.POST_SCORED.value, pid)]).total_seconds()
            for (name, pid), at in first.items()
            if name == action.value and (Action.POST_SCORED.value, pid) in first
        ]
        return round(statistics.median(delays), 3) if delays else None

    statement = drills.first_milestone_at(session, incident_ids, started)
    seen = drills.first_seen_in(session, incident_ids, ids)
    # An incident opened by an earlier wave detected this one when its first post was seen.
    detected_at = [max(i.opened_at, seen.get(i.id, i.opened_at)) for i in incidents]
    detected = len(grouped & wave)
    return DrillScore(
        posts=len(posts),
        wave_posts=len(wave),
        detected=detected,
        grouped=len(grouped),
        recall=round(detected / len(wave), 4) if wave else 0.0,
        precision=round(detected / len(grouped), 4) if grouped else 0.0,
        incidents=incident_ids,
        grade_reached=min((i.grade for i in incidents), default=None),
        median_s_to_queue=median_delay(Action.CASE_QUEUED),
        median_s_to_decision=median_delay(Action.CASE_DECIDED),
        s_to_statement=_seconds(statement, started),
        s_to_detect=_seconds(min(detected_at, default=None), started),
    )


def _seconds(at: datetime | None, started: datetime) -> float | None:
    return round((at - started).total_seconds(), 3) if at else None
