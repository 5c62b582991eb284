"""Which role sees which section of the UI, in one place (navigation and checks read it)."""

from __future__ import annotations

from dataclasses import dataclass

from core.roles import Role
from review_ui.i18n import Msg  # labels are translated where rendered

REVIEWERS = (Role.REVIEWER, Role.SENIOR_REVIEWER)
# Legal works the cases escalated to it in the same workspace as reviewers.
CASE_WORKERS = (*REVIEWERS, Role.LEGAL)
DASHBOARD_VIEWERS = (Role.SENIOR_REVIEWER, Role.ADMIN)


@dataclass(frozen=True)
class Section:
    label: str
    path: str
    roles: tuple[Role, ...]


SECTIONS = (
    Section(Msg("Queue"), "/ui/review", REVIEWERS),
    Section(Msg("Decisions"), "/ui/decisions", REVIEWERS),
    Section(Msg("Dashboards"), "/ui/dashboards", DASHBOARD_VIEWERS),
    Section(Msg("Cases"), "/ui/supervise", DASHBOARD_VIEWERS),
    Section(Msg("Statements"), "/ui/pr", (Role.PR,)),
    Section(Msg("Claims"), "/ui/claims", (*REVIEWERS, Role.PR, Role.ADMIN)),
    Section(Msg("Action log"), "/ui/legal", (Role.LEGAL,)),
    Section(Msg("Escalated cases"), "/ui/review", (Role.LEGAL,)),
    Section(Msg("Admin"), "/ui/admin", (Role.ADMIN,)),
    # Leadership and technical response (issue 18) work incidents; without a section of their
    # own their home was /ui/login, which sends a signed-in user home: a redirect loop. Any
    # staff role reports one and reads them (last, so it is nobody else's home).
    Section(Msg("Incidents"), "/ui/incidents", tuple(Role)),
    Section(Msg("Response plan"), "/ui/response-plan", tuple(Role)),
)


def sections_for(role: str) -> list[Section]:
    return [s for s in SECTIONS if role in {r.value for r in s.roles}]


HOME = {Role.ADMIN.value: "/ui/admin", Role.LEGAL.value: "/ui/legal"}


def home_for(role: str) -> str:
    own = sections_for(role)
    return HOME.get(role) or (own[0].path if own else "/ui/login")
