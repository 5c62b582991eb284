"""The routing policy as an HTML form: one field per setting, parsed back into the API's schema.

Validation is `pipeline.schemas.RoutingPolicyBody`'s; this module only turns form strings into
the JSON shape that schema reads, and says which field a bad value came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from pipeline.schemas import RoutingPolicyBody
from pipeline.triage import LEVELS
from review_ui.i18n import Msg


@dataclass(frozen=True)
class PolicyField:
    name: str  # dotted path into the policy body, e.g. "sla_hours.urgent"
    label: str
    kind: str  # float | int | bool | level | optional_float
    help: str = ""

    @property
    def html_id(self) -> str:
        return "policy-" + self.name.replace(".", "-").replace("_", "-")


FIELDS = (
    PolicyField("band_routes.ignore", Msg("Model band “ignore” goes to"), "level"),
    PolicyField("band_routes.review", Msg("Model band “review” goes to"), "level"),
    PolicyField("band_routes.urgent", Msg("Model band “urgent” goes to"), "level"),
    PolicyField(
        "claim_match_min_similarity",
        Msg("Claim match: minimum similarity"),
        "float",
        Msg("0–1 (the matcher's score): at or above, a match is confirmed and raises the post"),
    ),
    PolicyField(
        "claim_match_suggest_similarity",
        Msg("Claim match: suggested at similarity"),
        "float",
        Msg("0–1; shown to reviewers, and the post counts as making a known claim"),
    ),
    PolicyField(
        "claim_match_min_dense",
        Msg("Claim match: confirmed also needs"),
        "optional_float",
        Msg(
            "0–1 on the matcher's score without word overlap, which a small library does not raise; blank: no such condition"
        ),
    ),
    PolicyField("claim_match_route", Msg("Claim match: raise to at least"), "level"),
    PolicyField(
        "checkworthiness_min",
        Msg("Check-worthiness: queue at least"),
        "float",
        Msg("0–1; below it, a post with no claim match is not queued"),
    ),
    PolicyField(
        "checkworthiness_urgent_min",
        Msg("Check-worthiness: urgent at least"),
        "float",
        Msg("0–1; below it, an urgent post without a confirmed match goes to review"),
    ),
    PolicyField(
        "unsupported_language_route",
        Msg("A language with no model goes to"),
        "level",
        Msg("posts no falsehood model can read (today: neither English nor Chinese)"),
    ),
    PolicyField(
        "urgent_velocity",
        Msg("Urgent at reach per hour"),
        "optional_float",
        Msg("views + 5 × shares per hour; blank turns the rule off"),
    ),
    PolicyField("sla_hours.urgent", Msg("SLA hours, urgent"), "float"),
    PolicyField("sla_hours.review", Msg("SLA hours, review"), "float"),
    PolicyField("risk_weight.urgent", Msg("Priority weight, urgent"), "float"),
    PolicyField("risk_weight.review", Msg("Priority weight, review"), "float"),
    PolicyField("reach_weight", Msg("Priority weight of reach"), "float"),
    PolicyField(
        "high_reach_views", Msg("Second reviewer for removals at views"), "int", Msg("whole number")
    ),
    PolicyField("second_review_enabled", Msg("Second review of high-reach removals"), "bool"),
    PolicyField(
        "reduce_reach_pending_review",
        Msg("Reduce reach of near-certain posts while queued"),
        "bool",
    ),
    PolicyField("reduce_reach_min_score", Msg("Near-certain: score at least"), "float", Msg("0–1")),
    PolicyField(
        "reduce_reach_min_similarity",
        Msg("Near-certain: claim similarity at least"),
        "float",
        Msg("0–1"),
    ),
)
LEVEL_CHOICES = LEVELS


class PolicyFormError(ValueError):
    """A value the form cannot turn into a policy; the message names the field."""


def flatten(body: dict[str, Any]) -> dict[str, str]:
    """Form values (strings) for a policy body."""
    values: dict[str, str] = {}
    for f in FIELDS:
        head, _, tail = f.name.partition(".")
        raw = body.get(head)
        value = raw.get(tail) if tail and isinstance(raw, dict) else raw
        if f.kind == "bool":
            values[f.name] = "on" if value else ""
        else:
            values[f.name] = "" if value is None else _plain(value)
    return values


def _plain(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _convert(f: PolicyField, raw: str) -> object:
    text = raw.strip()
    if f.kind == "bool":
        return text in {"on", "true", "1"}
    if f.kind == "level":
        if text not in LEVEL_CHOICES:
            raise PolicyFormError(f"{f.label}: choose one of {', '.join(LEVEL_CHOICES)}")
        return text
    if f.kind == "optional_float" and not text:
        return None
    try:
        return int(text) if f.kind == "int" else float(text)
    except ValueError:
        kind = "a whole number" if f.kind == "int" else "a number"
        raise PolicyFormError(f"{f.label}: {text or 'nothing'!r} is not {kind}") from None


def parse(form: dict[str, str]) -> RoutingPolicyBody:
    """The candidate policy in a submitted form; PolicyFormError says what is wrong."""
    body: dict[str, Any] = {}
    for f in FIELDS:
        value = _convert(f, form.get(f.name, ""))
        head, _, tail = f.name.partition(".")
        if tail:
            body.setdefault(head, {})[tail] = value
        else:
            body[head] = value
    try:
        return RoutingPolicyBody.model_validate(body)
    except ValidationError as exc:
        raise PolicyFormError(describe(exc)) from exc


def describe(exc: ValidationError) -> str:
    labels = {f.name: f.label for f in FIELDS}
    messages = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        label = labels.get(where) or labels.get(where.split(".")[0]) or where
        text = str(err["msg"]).removeprefix("Value error, ")
        messages.append(f"{label}: {text}" if label else text)
    return "; ".join(messages)
