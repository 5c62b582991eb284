"""Incidents: detection on the stream of posts, grading, surge, milestones and admin actions.

`observe_post` is the hook the pipeline calls for each scored post that matched a claim or
fell into a near-duplicate cluster. A narrative key with enough volume or reach velocity
inside the policy window opens an incident; later posts join it and re-grade it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from audit.events import Action
from core.actors import Actor
from core.clock import utcnow
from core.db import get_or_not_found
from core.errors import Conflict, Invalid, require_one_of
from core.messages import Msg
from core.topics import GENERAL_TOPIC, topic_of
from incidents.clocks import stop_clocks
from incidents.events import record_event
from incidents.models import FINISHED, Incident, IncidentMilestone, IncidentStatus, NarrativePost
from incidents.policy_store import MILESTONES as MILESTONES  # the plan steps (UI, reports)
from incidents.repository import cases, narratives, timeline
from incidents.repository.incidents import incident_by_id, live_incident_of_key
from incidents.response import after_grading, lock_grade, raised
from incidents.severity import IncidentPolicy, Signals, grade, points
from incidents.system_notes import SURGE, SYSTEM
from incidents.tasks_board import complete_for_milestone, require_live
from incidents.types import IncidentType
from pipeline.repository.posts import post_by_id


def narrative_key(*, claim_id: str | None = None, cluster_key: str | None = None) -> str:
    if claim_id:
        return f"claim:{claim_id}"
    if cluster_key:
        return cluster_key
    raise Invalid(
        Msg("a post joins a narrative by a matched claim or a near-duplicate cluster key")
    )


def observe_post(
    session: Session,
    post_id: str,
    *,
    claim_id: str | None = None,
    cluster_key: str | None = None,
    similarity: float | None = None,
    title: str | None = None,
    policy: IncidentPolicy | None = None,
    now: datetime | None = None,
) -> Incident | None:
    """Count a post under its narrative; returns the incident it belongs to, if any."""
    policy = policy or IncidentPolicy()
    now = now or utcnow()
    key = narrative_key(claim_id=claim_id, cluster_key=cluster_key)
    post = post_by_id(session, post_id)
    if post is None:
        return None
    seen = narratives.narrative_member(session, key, post_id)
    if seen is not None:
        return incident_by_id(session, seen.incident_id) if seen.incident_id else None
    member = NarrativePost(
        key=key,
        post_id=post_id,
        reach=post.views + 5 * post.shares,
        region=post.region or post.lang,  # language stands in when the platform sends none
        similarity=similarity,
        is_drill=post.is_drill,
        observed_at=now,
    )
    session.add(member)
    session.flush()
    incident = live_incident_of_key(session, key, post.is_drill)
    if incident is None:
        if not _crosses_threshold(session, key, post.is_drill, policy, now):
            return None
        incident = _open(session, key, claim_id, title or post.text, post.is_drill, policy, now)
    else:
        _link(session, incident, [member], now)
    _refresh(session, incident, policy, now)
    return incident


def _window_members(
    session: Session, key: str, is_drill: bool, policy: IncidentPolicy, now: datetime
) -> list[NarrativePost]:
    return narratives.members_since(session, key, is_drill, now - policy.window)


def _velocity(members: list[NarrativePost], policy: IncidentPolicy, now: datetime) -> float:
    """Reach per hour over the window, counting at least one hour so a burst is not infinite."""
    if not members:
        return 0.0
    span = (now - min(m.observed_at for m in members)).total_seconds() / 3600.0
    hours = min(policy.window.total_seconds() / 3600.0, max(1.0, span))
    return sum(m.reach for m in members) / hours


def _crosses_threshold(
    session: Session, key: str, is_drill: bool, policy: IncidentPolicy, now: datetime
) -> bool:
    members = _window_members(session, key, is_drill, policy, now)
    return len(members) >= policy.min_posts or _velocity(members, policy, now) >= (
        policy.min_velocity
    )


def _open(
    session: Session,
    key: str,
    claim_id: str | None,
    title: str,
    is_drill: bool,
    policy: IncidentPolicy,
    now: datetime,
) -> Incident:
    members = _window_members(session, key, is_drill, policy, now)
    incident = Incident(
        key=key,
        title=" ".join(title.split())[:300],
        claim_id=claim_id,
        type=IncidentType.MISINFORMATION,
        status=IncidentStatus.REPORTED,  # until its grade says whether people must decide
        grade=4,
        topic=GENERAL_TOPIC,
        is_drill=is_drill,
        first_seen_at=min(m.observed_at for m in members),
        opened_at=now,
    )
    session.add(incident)
    session.flush()
    record_event(
        session,
        Action.INCIDENT_OPENED,
        SYSTEM,
        incident,
        claim_id=claim_id,
        other={"key": key},
        policy_version=policy.version,
        after={"posts": len(members), "first_seen_at": incident.first_seen_at.isoformat()},
        at=now,
    )
    _link(session, incident, [m for m in members if m.incident_id is None], now)
    return incident


def _link(
    session: Session, incident: Incident, members: list[NarrativePost], now: datetime
) -> None:
    for member in members:
        member.incident_id = incident.id
        # Reviewers filter the queue by incident: tag the post's waiting cases.
        cases.tag_waiting_cases(session, member.post_id, incident.id)
        record_event(
            session,
            Action.INCIDENT_POST_LINKED,
            SYSTEM,
            incident,
            post_id=member.post_id,
            after={"reach": member.reach, "similarity": member.similarity},
            at=now,
        )
    session.flush()


def _refresh(session: Session, incident: Incident, policy: IncidentPolicy, now: datetime) -> None:
    """Recount, re-grade (only upwards unless an admin set it), notify, surge, start clocks."""
    members = narratives.members_of_incident(session, incident.id)
    recent = [m for m in members if m.observed_at >= now - policy.window]
    incident.post_count = len(members)
    incident.reach = sum(m.reach for m in members)
    incident.velocity = round(_velocity(recent, policy, now), 2)
    incident.regions = sorted({m.region for m in members if m.region})
    if incident.topic == GENERAL_TOPIC:
        texts = [incident.title, *_sample_texts(session, members)]
        incident.topic = topic_of(" ".join(texts), policy.topics)
    signals = Signals(incident.reach, incident.velocity, incident.topic, len(incident.regions))
    computed = grade(signals, policy)
    is_new = (
        incident.opened_at == now
        and incident.grade == 4
        and not timeline.was_graded(session, incident.id)
    )
    if is_new or (computed < incident.grade and not incident.grade_locked):
        before = None if is_new else incident.grade
        incident.grade = computed
        record_event(
            session,
            Action.INCIDENT_GRADED,
            SYSTEM,
            incident,
            policy_version=policy.version,
            before={"grade": before} if before else None,
            after={"grade": computed, "points": points(signals, policy)},
            at=now,
        )
        if is_new:
            after_grading(session, incident, policy, now)
        else:
            raised(session, incident, SYSTEM, now)
    if incident.grade <= policy.surge_from_grade and incident.status not in FINISHED:
        apply_surge(session, incident, policy, now)


def _sample_texts(session: Session, members: list[NarrativePost], limit: int = 20) -> list[str]:
    ids = [m.post_id for m in members[:limit]]
    return cases.post_texts(session, ids)


def apply_surge(
    session: Session, incident: Incident, policy: IncidentPolicy, now: datetime | None = None
) -> int:
    """Raise the queue priority of the incident's live review cases, once per post."""
    now = now or utcnow()
    rows = cases.unsurged_live_cases(session, incident.id)
    if rows and not incident.surge:
        incident.surge = True
        after = {"boost": policy.surge_boost, "grade": incident.grade}
        record_event(session, Action.INCIDENT_SURGED, SYSTEM, incident, after=after, at=now)
    for member, case in rows:
        before = case.priority
        case.priority = round(case.priority + policy.surge_boost, 6)
        member.surged = True
        record_event(
            session,
            Action.CASE_REPRIORITISED,
            SYSTEM,
            incident,
            case_id=case.id,
            post_id=case.post_id,
            reason=SURGE,
            before={"priority": before},
            after={"priority": case.priority},
            at=now,
        )
    return len(rows)


