"""Browser sessions for the review UI, stored server-side so logout and disabling a user bite."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from core.types import UtcDateTime, WrittenAt


class UiSession(Base):
    __tablename__ = "ui_sessions"

    # SHA-256 of the cookie value: a leaked database row cannot be replayed as a cookie.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[WrittenAt]
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
