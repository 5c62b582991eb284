"""The per-type rules of the response plan: severity points, clocks, tasks, templates.

Points per factor, summed and cut into four grades (cutoffs for I, II, III):

    misinformation  reach (log10 from 10k, 0-4), topic sensitivity (0-3), spread (0-3)
                    the incident policy's cut-offs (10/7/4 built in) and topics
    security        users (log10 from 100, 0-4), ongoing 3, personal data 2, spread    9/6/3
    data_leak       records (log10 from 100, 0-4), users (log10 from 100, 0-4),
                    personal data 3, spread                                          9/6/3
    outage          users (log10 from 1k, 0-4), services (1 -> 1, 2-3 -> 2, 4+ -> 3),
                    ongoing 2, spread                                                8/5/3
    compliance      regulator involved 4, personal data 2, users (log10 from 1k), spread 8/5/3
    other           users (log10 from 1k, 0-4), ongoing 1, spread                   8/5/3

Spread is the regions reached: 1 -> 0, 2-3 -> 1, 4-9 -> 2, 10+ -> 3.
"""

from __future__ import annotations

from datetime import timedelta

from core.messages import Msg
from core.topics import topic_of
from incidents.severity import ClockSpec, IncidentPolicy, log_steps, spread_points
from incidents.types import GroupKind, IncidentType, Scope, TaskRule, TypeProfile

H = timedelta(hours=1)
LEAD, TECH, PR, LEGAL, LOGISTICS = (
    GroupKind.LEADERSHIP,
    GroupKind.TECHNICAL,
    GroupKind.PR,
    GroupKind.LEGAL,
    GroupKind.LOGISTICS,
)
INTERNAL_REPORT = "internal_report"


def _misinformation(scope: Scope, description: str, policy: IncidentPolicy) -> dict[str, int]:
    topic = topic_of(description, policy.topics)
    return {
        "reach": log_steps(scope.reach, 10_000, 4),
        "sensitivity": policy.topics.get(topic, (0, ()))[0],
        "spread": spread_points(len(scope.regions)),
    }


def _security(scope: Scope, _: str, __: IncidentPolicy) -> dict[str, int]:
    return {
        "users": log_steps(scope.affected_users, 100, 4),
        "ongoing": 3 if scope.ongoing else 0,
        "personal_data": 2 if scope.personal_data else 0,
        "spread": spread_points(len(scope.regions)),
    }


def _data_leak(scope: Scope, _: str, __: IncidentPolicy) -> dict[str, int]:
    return {
        "records": log_steps(scope.records, 100, 4),
        "users": log_steps(scope.affected_users, 100, 4),
        "personal_data": 3 if scope.personal_data else 0,
        "spread": spread_points(len(scope.regions)),
    }


def _outage(scope: Scope, _: str, __: IncidentPolicy) -> dict[str, int]:
    services = len(scope.services)
    return {
        "users": log_steps(scope.affected_users, 1_000, 4),
        "services": 0 if services == 0 else 1 if services == 1 else 2 if services <= 3 else 3,
        "ongoing": 2 if scope.ongoing else 0,
        "spread": spread_points(len(scope.regions)),
    }


def _compliance(scope: Scope, _: str, __: IncidentPolicy) -> dict[str, int]:
    return {
        "regulator": 4 if scope.regulator else 0,
        "personal_data": 2 if scope.personal_data else 0,
        "users": log_steps(scope.affected_users, 1_000, 4),
        "spread": spread_points(len(scope.regions)),
    }


def _other(scope: Scope, _: str, __: IncidentPolicy) -> dict[str, int]:
    return {
        "users": log_steps(scope.affected_users, 1_000, 4),
        "ongoing": 1 if scope.ongoing else 0,
        "spread": spread_points(len(scope.regions)),
    }


def _report(within: timedelta, from_grade: int = 4) -> TaskRule:
    return TaskRule(
        LEAD,
        INTERNAL_REPORT,
        "Write the first internal report",
        within,
        from_grade,
        INTERNAL_REPORT,
    )


