"""Queries on the accounts tables: users and API keys; the people who work the review queue,
as the supervisor's pages list them."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import ApiKey, User


def user_named(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def users_by_name(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.username)).all()


def api_keys_newest_first(session: Session) -> Sequence[ApiKey]:
    return session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc())).all()


def active_users_in_roles(session: Session, roles: Collection[str]) -> list[User]:
    """Active users holding one of `roles`, by role, then name."""
    return list(
        session.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_(roles))
            .order_by(User.role, User.username)
        )
    )
