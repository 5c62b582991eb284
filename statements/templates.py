"""Templates per statement kind and channel, filled from the evidence.

Missing facts stay visible as a readable `[TODO: name]` marker: the placeholder check then
blocks approval until PR fills them in, instead of a template quietly inventing something.
Sentences that only make sense with a value (who rated a claim, the sources list) are left
out when the value is missing, so a claim-less draft never shows `$source_name`.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Template

from core.errors import Invalid
from core.messages import Msg
from statements.checks import CHANNEL_LIMITS, first_sentence, is_chinese
from statements.evidence import Evidence

COUNTER_WEB_BODY = """$fact $fact_rest

A claim circulating on $platform says otherwise.$rated_line$review_line

What we are doing: posts that repeat the claim now carry a note linking to this statement.

$sources_block"""

# Chinese counter-statements: chosen when the claim or the fact is written in Chinese (a post on
# a Chinese channel is answered in Chinese). The other kinds have English templates only.
COUNTER_WEB_BODY_ZH = """$fact$fact_rest

$platform 上流传的一种说法与此不符。$rated_line_zh$review_line

我们的做法：转发该说法的帖子现已附上指向本声明的提示。

$sources_block_zh"""

TEMPLATES_ZH: dict[tuple[str, str], tuple[str, str]] = {
    ("counter_statement", "web"): ("事实核查：$fact_headline", COUNTER_WEB_BODY_ZH),
    ("counter_statement", "x"): ("事实核查：$fact_headline", "$fact_short $source_url"),
    ("counter_statement", "banner"): ("事实核查", "$fact_short 了解更多：$source_url"),
}

TEMPLATES: dict[tuple[str, str], tuple[str, str]] = {
    ("counter_statement", "web"): ("Fact check: $fact_headline", COUNTER_WEB_BODY),
    ("counter_statement", "x"): ("Fact check: $fact_headline", "$fact_short $source_url"),
    ("counter_statement", "banner"): ("Fact check", "$fact_short Learn more: $source_url"),
    ("service_interruption", "web"): (
        "Service notice: $service",
        "$service is $current_status. $what_happened It started at $started_at.\n\n"
        "What you can do: $what_to_do\n\n"
        "We will post the next update by $next_update.\n\nStatus and updates: $status_url",
    ),
    ("service_interruption", "x"): (
        "Service notice: $service",
        "$service is $current_status. $what_to_do Updates: $status_url",
    ),
    ("service_interruption", "banner"): (
        "Service notice",
        "$service is $current_status. Updates: $status_url",
    ),
    ("security_incident", "web"): (
        "Security notice from $platform",
        "On $discovered_at we found $what_happened $data_affected\n\n"
        "What we have done: $what_we_did\n\nWhat you should do: $what_to_do\n\n"
        "Details and updates: $advisory_url",
    ),
    ("security_incident", "x"): (
        "Security notice from $platform",
        "We found $what_happened $what_to_do Details: $advisory_url",
    ),
    ("security_incident", "banner"): (
        "Security notice",
        "Security notice: $what_to_do Details: $advisory_url",
    ),
    # A data leak: the notice to the people affected and the one to the regulator (the facts
    # GDPR art. 34 and art. 33(3) ask for); the regulator's goes by its own form, so web only.
    ("data_breach_users", "web"): (
        "Notice of a data breach at $platform",
        "On $discovered_at we found that $what_happened\n\n"
        "Data affected: $data_affected\n\nLikely consequences: $consequences\n\n"
        "What we have done: $what_we_did\n\nWhat you should do: $what_to_do\n\n"
        "Questions: our data protection officer, $dpo_contact. Details: $advisory_url",
    ),
    ("data_breach_users", "x"): (
        "Notice of a data breach",
        "We found a data breach affecting $data_affected $what_to_do Details: $advisory_url",
    ),
    ("data_breach_users", "banner"): (
        "Data breach notice",
        "Data breach notice: $what_to_do Details: $advisory_url",
    ),
    ("data_breach_regulator", "web"): (
        "Personal data breach notification: $platform",
        "Controller: $platform. Contact: $dpo_contact\n\n"
        "Nature of the breach: $what_happened Discovered: $discovered_at.\n\n"
        "Categories and approximate number of people concerned: $people_affected\n"
        "Categories and approximate number of records concerned: $records_affected\n\n"
        "Likely consequences: $consequences\n\n"
        "Measures taken or proposed: $what_we_did\n\n"
        "People affected notified: $users_notified",
    ),
}


@dataclass(frozen=True)
class DraftText:
    title: str
    body: str


def render(
    kind: str, channel: str, evidence: Evidence, platform: str, language: str | None = None
) -> DraftText:
    """The template for `kind` on `channel` in `language` ("zh" where one exists; None: Chinese
    when the claim or the fact is written in Chinese), filled from the evidence."""
    if (kind, channel) not in TEMPLATES:
        channels = ", ".join(sorted(c for k, c in TEMPLATES if k == kind))
        raise Invalid(
            Msg(
                "a {kind} statement is drafted for {channels}, not {channel}",
                kind=kind,
                channels=channels,
                channel=channel,
            ),
            code="no_template",
        )
    values = _values(evidence, platform)
    written = " ".join([values.get("fact", ""), str((evidence.claim or {}).get("text", ""))])
    title_t, body_t = TEMPLATES[(kind, channel)]
    chinese = language == "zh" or (language is None and is_chinese(written))
    if chinese and (kind, channel) in TEMPLATES_ZH:
        title_t, body_t = TEMPLATES_ZH[(kind, channel)]
    title_limit, body_limit = CHANNEL_LIMITS[channel]
    # The short channels get the fact cut to what fits beside the link.
    fixed = len(Template(body_t).safe_substitute(values, fact_short=""))
    values["fact_short"] = _fit(values.get("fact", ""), body_limit - fixed)
    values["fact_headline"] = _fit(values.get("fact", "").rstrip(".。"), title_limit - 12)
    title = _fill(Template(title_t), values)
    body = _fill(Template(body_t), values)
    return DraftText(title=_fit(title, title_limit), body=body.strip())


def _fill(template: Template, values: dict[str, str]) -> str:
    """A value not given becomes `[TODO: started at]`: still caught by the checks, but a person
    reading the draft sees what to add, not template syntax. Typed text is never re-read as
    a template, so a fact mentioning `$5` stays as typed."""
    marked = {n: f"[TODO: {n.replace('_', ' ')}]" for n in template.get_identifiers()}
    return template.substitute(marked | values)


def _values(evidence: Evidence, platform: str) -> dict[str, str]:
    values: dict[str, str] = {"platform": platform}
    values.update({k: v for k, v in evidence.facts.items() if v})
    claim = evidence.claim
    if claim:
        explanation = str(claim.get("explanation") or "")
        fact = values.get("fact") or first_sentence(explanation)
        if fact:
            values["fact"] = fact
            values["fact_rest"] = (
                explanation[len(fact) :].strip() if explanation.startswith(fact) else ""
            )
        if claim.get("source_name"):
            values["source_name"] = str(claim["source_name"])
        values["verdict"] = str(claim["verdict"])
    values.setdefault("fact_rest", "")
    if "fact" in values:  # the one fact typed for a notice is what happened, not dropped
        values.setdefault("what_happened", values["fact"])
    values["rated_line"] = _rated_line(values)
    values["sources_block"] = ""
    if evidence.sources:
        values.setdefault("source_url", evidence.sources[0])
        values["source_lines"] = "\n".join(f"- {url}" for url in evidence.sources)
        values["sources_block"] = "Sources:\n" + values["source_lines"]
    values["review_line"] = _review_line(evidence)
    values["rated_line_zh"] = (
        f"{values.get('source_name') or '事实核查机构'}将其评定为“{values['verdict']}”。"
        if "verdict" in values
        else ""
    )
    values["sources_block_zh"] = "来源：\n" + values["source_lines"] if evidence.sources else ""
    return values


def _rated_line(values: dict[str, str]) -> str:
    """Who rated the claim, only as far as it is known (never `$source_name rated it`)."""
    if "verdict" not in values:
        return ""
    who = values.get("source_name") or "Fact-checkers"
    return f" {who} rated it {values['verdict']}."


def _review_line(evidence: Evidence) -> str:
    """What reviewers wrote for the public (the decision's public facts), never their internal
    note: that is written for colleagues and may name people or guesses."""
    facts = [d["public_facts"].strip() for d in evidence.decisions if d.get("public_facts")]
    return f" Our reviewers found: {facts[-1]}" if facts else ""


def _fit(text: str, limit: int) -> str:
    """Cut at a word boundary so the text fits; an ellipsis marks the cut."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ""
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"
