"""The people who work the review queue, as the supervisor's pages list them."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import User


def active_users_in_roles(session: Session, roles: Collection[str]) -> list[User]:
    """Active users holding one of `roles`, by role, then name."""
    return list(
        session.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_(roles))
            .order_by(User.role, User.username)
        )
    )
