"""EU DSA statements of reasons, built from the action log in the Transparency Database's shape.

Every restriction (a decided removal, label, demotion or geo-restriction, and labels the
system applies itself) becomes one statement; they come in batches of at most 100, as the
database's multiple-statements API takes them. Nothing is submitted from here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from itertools import islice
from typing import Any

from audit.events import Action
from audit.schemas import SearchFilters
from audit.store import LogStore

BATCH_LIMIT = 100
EEA = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
    "IS",
    "LI",
    "NO",
]
VISIBILITY = {
    "remove": "DECISION_VISIBILITY_CONTENT_REMOVED",
    "geo_restrict": "DECISION_VISIBILITY_CONTENT_DISABLED",
    "reduce_reach": "DECISION_VISIBILITY_CONTENT_DEMOTED",
    "label": "DECISION_VISIBILITY_CONTENT_LABELLED",
}
# A corrected decision restricts anew (its own facts and legal ground); an undo restricts nothing.
SOURCE_ACTIONS = (Action.CASE_DECIDED, Action.DECISION_CORRECTED, Action.POST_LABELLED)
CATEGORY = "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"
# What the author is told when the reviewer wrote no public facts: from the reason code alone.
# The reviewer's note is internal (it may name colleagues, sources or guesses) and never goes
# into a statement of reasons.
REASON_FACTS = {
    "false_claim": "The content repeats a claim that independent fact-checkers found to be false.",
    "misleading_context": "The content presents true material in a way that misleads about what "
    "happened.",
    "manipulated_media": "The content contains images, audio or video altered in a way that "
    "misleads.",
    "satire_or_opinion": "The content was reviewed as satire or opinion and labelled as such.",
    "other": "The content breaks the platform's misinformation policy.",
}
REASON_POLICY = {
    "false_claim": "false claims",
    "misleading_context": "misleading context",
    "manipulated_media": "manipulated media",
    "satire_or_opinion": "satire and opinion labels",
    "other": "misinformation",
}


def _restriction(doc: dict[str, Any]) -> str | None:
    if doc["event"]["action"] == Action.POST_LABELLED.value:
        # A reviewer's label is stated from their decision (CASE_DECIDED); only a label with
        # no decision behind it (a published counter-statement's) needs its own statement.
        return None if (doc["veracity"].get("after") or {}).get("decision_id") else "label"
    action = (doc["veracity"].get("after") or {}).get("action")
    return action if action in VISIBILITY else None


def _automated_decision(doc: dict[str, Any]) -> str:
    if doc["veracity"].get("actor_type") == "system":
        return "AUTOMATED_DECISION_FULLY"
    return "AUTOMATED_DECISION_NOT_AUTOMATED"


def statement_of_reasons(doc: dict[str, Any], content_date: date | None) -> dict[str, Any] | None:
    """One restriction event as a statement; None when the event restricts nothing in the EEA."""
    restriction = _restriction(doc)
    v = doc["veracity"]
    if restriction is None or not v.get("post_id"):
        return None
    after = v.get("after") or {}
    scope = EEA
    if restriction == "geo_restrict":
        scope = [c for c in after.get("territories", []) if c in EEA]
        if not scope:
            return None
    applied = datetime.fromisoformat(doc["@timestamp"]).date()
    reason = v.get("reason") or ""
    reason_code = after.get("reason_code") or reason.split(":", 1)[0] or "misinformation"
    facts = public_facts(after, reason_code)
    legal_ground = (after.get("legal_ground") or "").strip()
    statement = {
        "decision_visibility": [VISIBILITY[restriction]],
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "incompatible_content_ground": "Misinformation policy: "
        + REASON_POLICY.get(reason_code, reason_code.replace("_", " ")),
        "incompatible_content_explanation": facts,
        # Recorded at decision time: a reviewer who found the post illegal names the law.
        "incompatible_content_illegal": "Yes" if legal_ground else "No",
        "category": CATEGORY,
        "decision_facts": facts,
        # Cases are opened only by the classifier's routing, so a decided case was found by it.
        "automated_detection": "Yes"
        if v.get("case_id") or v.get("actor_type") == "system"
        else "No",
        "automated_decision": _automated_decision(doc),
        "territorial_scope": sorted(scope),
        "content_type": ["CONTENT_TYPE_TEXT"],
        "source_type": "SOURCE_VOLUNTARY",
        "puid": f"veracity-{doc['event']['id']}",
        "application_date": applied.isoformat(),
        "content_date": min(content_date or applied, applied).isoformat(),
    }
    if legal_ground:
        statement["illegal_content_legal_ground"] = legal_ground
        statement["illegal_content_explanation"] = facts
    return statement


def public_facts(after: dict[str, Any], reason_code: str) -> str:
    """The facts the author reads: what the reviewer wrote for them, else the reason code's
    standard text; never the internal note."""
    written = str(after.get("public_facts") or "").strip()
    if written:
        return written
    return REASON_FACTS.get(reason_code, REASON_FACTS["other"])


def statement_batches(
    store: LogStore, filters: SearchFilters, *, page_size: int = 2000
) -> Iterator[list[dict[str, Any]]]:
    """Statements for every restriction matching `filters`, at most 100 to a batch; actions in
    `filters` narrow the restricting actions read (none of those: no statements)."""
    actions = tuple(a for a in SOURCE_ACTIONS if not filters.actions or a in filters.actions)
    if not actions:
        return
    scoped = filters.model_copy(update={"actions": actions})
    events = (doc for doc in store.iter_events(scoped, page_size=page_size) if _restriction(doc))
    while True:
        chunk = list(islice(events, BATCH_LIMIT))
        if not chunk:
            return
        dated = store.content_dates(
            [d["veracity"]["post_id"] for d in chunk if d["veracity"].get("post_id")]
        )
        batch = [
            s
            for d in chunk
            if (s := statement_of_reasons(d, _day(dated.get(d["veracity"].get("post_id") or ""))))
        ]
        if batch:
            yield batch


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None
