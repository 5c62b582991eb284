"""Response groups: their channels (signed webhook, Slack-compatible webhook, e-mail) and their
members (users, with the address e-mail reaches them at). Every change is logged."""

from __future__ import annotations

from sqlalchemy.orm import Session

from accounts.repository import user_named
from audit.events import Action, Subject
from audit.service import record
from core.actors import Actor
from core.errors import Invalid, NotFound, require_one_of
from core.messages import Msg
from core.outbound import OutboundPolicy
from incidents.channels import CHANNELS, EMAIL, SLACK, WEBHOOK
from incidents.models import ResponseGroup, ResponseGroupMember
from incidents.repository import groups as repository
from incidents.types import GroupKind


def add_channel(
    session: Session,
    actor: Actor,
    outbound: OutboundPolicy,
    *,
    group: str,
    channel: str = WEBHOOK,
    url: str = "",
    secret: str = "",
    min_grade: int = 4,
) -> ResponseGroup:
    """A webhook needs a URL and a signing secret, Slack a URL, e-mail neither (it goes to the
    group's members). URLs pass the outbound gate here and again at every send."""
    require_one_of(Msg("channel"), channel, CHANNELS)
    if channel in (WEBHOOK, SLACK):
        if not url:
            raise Invalid(
                Msg("a {channel} channel needs a url", channel=channel), code="url_required"
            )
        outbound.check(url)
    if channel == WEBHOOK and len(secret) < 16:
        raise Invalid(Msg("a webhook channel needs a secret of 16+ characters"), code="weak_secret")
    row = ResponseGroup(
        role=group,
        channel=channel,
        url="" if channel == EMAIL else url,
        secret=secret if channel == WEBHOOK else "",
        min_grade=min_grade,
    )
    session.add(row)
    session.flush()
    record(
        session,
        Action.RESPONSE_GROUP_CHANGED,
        actor,
        Subject(other={"group_id": row.id}),
        after={"role": row.role, "channel": row.channel, "url": row.url, "min_grade": min_grade},
    )
    return row


def require_group_kind(group: str) -> None:
    require_one_of(Msg("group"), group, GroupKind)


def add_member(
    session: Session, group: str, username: str, actor: Actor, *, email: str | None = None
) -> ResponseGroupMember:
    """Add (or update the address of) a member; idempotent per group and user."""
    require_group_kind(group)
    user = user_named(session, username)
    if user is None:
        raise Invalid(Msg("no user '{username}'", username=username), code="unknown_user")
    member = repository.membership(session, group, user.id)
    if member is None:
        member = ResponseGroupMember(group=group, user_id=user.id, added_by=actor.name)
        session.add(member)
    member.email = email
    session.flush()
    _log(session, actor, group, username, email, added=True)
    return member


def remove_member(session: Session, group: str, username: str, actor: Actor) -> None:
    member = repository.membership_of_username(session, group, username)
    if member is None:
        raise NotFound(
            Msg("'{username}' is not in the {group} group", username=username, group=group)
        )
    session.delete(member)
    _log(session, actor, group, username, None, added=False)


def members(session: Session, group: str | None = None) -> list[dict[str, object]]:
    rows = repository.members_with_names(session, group)
    return [
        {"group": m.group, "username": name, "email": m.email, "added_by": m.added_by}
        for m, name in rows
    ]


def channels(session: Session) -> list[dict[str, object]]:
    rows = repository.groups_by_role(session)
    return [
        {
            "id": g.id,
            "group": g.role,
            "channel": g.channel,
            "url": g.url,
            "min_grade": g.min_grade,
            "active": g.active,
        }
        for g in rows
    ]


def _log(
    session: Session, actor: Actor, group: str, username: str, email: str | None, *, added: bool
) -> None:
    record(
        session,
        Action.RESPONSE_GROUP_MEMBER_CHANGED,
        actor,
        Subject(other={"group": group, "username": username}),
        after={"member": added, "email": email},
    )
