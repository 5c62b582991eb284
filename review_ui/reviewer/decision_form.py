"""The decision fields a reviewer types: on a case (decide) and on a decision (correct)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import Form

from pipeline.schemas import DecisionIn


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
        """Raises ValidationError (reason and action are validated here)."""
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
    note: Annotated[str, Form(max_length=5000)] = "",
    territories: Annotated[str, Form(max_length=1000)] = "",
    public_facts: Annotated[str, Form(max_length=2000)] = "",
    legal_ground: Annotated[str, Form(max_length=500)] = "",
) -> DecisionForm:
    return DecisionForm(reason_code, action, note, territories, public_facts, legal_ground)
