"""The claim library: fact-checked claims, and the posts known to repeat them."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, NewId
from core.types import UtcDateTime, WrittenAt


def stable_claim_id(origin: str, origin_ref: str) -> str:
    """Imported claims get the same id on every install, so indexes and links survive re-imports."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"veracity-claim:{origin}:{origin_ref}").hex


class Verdict(enum.StrEnum):
    FALSE = "false"
    MISLEADING = "misleading"
    TRUE = "true"
    UNVERIFIED = "unverified"


class Origin(enum.StrEnum):
    CHECKTHAT = "checkthat"
    LIAR_PLUS = "liar_plus"
    REVIEWER = "reviewer"
    FIXTURE = "fixture"  # the bundled demo/test claims in claims/fixtures/


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (UniqueConstraint("origin", "origin_ref", name="uq_claims_origin_ref"),)

    id: Mapped[NewId]
    text: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String(16), index=True)
    source_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    source_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    explanation: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(32))
    origin_ref: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64), default="system")
    created_at: Mapped[WrittenAt]
    # Added by 0504: a retired claim is kept (statements and links cite it) but not matched.
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    retired_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)  # last edit


class ClaimPost(Base):
    """A post known to repeat a claim: linked by a reviewer's decision or by the matcher.

    Publishing a statement about the claim labels every post linked here.
    """

    __tablename__ = "claim_posts"
    __table_args__ = (
        UniqueConstraint("claim_id", "post_id", name="uq_claim_posts_claim_post"),
        Index("ix_claim_posts_post", "post_id"),
    )

    id: Mapped[NewId]
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    linked_by: Mapped[str] = mapped_column(String(64))  # a reviewer's name or "system:matcher"
    similarity: Mapped[float | None] = mapped_column(Float, nullable=True)
    decision_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[WrittenAt]
