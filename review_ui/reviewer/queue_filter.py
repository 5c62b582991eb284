"""The reviewer's queue filter (language, topic): chosen on the overview, kept in a cookie so
`n` on a case or decision page keeps taking cases of the same kind."""

from __future__ import annotations

import json
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from core.topics import topic_names
from pipeline.queue import QueueFilter
from pipeline.repository.cases import live_languages

COOKIE = "veracity_queue_filter"


@dataclass(frozen=True)
class FilterChoices:
    languages: list[str]
    topics: list[str]


def choices(session: Session) -> FilterChoices:
    """Languages of the live cases (waiting, escalated, held, in QA); the incident policy's
    topics plus general."""
    return FilterChoices(live_languages(session), topic_names())


def from_form(lang: str, topic: str) -> QueueFilter:
    """Raises ValueError for a language that is not a code or a topic the policy lacks."""
    lang = lang.strip().lower()
    if lang and not (lang.replace("-", "").isalpha() and lang.isascii()):
        raise ValueError(f"{lang[:16]!r} is not a language code")
    if topic and topic not in topic_names():
        raise ValueError(f"{topic[:32]!r} is not a topic")
    return QueueFilter(lang=lang or None, topic=topic or None)


def from_cookie(request: Request) -> QueueFilter:
    try:
        stored = json.loads(request.cookies.get(COOKIE, "{}"))
    except ValueError:
        return QueueFilter()
    if not isinstance(stored, dict):
        return QueueFilter()
    try:
        return from_form(str(stored.get("lang") or ""), str(stored.get("topic") or ""))
    except ValueError:  # a cookie from an older topic list: take any case
        return QueueFilter()


def remember(response: Response, chosen: QueueFilter) -> Response:
    value = json.dumps({"lang": chosen.lang, "topic": chosen.topic}, separators=(",", ":"))
    response.set_cookie(COOKIE, value, httponly=True, samesite="strict", path="/ui/review")
    return response


def is_set(chosen: QueueFilter) -> bool:
    return bool(chosen.lang or chosen.topic)
