"""The decision fields a reviewer types: on a case (decide) and on a decision (correct).

Text fields are taken as typed (`review_ui.form_fields.Typed`: one LF per line break, as the
browser counts them) and their limits checked after that by `DecisionIn`, so a refusal shows
the form again with everything in it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import Form
from pydantic import ValidationError

from pipeline.schemas import DecisionIn
from review_ui.form_errors import field_problem
from review_ui.form_fields import Typed
from review_ui.i18n import Msg


@dataclass(frozen=True)
class DecisionForm:
    reason_code: str
    action: str
    note: str
    territories: str
    public_facts: str  # the DSA statement of reasons
    legal_ground: str

    def typed(self) -> dict[str, str]:
        """The fields as typed, to fill the form again when it is refused."""
        return asdict(self)

    def decision_in(self) -> DecisionIn:
        """Raises ValidationError (reason, action and every limit are validated here)."""
        return DecisionIn(
            reason_code=self.reason_code,
            action=self.action,
            note=self.note.strip(),
            territories=[t.upper() for t in self.territories.replace(",", " ").split()],
            public_facts=self.public_facts.strip(),
            legal_ground=self.legal_ground.strip(),
        )


def decision_form(
    reason_code: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
    note: Typed = "",
    territories: Typed = "",
    public_facts: Typed = "",
    legal_ground: Typed = "",
) -> DecisionForm:
    return DecisionForm(reason_code, action, note, territories, public_facts, legal_ground)


_CHOOSE = {"reason_code": Msg("Choose a reason (keys 1–6)."), "action": Msg("Choose an action.")}


def refusal_of(exc: ValidationError) -> str:
    """Why `decision_in` refused the form, in the reader's words: the first field at fault."""
    for err in exc.errors():
        loc = str(err["loc"][0]) if err["loc"] else ""
        if loc in _CHOOSE:
            return _CHOOSE[loc]
        if loc == "territories" and err["type"] != "too_long":
            return Msg("Territories must be two-letter country codes, e.g. DE FR.")
        return field_problem(err)
    return Msg("The decision is incomplete.")
