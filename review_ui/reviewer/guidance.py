"""What the reviewer reads beside a case: why the router queued it, what the policy says about
each decision, and the model's reason phrases as readable sentences with a legend.

The policy text is configuration (one typed place, read by the case page only); its numbers
come from the active routing policy, so the page never states a threshold the router does not
apply.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.routing import RoutingPolicy
from review_ui.i18n import Msg

RULES = {
    "band": Msg("The falsehood model's score put the post in this band."),
    "claim_match": Msg(
        "The post matches a claim the library marks false or misleading, which "
        "raises it to at least the match route."
    ),
    "checkworthiness": Msg(
        "The post reads as false but makes a weak checkable claim, so it was "
        "lowered from urgent to review."
    ),
    "reach": Msg(
        "The post is spreading fast (at least {velocity:,.0f} views an hour), which raises "
        "it to urgent."
    ),
    "language": Msg("No falsehood model covers the post's language; read it yourself."),
}
STAGES = {
    "second": Msg(
        "Second review of a high-reach removal (at least {views:,} views). Decide on your "
        "own: the first reviewer's verdict is hidden. If you disagree, a senior reviewer decides."
    ),
    "qa": Msg(
        "Quality sample: a decided case drawn at random for a blind re-review. Your verdict "
        "is compared with the original and changes nothing on the platform."
    ),
    "escalated": Msg("Handed on to your role; the history below has every step."),
    "appeal": Msg("Appeal: the author contests an action in effect. No action restores the post."),
}
GUIDANCE = (
    (
        Msg("False claim"),
        Msg(
            "A checkable statement of fact that reliable fact-checks rate false, "
            "likely to cause harm. Remove when harm is serious or reach is high; otherwise label."
        ),
    ),
    (
        Msg("Misleading context"),
        Msg(
            "True material framed to mislead (old photo, cut quote). Label with "
            "the missing context in the note."
        ),
    ),
    (Msg("Manipulated media"), Msg("Edited or synthetic media presented as real. Remove.")),
    (
        Msg("Satire or opinion"),
        Msg(
            "Clearly satire, or a view rather than a fact claim: no action, or a "
            "label if readers are likely to be misled."
        ),
    ),
    (
        Msg("Not misinformation"),
        Msg("No false claim: no action (the only action this reason allows)."),
    ),
    (
        Msg("Geo-restrict"),
        Msg("Lawful in general but illegal in named countries: give the ISO codes."),
    ),
    (
        Msg("Escalate"),
        Msg(
            "Legal risk, public-figure or election cases, threats, or anything you are "
            "unsure of: write why in the note, then escalate."
        ),
    ),
)
LEGEND = Msg(
    "The model explains its falsehood score with the phrases of the post that moved it most, "
    "shown in their sentence. ▲ pushed the score toward “likely false”, ▼ toward “likely "
    "fine”; the number is the phrase's weight in the explanation (strong: 0.10 or more, "
    "moderate: 0.03 or more, else slight). A phrase is a clue to read, not evidence: the "
    "model may weigh word fragments, and the decision is yours."
)


@dataclass(frozen=True)
class ReasonLine:
    phrase: str
    before: str  # words of the post around the phrase, so a fragment reads in context
    after: str
    weight: float

    @property
    def direction(self) -> str:
        return Msg("toward likely false") if self.weight > 0 else Msg("toward likely fine")

    @property
    def strength(self) -> str:
        size = abs(self.weight)
        return Msg("strong") if size >= 0.10 else Msg("moderate") if size >= 0.03 else Msg("slight")

    @property
    def kind(self) -> str:
        return "raises" if self.weight > 0 else "lowers"


_BEFORE = re.compile(r"(?:\S+\s+){0,4}\S*$")
_AFTER = re.compile(r"^\S*(?:\s+\S+){0,4}")


def _around(text: str, start: int, end: int) -> tuple[str, str]:
    """Up to four words either side, spacing kept, "…" where the post goes on."""
    head, tail = text[:start], text[end:]
    before = _BEFORE.search(head)
    after = _AFTER.match(tail)
    b = before.group(0) if before else ""
    a = after.group(0) if after else ""
    return ("…" if len(b) < len(head) else "") + b, a + ("…" if len(a) < len(tail) else "")


def reason_lines(
    text: str, reasons: Sequence[Mapping[str, object]], limit: int = 8
) -> list[ReasonLine]:
    lines = []
    for reason in reasons[:limit]:
        phrase, weight = reason.get("phrase"), reason.get("weight")
        if not isinstance(phrase, str) or not phrase.strip() or not isinstance(weight, int | float):
            continue
        found = re.search(re.escape(phrase.strip()), text, re.IGNORECASE)
        if found is None:
            lines.append(ReasonLine(phrase.strip(), "", "", float(weight)))
            continue
        before, after = _around(text, found.start(), found.end())
        lines.append(ReasonLine(found.group(0), before, after, float(weight)))
    return lines


@dataclass(frozen=True)
class CaseGuidance:
    queued_because: str
    band_text: str
    stage_text: str
    rules: tuple[tuple[str, str], ...]


def case_guidance(
    policy: RoutingPolicy, *, band: str, rule: str | None, stage: str
) -> CaseGuidance:
    hours = policy.sla.get(band)
    sla = Msg(" Its SLA is {hours:g} hours.", hours=hours.total_seconds() / 3600) if hours else ""
    because = Msg(RULES.get(rule or "band", RULES["band"]), velocity=policy.urgent_velocity or 0)
    return CaseGuidance(
        queued_because=because,
        band_text=Msg(
            "Band {band} under routing policy {version}.{sla}",
            band=band,
            version=policy.version,
            sla=sla,
        ),
        stage_text=Msg(STAGES.get(stage, ""), views=policy.high_reach_views),
        rules=GUIDANCE,
    )
