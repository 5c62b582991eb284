"""The triage band: falsehood, check-worthiness, claim matches and language in one pure rule.

`triage_band` is what `pipeline/routing.py` documents as steps 1-4; it reads only the stored
signals of one score (`Signals`) and a routing policy, so intake, the routing task and the
admin policy preview give the same answer for the same post.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from claims.matching.fusion import MatchThresholds
from classifier.language import measures_checkworthiness, model_language, trusts_suggested_matches

if TYPE_CHECKING:
    from pipeline.models import Score
    from pipeline.routing import RoutingPolicy

IGNORE, REVIEW, URGENT = "ignore", "review", "urgent"
UNSUPPORTED_LANGUAGE = "unsupported_language"
LEVELS = (IGNORE, REVIEW, URGENT)  # in rising order
DEBUNKED = frozenset({"false", "misleading"})
SUGGESTED, CONFIRMED = "suggested", "confirmed"
_STATUS = {"suggest": SUGGESTED, "confirmed": CONFIRMED}  # the matcher's level names
# Matches kept on a score: a few below the shipped "suggest" threshold too, so a previewed
# policy with a lower threshold sees them.
STORED_MATCHES, STORED_FLOOR = 3, 0.45


@dataclass(frozen=True)
class MatchInfo:
    """One library claim a post may repeat. `similarity` is the matcher's fused score (about
    0..1), the number its shipped thresholds are chosen on; `dense` the same without BM25
    (`claims.matching.fusion`), which a confirmed match may also need; None where not measured
    (the Chinese matcher has no BM25, older rows)."""

    claim_id: str
    similarity: float
    verdict: str
    dense: float | None = None

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "claim_id": self.claim_id,
            "similarity": self.similarity,
            "verdict": self.verdict,
        }
        if self.dense is not None:
            out["dense"] = self.dense
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> MatchInfo:
        dense = raw.get("dense")
        return cls(
            str(raw["claim_id"]),
            float(raw["similarity"]),
            str(raw["verdict"]),
            None if dense is None else float(dense),
        )

    def status(self, policy: RoutingPolicy) -> str | None:
        return match_status(self.similarity, policy, self.dense)


@dataclass(frozen=True)
class Signals:
    """What triage reads about one scored post. None means "not measured" (rows scored before
    triage existed, or no check-worthiness model): that signal then gates nothing."""

    score: float  # the falsehood model's calibrated probability
    model_band: str  # the falsehood model's own band
    checkworthiness: float | None = None
    matches: tuple[MatchInfo, ...] = ()  # best first
    lang: str | None = None  # detected language


def match_status(
    similarity: float, policy: RoutingPolicy, dense: float | None = None
) -> str | None:
    """Confirmed at the policy's similarity and, where both are known, its dense minimum (so a
    small library does not confirm what a large one would not); else suggested or nothing."""
    levels = MatchThresholds(
        suggest=policy.claim_match_suggest_similarity,
        confirmed=policy.claim_match_min_similarity,
        confirmed_dense=policy.claim_match_min_dense,
    )
    return _STATUS.get(levels.level(similarity, dense) or "")


def best_debunked(matches: Iterable[MatchInfo]) -> MatchInfo | None:
    """The closest match to a false or misleading claim."""
    return max(
        (m for m in matches if m.verdict in DEBUNKED), key=lambda m: m.similarity, default=None
    )


def raise_to(level: str, at_least: str) -> str:
    return max(level, at_least, key=LEVELS.index)


def triage_band(signals: Signals, policy: RoutingPolicy) -> tuple[str, str]:
    """(band, rule): band is ignore, review, urgent or unsupported_language."""
    if model_language(signals.lang) is None:
        return UNSUPPORTED_LANGUAGE, "language"
    level = policy.band_routes.get(signals.model_band, signals.model_band)
    debunked = best_debunked(signals.matches)
    if debunked is not None and debunked.status(policy) == CONFIRMED:
        raised = raise_to(level, policy.claim_match_route)
        return raised, ("claim_match" if raised != level else "band")
    # A suggested match may repeat a known claim, so check-worthiness does not drop the post
    # (where the matcher is fine-tuned: not in Chinese); but only a confirmed match is evidence
    # enough for urgent, so the caps below still apply.
    suggested = trusts_suggested_matches(signals.lang) and any(
        m.status(policy) for m in signals.matches
    )
    cw = signals.checkworthiness
    if cw is not None and level != IGNORE and cw < policy.checkworthiness_min and not suggested:
        return IGNORE, "not_checkworthy"
    if cw is not None and level == URGENT and cw < policy.checkworthiness_urgent_min:
        return REVIEW, "checkworthiness"
    if level == URGENT and not measures_checkworthiness(signals.lang):
        # Chinese: its check-worthiness head (when shipped) gates posts that make no claim, as
        # above, but is not trained to tell an urgent claim from an ordinary one, so the
        # falsehood score asks for review, not urgent review (a confirmed match still raises).
        return REVIEW, "checkworthiness"
    return level, "band"


def risk(signals: Signals, policy: RoutingPolicy) -> float:
    """The 0..1 risk the priority formula weighs (see `pipeline/routing.py`)."""
    value = signals.score
    if signals.checkworthiness is not None:
        value *= 0.5 + 0.5 * signals.checkworthiness
    debunked = best_debunked(signals.matches)
    if debunked is not None and debunked.status(policy) == CONFIRMED:
        value = max(value, min(debunked.similarity, 1.0))
    return value


def stored_matches(raw: Sequence[dict[str, Any]] | None) -> tuple[MatchInfo, ...]:
    return tuple(MatchInfo.from_json(m) for m in raw or ())


def flag_matches(flags: Iterable[str]) -> list[MatchInfo]:
    """Legacy `claim_match:<id>:<similarity>` score flags as matches to a debunked claim (that
    is what wrote them); other and malformed flags are passed over."""
    found: list[MatchInfo] = []
    for flag in flags:
        kind, _, rest = flag.partition(":")
        claim_id, _, similarity = rest.rpartition(":")
        if kind != "claim_match" or not claim_id:
            continue
        try:
            found.append(MatchInfo(claim_id, float(similarity), "false"))
        except ValueError:
            continue
    return found


def signals_of(score: Score, detected_lang: str | None) -> Signals:
    """A stored score's signals; legacy flags (`flag_matches`) count as matches too."""
    matches = list(stored_matches(score.claim_matches))
    known = {m.claim_id for m in matches}
    matches += [m for m in flag_matches(score.flags or ()) if m.claim_id not in known]
    matches.sort(key=lambda m: -m.similarity)
    return Signals(score.score, score.band, score.checkworthiness, tuple(matches), detected_lang)
