"""Columns shared by the rows that send something outside and retry until it lands."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column


class OutboundAttempts:
    """The key the receiving side deduplicates on, the attempts made and the last one's error:
    the same columns on an enforcement action (a takedown) and a statement delivery.

    A mixin's columns come after the model's own; each model gives the columns it declares after
    these `sort_order=1`, so every table keeps its column order.
    """

    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
