"""Users (reviewers, PR, legal, admins, leadership, technical response) and the platform's API
keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, NewId
from core.types import UtcDateTime, WrittenAt


class User(Base):
    __tablename__ = "users"

    id: Mapped[NewId]
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    # The UI's language ("en", "zh"); None: each browser's Accept-Language decides.
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Every bearer token carries the generation it was issued in; bumping it (sign-out,
    # password change, deactivation) refuses all of the user's tokens at once.
    token_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[WrittenAt]


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[NewId]
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # shown in lists so a key can be recognised
    scopes: Mapped[list[str]] = mapped_column(JSON)
    rate_limit_per_minute: Mapped[int] = mapped_column(Integer, default=6000)
    created_at: Mapped[WrittenAt]
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
