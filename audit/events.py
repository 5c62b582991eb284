"""The one vocabulary of the action log: every action anyone or anything takes."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Action(enum.StrEnum):
    POST_SCORED = "post.scored"
    POST_ROUTED = "post.routed"
    CASE_QUEUED = "case.queued"
    CASE_CLAIMED = "case.claimed"
    CASE_RELEASED = "case.released"
    CASE_SKIPPED = "case.skipped"
    CASE_ESCALATED = "case.escalated"
    CASE_REASSIGNED = "case.reassigned"
    CASE_LEASE_EXPIRED = "case.lease_expired"
    CASE_DECIDED = "case.decided"
    CASE_SECOND_REVIEWED = "case.second_reviewed"
    # The reviewer console (issue 19): lease extensions, QA samples, corrected decisions.
    CASE_LEASE_EXTENDED = "case.lease_extended"
    CASE_QA_SAMPLED = "case.qa_sampled"
    CASE_QA_REVIEWED = "case.qa_reviewed"
    DECISION_CORRECTED = "case.decision_corrected"
    DECISION_UNDONE = "case.decision_undone"
    QA_SAMPLING_CHANGED = "config.qa_sampling_changed"
    # Any platform action (remove, label, reduce_reach, undo, ...): `after.action` says which.
    ENFORCEMENT_REQUESTED = "enforcement.requested"
    ENFORCEMENT_CONFIRMED = "enforcement.confirmed"
    ENFORCEMENT_FAILED = "enforcement.failed"
    ENFORCEMENT_DEAD_LETTERED = "enforcement.dead_lettered"
    ENFORCEMENT_RETRIED = "enforcement.retried"
    POST_LABELLED = "post.labelled"  # written beside ENFORCEMENT_CONFIRMED when a label is applied
    POST_RESTORED = "post.restored"
    POST_APPEALED = "post.appealed"
    STATEMENT_DRAFTED = "statement.drafted"
    STATEMENT_EDITED = "statement.edited"
    STATEMENT_APPROVED = "statement.approved"
    STATEMENT_PUBLISHED = "statement.published"
    STATEMENT_WITHDRAWN = "statement.withdrawn"
    STATEMENT_LEGAL_APPROVED = "statement.legal_approved"
    STATEMENT_CORRECTED = "statement.corrected"
    STATEMENT_DELIVERED = "statement.delivered"
    STATEMENT_DELIVERY_FAILED = "statement.delivery_failed"
    CLAIM_ADDED = "claim.added"
    CLAIMS_IMPORTED = "claim.imported"
    CLAIM_POST_LINKED = "claim.post_linked"
    CLAIM_EDITED = "claim.edited"
    CLAIM_RETIRED = "claim.retired"  # kept for the record, no longer matched
    INCIDENT_OPENED = "incident.opened"
    INCIDENT_GRADED = "incident.graded"
    INCIDENT_CLOSED = "incident.closed"
    INCIDENT_POST_LINKED = "incident.post_linked"
    INCIDENT_SURGED = "incident.surged"
    INCIDENT_NOTIFIED = "incident.notified"
    INCIDENT_MILESTONE = "incident.milestone"
    INCIDENT_CLOCK_MET = "incident.clock_met"
    INCIDENT_CLOCK_MISSED = "incident.clock_missed"
    INCIDENT_CONTAINED = "incident.contained"
    INCIDENT_LESSON_RECORDED = "incident.lesson_recorded"
    INCIDENT_REPORTED = "incident.reported"  # a person reported it
    INCIDENT_ASSESSED = "incident.assessed"  # leadership's initial assessment (a grade)
    INCIDENT_ACTIVATED = "incident.activated"
    INCIDENT_DISMISSED = "incident.dismissed"
    INCIDENT_RECOVERED = "incident.recovered"
    INCIDENT_OWNER_CHANGED = "incident.owner_changed"
    INCIDENT_CLOCK_CANCELLED = "incident.clock_cancelled"
    INCIDENT_TASK_CREATED = "incident.task_created"
    INCIDENT_TASK_ASSIGNED = "incident.task_assigned"
    INCIDENT_TASK_STARTED = "incident.task_started"
    INCIDENT_TASK_DONE = "incident.task_done"
    INCIDENT_TASK_CANCELLED = "incident.task_cancelled"
    # Post-incident report, materials and the incident policy (issue 18 items 6-7).
    INCIDENT_REPORT_SIGNED_OFF = "incident.report_signed_off"
    INCIDENT_REPORT_RETURNED = "incident.report_returned"  # leadership sent it back
    INCIDENT_ATTACHMENT_ADDED = "incident.attachment_added"
    INCIDENT_EXPORTED = "incident.exported"
    INCIDENT_POLICY_CHANGED = "config.incident_policy_changed"
    CASE_REPRIORITISED = "case.reprioritised"
    RESPONSE_PLAN_CHANGED = "config.response_plan_changed"
    RESPONSE_GROUP_CHANGED = "config.response_group_changed"
    RESPONSE_GROUP_MEMBER_CHANGED = "config.response_group_member_changed"
    DRILL_STARTED = "drill.started"
    DRILL_FINISHED = "drill.finished"
    THRESHOLD_CHANGED = "config.threshold_changed"
    POLICY_CHANGED = "config.policy_changed"
    USER_CREATED = "user.created"
    USER_CHANGED = "user.changed"
    USER_LOGIN_FAILED = "user.login_failed"
    USER_LOCKED = "user.locked"
    USER_LOGGED_IN = "user.logged_in"
    USER_LOGGED_OUT = "user.logged_out"
    API_KEY_CREATED = "apikey.created"
    API_KEY_REVOKED = "apikey.revoked"
    WEBHOOK_SUBSCRIBED = "webhook.subscribed"
    WEBHOOK_UNSUBSCRIBED = "webhook.unsubscribed"
    WEBHOOK_REPLAYED = "webhook.replayed"
    WEBHOOK_TESTED = "webhook.tested"  # an admin's signed ping
    WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated"  # noqa: S105 - an event name
    LOG_SEARCHED = "log.searched"
    LOG_EXPORTED = "log.exported"
    RETENTION_APPLIED = "log.retention_applied"
    LEGAL_HOLD_SET = "log.legal_hold_set"
    LEGAL_HOLD_RELEASED = "log.legal_hold_released"
    LOG_VERIFIED = "log.verified"
    LOG_ANCHORED = "log.anchored"
    DSA_STATEMENTS_EXPORTED = "log.dsa_statements_exported"


def action_named(text: str) -> Action:
    """The log's action called `text`; otherwise a ValueError that lists every known action."""
    try:
        return Action(text)
    except ValueError:
        known = ", ".join(a.value for a in Action)
        raise ValueError(f"{text!r} is not an action of the log; known actions: {known}") from None


@dataclass(frozen=True)
class Subject:
    """What an event is about; any of these may be empty."""

    post_id: str | None = None
    case_id: str | None = None
    action_id: str | None = None
    statement_id: str | None = None
    incident_id: str | None = None
    claim_id: str | None = None
    other: dict[str, str] = field(default_factory=dict)
