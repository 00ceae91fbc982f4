"""Prompt rate limits: the global config, per-user overrides, the whitelist and
the log of refused prompts.

The counters themselves live in Redis (see `counter`); these tables hold only
what an admin sets and what happened.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.db.base import Base, Timestamps, UuidPk, utcnow


class LimitLevel(enum.StrEnum):
    """The four levels, in the order they are checked."""

    BURST = "burst"
    PER_CHAT = "per_chat"
    HOURLY = "hourly"
    DAILY = "daily"


def _both_null_or_ordered(low: str, high: str) -> str:
    return f"({low} IS NULL OR {high} IS NULL OR {low} <= {high})"


def _null_or_positive(column: str) -> str:
    return f"({column} IS NULL OR {column} > 0)"


_LIMIT_COLUMNS = ("burst_per_minute", "per_chat", "per_hour", "per_day")


class RateLimitConfig(Timestamps, Base):
    """The global limits: one row, id 1. With no row the DEFAULT_* values apply."""

    __tablename__ = "rate_limit_config"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint(" AND ".join(f"{c} > 0" for c in _LIMIT_COLUMNS), name="positive"),
        CheckConstraint("burst_per_minute <= per_hour AND per_hour <= per_day", name="ordered"),
    )

    id: Mapped[int] = mapped_column(
        primary_key=True, autoincrement=False, default=1, server_default=text("1")
    )
    burst_per_minute: Mapped[int]
    per_chat: Mapped[int]
    per_hour: Mapped[int]
    per_day: Mapped[int]


class UserRateLimit(Timestamps, Base):
    """One user's overrides; a NULL level falls back to the global value."""

    __tablename__ = "user_rate_limits"
    __table_args__ = (
        CheckConstraint(
            " AND ".join(_null_or_positive(c) for c in _LIMIT_COLUMNS), name="positive"
        ),
        CheckConstraint(
            " AND ".join(
                (
                    _both_null_or_ordered("burst_per_minute", "per_hour"),
                    _both_null_or_ordered("per_hour", "per_day"),
                    _both_null_or_ordered("burst_per_minute", "per_day"),
                )
            ),
            name="ordered",
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    burst_per_minute: Mapped[int | None]
    per_chat: Mapped[int | None]
    per_hour: Mapped[int | None]
    per_day: Mapped[int | None]


class RateLimitWhitelist(Base):
    """Users no limit applies to; their prompts are not even counted."""

    __tablename__ = "rate_limit_whitelist"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    added_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)


class RateLimitViolation(UuidPk, Base):
    """One refused prompt. `retry_after_s` is NULL for per_chat: that chat stays closed."""

    __tablename__ = "rate_limit_violations"
    __table_args__ = (
        Index("ix_rate_limit_violations_user_id_created_at", "user_id", "created_at"),
        Index("ix_rate_limit_violations_created_at", "created_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # No foreign key yet: the chats table arrives with the chat slice.
    chat_id: Mapped[uuid.UUID | None]
    level: Mapped[LimitLevel] = mapped_column(
        Enum(LimitLevel, name="rate_limit_level", values_callable=lambda e: [m.value for m in e])
    )
    limit: Mapped[int]
    count: Mapped[int]
    retry_after_s: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
