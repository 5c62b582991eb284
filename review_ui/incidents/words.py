"""What the incident pages show for the incidents domain's own values (statuses, groups, plan
steps, clocks, tasks, events): a `Msg` per value, so a page reads them in its language. The
English is the value as the pages always showed it; a value not listed (a clock or task a
later policy names, say) is shown as it is stored, its underscores as spaces."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from core.messages import Msg as CoreMsg
from incidents import system_notes
from incidents.types import IncidentType, profile
from review_ui.i18n import Msg


def _coded(*words: Msg, prefix: str = "", space: str = "_") -> dict[str, Msg]:
    """Each word by the code it shows: the English with `space` for its spaces, after `prefix`."""
    return {prefix + word.replace(" ", space): word for word in words}


# The words for the domain's codes (the code is the English with "_" for its spaces):
CODED = _coded(
    # an incident's status (incidents.models.IncidentStatus)
    Msg("reported"),
    Msg("active"),
    Msg("dismissed"),
    Msg("contained"),
    Msg("recovered"),
    Msg("closed"),
    # a clock's and a task's status (incidents.models.ClockStatus, TaskStatus)
    Msg("running"),
    Msg("met"),
    Msg("missed"),
    Msg("cancelled"),
    Msg("open"),
    Msg("in progress"),
    Msg("done"),
    # the response groups (incidents.types.GroupKind) and the incident's owner
    Msg("leadership"),
    Msg("technical response"),
    Msg("pr"),
    Msg("legal"),
    Msg("logistics"),
    Msg("owner"),
    # the plan steps (incidents.policy_store.MILESTONES)
    Msg("assessment"),
    Msg("internal report"),
    Msg("public statement"),
    Msg("first action"),
    Msg("containment"),
    Msg("user notice"),
    Msg("regulator notice"),
    Msg("legal review"),
    Msg("recovery"),
    # a material's kind (incidents.attachments.KINDS)
    Msg("legal guide"),
    Msg("process document"),
    Msg("evidence"),
    Msg("other"),
    # what a reporter knows of the scope (incidents.types.Scope)
    Msg("affected users"),
    Msg("records"),
    Msg("reach"),
    Msg("regions"),
    Msg("services"),
    Msg("personal data"),
    Msg("ongoing"),
    Msg("regulator"),
    # a statement's state (statements.models.StatementStatus)
    Msg("draft"),
    Msg("approved"),
    Msg("published"),
    Msg("withdrawn"),
    # a linked case's state (pipeline.models.CaseStatus; "open" is above)
    Msg("claimed"),
    Msg("escalated"),
    Msg("awaiting second"),
    Msg("decided"),
)
# Each type's label, as incidents.type_rules words it.
TYPE: dict[str, CoreMsg] = {t.value: profile(t).label for t in IncidentType}
GRADE = {
    1: Msg("I particularly serious"),
    2: Msg("II serious"),
    3: Msg("III relatively serious"),
    4: Msg("IV ordinary"),
}
# What a clock or task is stored by: its English name, as the plan gave it. The clocks: the
# incident policy's, each type's (incidents.type_rules) and the initial assessment's
# (incidents.clocks); then the plan's task titles (incidents.type_rules).
NAMED = _coded(
    Msg("initial assessment"),
    Msg("first internal report"),
    Msg("public statement"),
    Msg("first enforcement action"),
    Msg("containment"),
    Msg("regulator notice"),
    Msg("user notice"),
    Msg("service restored"),
    Msg("legal review"),
    Msg("Write the first internal report"),
    Msg("Remove the false posts"),
    Msg("Draft and publish the authoritative statement"),
    Msg("Review the statement"),
    Msg("Contain the intrusion"),
    Msg("Review notification duties"),
    Msg("Draft the security notice"),
    Msg("Stop the leak and secure the data"),
    Msg("Notify the regulator (breach notice)"),
    Msg("Notify the affected users (breach notice)"),
    Msg("Restore the service"),
    Msg("Notify users of the outage"),
    Msg("Staff support for user contacts"),
    Msg("Assess the legal position"),
    Msg("Prepare a public statement"),
    space=" ",
)


def _dotted(*words: Msg) -> dict[str, Msg]:
    """Each word by its code: its first space a ".", the others "_" (the words
    `incidents.report_pdf.coded` reads from the code, so the report says the same)."""
    return {word.replace(" ", ".", 1).replace(" ", "_"): word for word in words}


# The timeline's events and the notices' events, in words: every `audit.events.Action`, as an
# incident's timeline holds its posts' and cases' events too (an incident's event is its code
# without "incident.", as the timeline always read in English; the others their code's words).
EVENT = _coded(
    Msg("opened"),
    Msg("graded"),
    Msg("closed"),
    Msg("post linked"),
    Msg("surged"),
    Msg("notified"),
    Msg("milestone"),
    Msg("clock met"),
    Msg("clock missed"),
    Msg("contained"),
    Msg("lesson recorded"),
    Msg("reported"),
    Msg("assessed"),
    Msg("activated"),
    Msg("dismissed"),
    Msg("recovered"),
    Msg("owner changed"),
    Msg("clock cancelled"),
    Msg("task created"),
    Msg("task assigned"),
    Msg("task started"),
    Msg("task done"),
    Msg("task cancelled"),
    Msg("report signed off"),
    Msg("report returned"),
    Msg("attachment added"),
    Msg("exported"),
    Msg("upgraded"),
    prefix="incident.",
) | {
    "statement.drafted": Msg("statement drafted"),
    "statement.edited": Msg("statement edited"),
    "statement.approved": Msg("statement approved"),
    "statement.legal_approved": Msg("statement approved by legal"),
    "statement.published": Msg("statement published"),
    "statement.withdrawn": Msg("statement withdrawn"),
    "statement.corrected": Msg("statement corrected"),
    "statement.delivered": Msg("statement delivered"),
    "statement.delivery_failed": Msg("statement delivery failed"),
}
EVENT |= _dotted(
    # the posts', cases' and reviews' events
    Msg("post scored"),
    Msg("post routed"),
    Msg("post labelled"),
    Msg("post restored"),
    Msg("post appealed"),
    Msg("case queued"),
    Msg("case claimed"),
    Msg("case released"),
    Msg("case skipped"),
    Msg("case escalated"),
    Msg("case reassigned"),
    Msg("case reprioritised"),
    Msg("case lease expired"),
    Msg("case lease extended"),
    Msg("case decided"),
    Msg("case second reviewed"),
    Msg("case qa sampled"),
    Msg("case qa reviewed"),
    Msg("case decision corrected"),
    Msg("case decision undone"),
    # the platform actions
    Msg("enforcement requested"),
    Msg("enforcement confirmed"),
    Msg("enforcement failed"),
    Msg("enforcement dead lettered"),
    Msg("enforcement retried"),
    # the claims
    Msg("claim added"),
    Msg("claim imported"),
    Msg("claim post linked"),
    Msg("claim edited"),
    Msg("claim retired"),
    # configuration, drills, people, keys, webhooks and the log itself
    Msg("config qa sampling changed"),
    Msg("config incident policy changed"),
    Msg("config response plan changed"),
    Msg("config response group changed"),
    Msg("config response group member changed"),
    Msg("config threshold changed"),
    Msg("config policy changed"),
    Msg("drill started"),
    Msg("drill finished"),
    Msg("user created"),
    Msg("user changed"),
    Msg("user login failed"),
    Msg("user locked"),
    Msg("user logged in"),
    Msg("user logged out"),
    Msg("apikey created"),
    Msg("apikey revoked"),
    Msg("webhook subscribed"),
    Msg("webhook unsubscribed"),
    Msg("webhook replayed"),
    Msg("webhook tested"),
    Msg("webhook secret rotated"),
    Msg("log searched"),
    Msg("log exported"),
    Msg("log retention applied"),
    Msg("log legal hold set"),
    Msg("log legal hold released"),
    Msg("log verified"),
    Msg("log anchored"),
    Msg("log dsa statements exported"),
)

TABLES: dict[str, Mapping[Any, CoreMsg]] = {
    "status": CODED,
    "clock status": CODED,
    "task status": CODED,
    "group": CODED,
    "type": TYPE,
    "grade": GRADE,
    "milestone": CODED,
    "material": CODED,
    "clock": NAMED,
    "task": NAMED,
    "event": EVENT,
    "scope": CODED,
    "statement status": CODED,
    "case status": CODED,
}


def word(table: str, value: str | int | None) -> str:
    """The value in words: its `Msg` from the table (translated where a page renders it), else
    the value as stored with its underscores as spaces (an event without its "incident.")."""
    if value is None:
        return ""
    found: CoreMsg | None = TABLES[table].get(value)
    if found is not None:
        return found
    text = str(value)
    return text.removeprefix("incident.").replace("_", " ")


def _pattern(template: str) -> re.Pattern[str]:
    """The template as a regular expression with a named group for each of its fields."""
    parts = re.split(r"\{(\w+)\}", template)  # text, field, text, field, ..., text
    return re.compile(
        "".join(f"(?P<{p}>.+?)" if i % 2 else re.escape(p) for i, p in enumerate(parts))
    )


_NOTES = [(note.template, _pattern(note.template)) for note in system_notes.NOTES]


def system_note(text: str | None) -> CoreMsg | None:
    """A reason or note the incidents domain wrote itself (`incidents.system_notes`), read back
    into its message so a page shows it in its language; None for any other text."""
    for template, pattern in _NOTES:
        found = pattern.fullmatch(text or "")
        if found:
            return Msg(template, **found.groupdict())  # the UI's: a field such as a grade too
    return None