_PROFILES = (
    TypeProfile(
        IncidentType.MISINFORMATION,
        Msg("False information"),
        _misinformation,
        None,  # the incident policy's grade cut-offs, as for a detected wave
        IncidentPolicy().clocks,  # the running policy's clocks are used for detected ones
        (
            _report(H, 2),
            TaskRule(TECH, "remove_posts", "Remove the false posts", 2 * H, 3, "first_action"),
            TaskRule(
                PR,
                "draft_statement",
                "Draft and publish the authoritative statement",
                4 * H,
                3,
                "public_statement",
            ),
            TaskRule(LEGAL, "review_statement", "Review the statement", 4 * H, 2),
        ),
        ("counter_statement",),
        # A wave spreads in hours: it activates itself up to grade II; grade I waits for
        # leadership (the surge and the clocks run from detection either way).
        activation_from_grade=1,
    ),
    TypeProfile(
        IncidentType.SECURITY,
        Msg("Security incident"),
        _security,
        (9, 6, 3),
        (
            ClockSpec("first internal report", INTERNAL_REPORT, H, 3),
            ClockSpec("containment", "containment", 4 * H),
            ClockSpec("public statement", "public_statement", 24 * H, 2),
        ),
        (
            TaskRule(TECH, "contain", "Contain the intrusion", 4 * H, 4, "containment"),
            _report(H, 3),
            TaskRule(
                LEGAL, "legal_review", "Review notification duties", 24 * H, 2, "legal_review"
            ),
            TaskRule(
                PR, "draft_statement", "Draft the security notice", 24 * H, 2, "public_statement"
            ),
        ),
        ("security_incident",),
        assess_within=timedelta(minutes=30),
    ),
    TypeProfile(
        IncidentType.DATA_LEAK,
        Msg("Data leak"),
        _data_leak,
        (9, 6, 3),
        (
            ClockSpec("first internal report", INTERNAL_REPORT, H),
            ClockSpec("containment", "containment", 4 * H),
            ClockSpec("regulator notice", "regulator_notice", 72 * H, 3),
            ClockSpec("user notice", "user_notice", 72 * H, 2),
        ),
        (
            TaskRule(TECH, "contain", "Stop the leak and secure the data", 4 * H, 4, "containment"),
            _report(H),
            TaskRule(
                LEGAL,
                "regulator_notice",
                "Notify the regulator (breach notice)",
                72 * H,
                3,
                "regulator_notice",
            ),
            TaskRule(
                PR,
                "user_notice",
                "Notify the affected users (breach notice)",
                72 * H,
                2,
                "user_notice",
            ),
        ),
        ("data_breach_users", "data_breach_regulator"),
        activation_from_grade=3,  # personal data at stake: people decide from grade III
    ),
    TypeProfile(
        IncidentType.COMPLIANCE,
        Msg("Legal compliance"),
        _compliance,
        (8, 5, 3),
        (
            ClockSpec("first internal report", INTERNAL_REPORT, 4 * H),
            ClockSpec("legal review", "legal_review", 48 * H),
        ),
        (
            TaskRule(LEGAL, "legal_review", "Assess the legal position", 48 * H, 4, "legal_review"),
            _report(4 * H, 3),
            TaskRule(
                PR, "draft_statement", "Prepare a public statement", 48 * H, 1, "public_statement"
            ),
        ),
        (),
        assess_within=4 * H,
    ),
    TypeProfile(
        IncidentType.OTHER,
        Msg("Other"),
        _other,
        (8, 5, 3),
        (ClockSpec("first internal report", INTERNAL_REPORT, H),),
        (_report(H),),
        (),
    ),
    TypeProfile(
        IncidentType.OUTAGE,
        Msg("Service outage"),
        _outage,
        (8, 5, 3),
        (
            ClockSpec("first internal report", INTERNAL_REPORT, H / 2),
            ClockSpec("user notice", "user_notice", H, 3),
            ClockSpec("service restored", "recovery", 4 * H, 2),
        ),
        (
            TaskRule(TECH, "restore", "Restore the service", 4 * H, 4, "recovery"),
            TaskRule(PR, "user_notice", "Notify users of the outage", H, 3, "user_notice"),
            _report(H / 2, 2),
            TaskRule(LOGISTICS, "support_staffing", "Staff support for user contacts", 2 * H, 2),
        ),
        ("service_interruption",),
        assess_within=timedelta(minutes=30),
    ),
)
PROFILES: dict[IncidentType, TypeProfile] = {p.type: p for p in _PROFILES}
