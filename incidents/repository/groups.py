"""Queries on the response groups: their channels and their members."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from accounts.models import User
from incidents.models import ResponseGroup, ResponseGroupMember


def membership(session: Session, group: str, user_id: str) -> ResponseGroupMember | None:
    return session.scalars(
        select(ResponseGroupMember).where(
            ResponseGroupMember.group == group, ResponseGroupMember.user_id == user_id
        )
    ).first()


def membership_of_username(
    session: Session, group: str, username: str
) -> ResponseGroupMember | None:
    return session.scalars(
        select(ResponseGroupMember)
        .join(User, User.id == ResponseGroupMember.user_id)
        .where(ResponseGroupMember.group == group, User.username == username)
    ).first()


def members_with_names(
    session: Session, group: str | None = None
) -> Sequence[Row[ResponseGroupMember, str]]:
    """(membership, username) of one group or all, by group then username."""
    query = select(ResponseGroupMember, User.username).join(
        User, User.id == ResponseGroupMember.user_id
    )
    if group:
        query = query.where(ResponseGroupMember.group == group)
    return session.execute(query.order_by(ResponseGroupMember.group, User.username)).all()


def groups_by_role(session: Session) -> Sequence[ResponseGroup]:
    return session.scalars(select(ResponseGroup).order_by(ResponseGroup.role)).all()


def active_channels(
    session: Session, grade: int, groups: Iterable[str] | None, *, any_grade: bool
) -> Sequence[ResponseGroup]:
    """Active groups (of `groups`, if given) whose grade bar `grade` meets, unless `any_grade`."""
    query = select(ResponseGroup).where(ResponseGroup.active.is_(True))
    if not any_grade:
        query = query.where(ResponseGroup.min_grade >= grade)
    if groups is not None:
        query = query.where(ResponseGroup.role.in_(list(groups)))
    return session.scalars(query.order_by(ResponseGroup.role)).all()


def group_emails(session: Session, group: str) -> Sequence[str | None]:
    return session.scalars(
        select(ResponseGroupMember.email).where(
            ResponseGroupMember.group == group, ResponseGroupMember.email.is_not(None)
        )
    ).all()


def user_group_emails(session: Session, username: str) -> Sequence[str | None]:
    """The addresses a person gave in their response-group memberships."""
    return session.scalars(
        select(ResponseGroupMember.email)
        .join(User, User.id == ResponseGroupMember.user_id)
        .where(User.username == username, ResponseGroupMember.email.is_not(None))
    ).all()


def is_member(session: Session, group: str, username: str) -> bool:
    found = session.scalars(
        select(ResponseGroupMember.id)
        .join(User, User.id == ResponseGroupMember.user_id)
        .where(ResponseGroupMember.group == group, User.username == username)
    ).first()
    return found is not None
