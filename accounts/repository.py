"""Queries on the accounts tables: users, API keys and browser sessions; the people who work the review queue,
as the supervisor's pages list them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from accounts.models import ApiKey, User
from accounts.session_models import UiSession


def user_named(session: Session, username: str, *, for_update: bool = False) -> User | None:
    query = select(User).where(User.username == username)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def users_by_name(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.username)).all()


def api_keys_oldest_first(session: Session) -> Sequence[ApiKey]:
    return session.scalars(select(ApiKey).order_by(ApiKey.created_at)).all()


def api_key_hashed(session: Session, key_hash: str) -> ApiKey | None:
    return session.scalars(select(ApiKey).where(ApiKey.key_hash == key_hash)).first()


def api_keys_with_prefix(session: Session, prefix: str) -> list[ApiKey]:
    """Every key shown with `prefix`, oldest first (a prefix is short, so two may share one)."""
    query = select(ApiKey).where(ApiKey.prefix == prefix).order_by(ApiKey.created_at)
    return list(session.scalars(query))


def revoke_live_ui_sessions(session: Session, user_id: str, at: datetime) -> None:
    """Mark every unrevoked browser session of the user revoked at `at`."""
    session.execute(
        update(UiSession)
        .where(UiSession.user_id == user_id, UiSession.revoked_at.is_(None))
        .values(revoked_at=at)
    )


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
