"""The admin activity log: one row per admin action, never changed afterwards.

The migration adds a trigger that refuses UPDATE and DELETE on the table, so
not even a bug in the API can rewrite history.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.db.base import Base, UuidPk, utcnow


class AdminActivity(UuidPk, Base):
    __tablename__ = "admin_activity_log"
    __table_args__ = (
        Index("ix_admin_activity_log_created_at", "created_at"),
        Index("ix_admin_activity_log_admin_created", "admin_id", "created_at"),
        Index("ix_admin_activity_log_action_created", "action", "created_at"),
        Index("ix_admin_activity_log_target", "target_type", "target_id"),
    )

    # No foreign keys: a log row outlives the accounts it names, and the
    # append-only trigger would refuse the UPDATE an ON DELETE SET NULL does.
    admin_id: Mapped[uuid.UUID]
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str | None] = mapped_column(String(30))
    target_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
