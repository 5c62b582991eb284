"""The review console's own rows: per-reviewer wellness settings, autosaved notes, QA samples.

Kept apart from `pipeline.models` so the queue's tables stay as they are; migration
`0702_reviewer_console` creates these (no foreign keys: the review_ui branch stands alone).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.db import Base, NewId
from core.types import UtcDateTime


class ReviewerSettings(Base):
    """What a reviewer chose to protect themselves: media blurred, grayscale, a daily cap."""

    __tablename__ = "reviewer_settings"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    blur_media: Mapped[bool] = mapped_column(Boolean, default=True)
    grayscale: Mapped[bool] = mapped_column(Boolean, default=False)
    daily_cap: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class CaseNoteDraft(Base):
    """A note being typed on a case, saved as it is typed so a lost lease does not lose it."""

    __tablename__ = "case_note_drafts"

    case_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class QaSampling(Base):
    """The fraction of final human decisions drawn into the blind QA queue (one row, id 1)."""

    __tablename__ = "qa_sampling"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    fraction: Mapped[float] = mapped_column(Float, default=0.0)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class QaReview(Base):
    """A blind re-review of a decided case and whether it agreed with the original decision."""

    __tablename__ = "qa_reviews"

    id: Mapped[NewId]
    qa_case_id: Mapped[str] = mapped_column(String(32), unique=True)
    original_decision_id: Mapped[str] = mapped_column(String(32), index=True)
    original_reviewer: Mapped[str] = mapped_column(String(64), index=True)
    original_action: Mapped[str] = mapped_column(String(32))
    reviewer: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    reason_code: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    agrees: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
