"""Shapes crossing the pipeline's edges: posts coming in, results and decisions going out."""

from __future__ import annotations

import enum
import re
from datetime import MAXYEAR, UTC, datetime, timedelta
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from claims.matching.model import shipped_thresholds
from classifier.serving.text_guard import normalise
from core.clock import utcnow
from core.outbound import is_web_link
from core.web_schemas import StrictIn
from pipeline.routing import CHECKWORTHINESS_MIN, CHECKWORTHINESS_URGENT_MIN

MAX_BATCH = 256
MAX_TEXT_CHARS = 20_000
MAX_COUNT = 2**31 - 1  # the columns are 32-bit INTEGER on PostgreSQL
# When a post can have been made: not before 2000, and not more than a day ahead of this
# server's clock (a platform's clock may run a little ahead; a year 9999 is a bug or a forgery).
EARLIEST_POST = datetime(2000, 1, 1, tzinfo=UTC)
CLOCK_SLACK = timedelta(days=1)
_ISO_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


class PostIn(StrictIn):
    model_config = ConfigDict(str_strip_whitespace=False)

    id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$")
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    author_id: str | None = Field(default=None, max_length=128)
    author_name: str | None = Field(
        default=None,
        max_length=200,
        description="The author's shown name; claim matching uses it (claims are often about "
        "who said something).",
    )
    created_at: datetime | None = Field(
        default=None,
        description="ISO 8601 with a UTC offset (2026-11-25T10:00:00Z), from 2000-01-01 to a "
        "day past the server's time; no epoch numbers",
    )
    lang: str | None = Field(default=None, max_length=16)
    region: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$",
        description="ISO 3166 code of where the post was made (DE, US-CA); incidents grade "
        "spread by the regions their posts come from (the language when absent).",
    )
    url: str | None = Field(
        default=None, max_length=2048, description="the post on the platform; http(s) only"
    )
    # strict: "10" and true are not counts (lax mode read them as 10 and 1)
    views: int = Field(default=0, ge=0, le=MAX_COUNT, strict=True)
    shares: int = Field(default=0, ge=0, le=MAX_COUNT, strict=True)
    author_followers: int = Field(default=0, ge=0, le=MAX_COUNT, strict=True)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str, info: ValidationInfo) -> str:
        if not normalise(value):  # what the classifier reads (a 500 once, at scoring)
            raise ValueError(
                f"text of post {info.data.get('id', '?')!r} is empty: only whitespace or "
                "zero-width characters"
            )
        return value

    @field_validator("created_at", mode="before")
    @classmethod
    def _iso_text(cls, value: object) -> object:
        """Only ISO 8601 text: lax parsing read a number as seconds or milliseconds by size."""
        if value is None or isinstance(value, datetime):  # a Python caller's own datetime
            return value
        if not isinstance(value, str) or not _ISO_DATE_TIME.match(value):
            raise ValueError(
                "created_at must be an ISO 8601 date and time with its UTC offset "
                "(e.g. 2026-11-25T10:00:00Z); epoch numbers are not accepted"
            )
        return value

    @field_validator("created_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("created_at needs a timezone (e.g. 2026-11-25T10:00:00Z)")
        return value if value is None else _plausible(value)

    @field_validator("url")
    @classmethod
    def _web_link(cls, value: str | None) -> str | None:
        if value is not None and not is_web_link(value):  # what a page may render as a link
            raise ValueError("url must be an absolute http(s) URL (https://platform.example/…)")
        return value


def _plausible(value: datetime) -> datetime:
    """`value` when a post can have been made then (see EARLIEST_POST, CLOCK_SLACK)."""
    try:
        at = value.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59:59-14:00: its UTC instant is past datetime's range
        at = (datetime.max if value.year == MAXYEAR else datetime.min).replace(tzinfo=UTC)
    if at < EARLIEST_POST:
        raise ValueError(f"created_at {value.isoformat()} is before 2000-01-01")
    if at > (now := utcnow()) + CLOCK_SLACK:
        raise ValueError(
            f"created_at {value.isoformat()} is in the future: more than a day after the "
            f"server's time, {now:%Y-%m-%dT%H:%MZ}"
        )
    return value


class ScoreRequest(StrictIn):
    posts: list[PostIn] = Field(min_length=1, max_length=MAX_BATCH)

    @model_validator(mode="after")
    def _unique_ids(self) -> ScoreRequest:
        seen: set[str] = set()
        dupes = sorted({p.id for p in self.posts if p.id in seen or seen.add(p.id)})  # type: ignore[func-returns-value]
        if dupes:
            raise ValueError(f"duplicate post ids in one batch: {', '.join(dupes[:10])}")
        return self


class ReasonOut(BaseModel):
    phrase: str
    weight: float


class ClaimMatchOut(BaseModel):
    claim_id: str
    similarity: float = Field(description="the claim matcher's fused score, about 0..1")
    status: str = Field(description="suggested or confirmed, by the routing policy's thresholds")
    verdict: str = Field(description="the claim's fact-check verdict")


class ScoreOut(BaseModel):
    id: str
    score: float = Field(description="calibrated probability that the post is false (unchanged)")
    band: str = Field(
        description="the triage band: ignore, review, urgent or unsupported_language "
        "(falsehood, check-worthiness, claim matches and language together)"
    )
    checkworthiness: float | None = Field(
        default=None, description="0..1, calibrated; null when no model measured it"
    )
    claim_matches: list[ClaimMatchOut] = Field(default_factory=list)
    detected_lang: str | None = None
    model_version: str
    reasons: list[ReasonOut]
    flags: list[str]
    case_opened: bool
    status: str
    cached: bool


class ScoreResponse(BaseModel):
    results: list[ScoreOut]


class ReasonCode(enum.StrEnum):
    FALSE_CLAIM = "false_claim"
    MISLEADING_CONTEXT = "misleading_context"
    MANIPULATED_MEDIA = "manipulated_media"
    SATIRE_OR_OPINION = "satire_or_opinion"
    NOT_MISINFORMATION = "not_misinformation"
    OTHER = "other"


class DecisionAction(enum.StrEnum):
    REMOVE = "remove"
    LABEL = "label"
    REDUCE_REACH = "reduce_reach"
    GEO_RESTRICT = "geo_restrict"
    NO_ACTION = "no_action"


class DecisionIn(StrictIn):
    reason_code: ReasonCode
    action: DecisionAction
    note: str = Field(default="", max_length=5000)
    territories: list[str] = Field(default_factory=list, max_length=250)
    claim_id: str | None = Field(default=None, max_length=64)  # the debunked claim, if any
    # For the DSA statement of reasons: the facts the author is told (default: from the
    # reason code) and, when the content is illegal, the law it breaks.
    public_facts: str = Field(default="", max_length=2000)
    legal_ground: str = Field(default="", max_length=500)

    @field_validator("territories")
    @classmethod
    def _iso_codes(cls, value: list[str]) -> list[str]:
        for code in value:
            if len(code) != 2 or not code.isalpha() or not code.isupper():
                raise ValueError(f"territory {code!r} is not an ISO 3166-1 alpha-2 code")
        return value


_LEVELS = ("ignore", "review", "urgent")  # pipeline.triage.LEVELS
MAX_WEIGHT = 1e6  # priority weights; the shipped ones are 5 to 100
MAX_SLA_HOURS = 24 * 365.0
MAX_VELOCITY = 1e12  # reach per hour; 32-bit view and share counts stay far below
_QUEUED = ("review", "urgent")


class RoutingPolicyBody(StrictIn):
    """A routing policy as admins edit it (see `pipeline/routing.py` for what each field does)."""

    # Infinity, NaN and 1e308 parse as floats but break routing (inf priorities, timedelta
    # overflow) and PostgreSQL's jsonb: only finite numbers within sane ranges are a policy.
    model_config = ConfigDict(allow_inf_nan=False)

    risk_weight: dict[str, Annotated[float, Field(le=MAX_WEIGHT)]]
    reach_weight: float = Field(ge=0, le=MAX_WEIGHT)
    sla_hours: dict[str, Annotated[float, Field(le=MAX_SLA_HOURS)]]
    high_reach_views: int = Field(ge=0, le=MAX_COUNT)
    second_review_enabled: bool = True
    band_routes: dict[str, str]
    claim_match_min_similarity: float = Field(ge=0, le=1)  # confirmed
    claim_match_suggest_similarity: float = Field(
        default_factory=lambda: shipped_thresholds().suggest, ge=0, le=1
    )
    claim_match_min_dense: float | None = Field(
        default_factory=lambda: shipped_thresholds().confirmed_dense, ge=0, le=1
    )
    claim_match_route: str
    checkworthiness_min: float = Field(default=CHECKWORTHINESS_MIN, ge=0, le=1)
    checkworthiness_urgent_min: float = Field(default=CHECKWORTHINESS_URGENT_MIN, ge=0, le=1)
    unsupported_language_route: str = "ignore"
    urgent_velocity: float | None = Field(default=None, gt=0, le=MAX_VELOCITY)
    reduce_reach_pending_review: bool = False
    reduce_reach_min_score: float = Field(default=0.97, ge=0, le=1)
    reduce_reach_min_similarity: float = Field(default=0.95, ge=0, le=1)

    @model_validator(mode="after")
    def _consistent(self) -> RoutingPolicyBody:
        if set(self.band_routes) != set(_LEVELS):
            raise ValueError(f"band_routes needs exactly the bands {list(_LEVELS)}")
        bad = sorted(
            v
            for v in [
                *self.band_routes.values(),
                self.claim_match_route,
                self.unsupported_language_route,
            ]
            if v not in _LEVELS
        )
        if bad:
            raise ValueError(f"routes must be one of {list(_LEVELS)}, got {bad}")
        for name, table in (("risk_weight", self.risk_weight), ("sla_hours", self.sla_hours)):
            if set(table) != set(_QUEUED):
                raise ValueError(f"{name} needs exactly the levels {list(_QUEUED)}")
            if any(v <= 0 for v in table.values()):
                raise ValueError(f"{name} values must be positive")
        if self.claim_match_suggest_similarity > self.claim_match_min_similarity:
            raise ValueError(
                "claim_match_suggest_similarity must not exceed claim_match_min_similarity"
            )
        if self.checkworthiness_min > self.checkworthiness_urgent_min:
            raise ValueError("checkworthiness_min must not exceed checkworthiness_urgent_min")
        return self


class PolicyUpdate(StrictIn):
    policy: RoutingPolicyBody
    note: str = Field(default="", max_length=2000)
