"""Incident types and what each one's plan says: how it is graded, which clocks run, who must
activate it, which groups get which tasks, and which statement templates answer it.

The response plan covers five risks (false information, security incidents, data leaks,
service outages, legal compliance) plus `other`. Every type grades into the same four grades
(1 = I particularly serious … 4 = IV ordinary) from its own points (`type_rules.py`).
Misinformation that the machine detects keeps the narrative formula of `severity.py`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from core.messages import Msg
from incidents.severity import ClockSpec, IncidentPolicy, grade_of


class IncidentType(enum.StrEnum):
    MISINFORMATION = "misinformation"
    SECURITY = "security"
    DATA_LEAK = "data_leak"
    OUTAGE = "outage"
    COMPLIANCE = "compliance"
    OTHER = "other"


class GroupKind(enum.StrEnum):
    """The response groups the plan names; a group's channels and members carry its kind."""

    LEADERSHIP = "leadership"
    TECHNICAL = "technical_response"
    PR = "pr"
    LEGAL = "legal"
    LOGISTICS = "logistics"


@dataclass(frozen=True)
class Scope:
    """What a reporter (or detection) knows about an incident's extent."""

    affected_users: int = 0
    records: int = 0  # data records exposed (data leak)
    reach: int = 0  # views of the false information
    regions: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    personal_data: bool = False
    ongoing: bool = True  # still happening (an intrusion, an outage)
    regulator: bool = False  # a regulator, court or statutory deadline is involved

    def as_dict(self) -> dict[str, object]:
        return {
            "affected_users": self.affected_users,
            "records": self.records,
            "reach": self.reach,
            "regions": list(self.regions),
            "services": list(self.services),
            "personal_data": self.personal_data,
            "ongoing": self.ongoing,
            "regulator": self.regulator,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Scope:
        def _int(name: str) -> int:
            value = data.get(name, 0)
            return int(value) if isinstance(value, int | float | str) else 0

        def _strs(name: str) -> tuple[str, ...]:
            value = data.get(name) or []
            return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()

        return cls(
            affected_users=_int("affected_users"),
            records=_int("records"),
            reach=_int("reach"),
            regions=_strs("regions"),
            services=_strs("services"),
            personal_data=bool(data.get("personal_data", False)),
            ongoing=bool(data.get("ongoing", True)),
            regulator=bool(data.get("regulator", False)),
        )


@dataclass(frozen=True)
class TaskRule:
    """A task the plan gives a group when an incident of a type is active at a grade."""

    group: GroupKind
    kind: str  # a slug, unique per incident: draft_statement, contain, …
    title: str
    within: timedelta
    from_grade: int = 4  # given at this grade or worse
    milestone: str | None = None  # finishing the task records this plan step


# (scope, description, incident policy in force) -> points per factor
Points = Callable[[Scope, str, IncidentPolicy], dict[str, int]]


@dataclass(frozen=True)
class TypeProfile:
    type: IncidentType
    label: Msg  # translated where the review UI shows it
    points: Points
    cutoffs: tuple[int, int, int] | None  # totals for I, II, III; None: the policy's
    clocks: tuple[ClockSpec, ...]
    tasks: tuple[TaskRule, ...]
    statement_kinds: tuple[str, ...]  # the statement templates that answer this type
    # At this grade or worse leadership must decide to activate; better grades auto-activate.
    activation_from_grade: int = 2
    assess_within: timedelta = timedelta(hours=1)  # the initial assessment clock

    def tasks_for(self, grade: int) -> list[TaskRule]:
        return [t for t in self.tasks if grade <= t.from_grade]

    def clocks_for(self, grade: int) -> list[ClockSpec]:
        return [c for c in self.clocks if grade <= c.from_grade]

    def needs_activation(self, grade: int) -> bool:
        return grade <= self.activation_from_grade

    def grade(self, scope: Scope, description: str, policy: IncidentPolicy) -> int:
        """The grade under the incident policy in force (false information's cut-offs and
        topics are the policy's)."""
        total = sum(self.points(scope, description, policy).values())
        return grade_of(total, self.cutoffs or policy.grade_cutoffs)


def profile(kind: str | IncidentType) -> TypeProfile:
    from incidents.type_rules import PROFILES

    try:
        return PROFILES[IncidentType(kind)]
    except ValueError:
        return PROFILES[IncidentType.OTHER]  # a row from before types is misinformation anyway