def get_incident(session: Session, incident_id: str) -> Incident:
    missing = Msg("incident {incident_id} does not exist", incident_id=incident_id)
    return get_or_not_found(session, Incident, incident_id, missing)


def record_milestone(
    session: Session,
    incident_id: str,
    kind: str,
    actor: Actor,
    *,
    note: str = "",
    at: datetime | None = None,
) -> IncidentMilestone:
    """A plan step taken (internal report, public statement, …); stops the clocks it meets.
    A closed or dismissed incident takes no more steps (409 `incident_closed`)."""
    require_one_of(Msg("milestone"), kind, MILESTONES)
    incident = get_incident(session, incident_id)
    require_live(incident)
    at = at or utcnow()
    milestone = IncidentMilestone(
        incident_id=incident.id, kind=kind, note=note, actor=actor.name, at=at
    )
    session.add(milestone)
    record_event(
        session,
        Action.INCIDENT_MILESTONE,
        actor,
        incident,
        other={"milestone": kind},
        reason=note or None,
        at=at,
    )
    stop_clocks(session, incident, kind, at)
    complete_for_milestone(session, incident, kind, actor, at)
    if kind == "recovery" and incident.status in (IncidentStatus.ACTIVE, IncidentStatus.CONTAINED):
        incident.status = IncidentStatus.RECOVERED
        record_event(session, Action.INCIDENT_RECOVERED, actor, incident, at=at)
    if kind == "containment" and incident.contained_at is None:
        incident.contained_at = at
        if incident.status == IncidentStatus.ACTIVE:
            incident.status = IncidentStatus.CONTAINED
        record_event(session, Action.INCIDENT_CONTAINED, actor, incident, at=at)
    return milestone


def set_grade(
    session: Session, incident_id: str, new_grade: int, actor: Actor, reason: str
) -> Incident:
    """Leadership's or an admin's regrade: it sticks (automatic re-grading no longer changes
    it); a worse grade starts the clocks and gives the tasks that grade calls for."""
    if new_grade not in (1, 2, 3, 4):
        raise Invalid(Msg("grade must be 1 (I), 2 (II), 3 (III) or 4 (IV)"))
    if not reason.strip():
        raise Invalid(Msg("a manual grade needs a reason"))
    incident = get_incident(session, incident_id)
    before = lock_grade(
        session, incident, new_grade, actor, reason, Action.INCIDENT_GRADED, {"manual": True}
    )
    if new_grade < before:
        raised(session, incident, actor, utcnow())
    return incident


def close_incident(session: Session, incident_id: str, actor: Actor, reason: str) -> Incident:
    if not reason.strip():
        raise Invalid(Msg("closing an incident needs a reason"))
    incident = get_incident(session, incident_id)
    if incident.status in FINISHED:
        raise Conflict(
            Msg(
                "incident {incident_id} is already {status}",
                incident_id=incident_id,
                status=incident.status,
            ),
            code="incident_closed",
        )
    before = incident.status
    incident.status = IncidentStatus.CLOSED
    incident.closed_at = utcnow()
    record_event(
        session,
        Action.INCIDENT_CLOSED,
        actor,
        incident,
        reason=reason,
        before={"status": before},
        after={"status": incident.status},
    )
    return incident
