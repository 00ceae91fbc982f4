"""The email log: one row per email Kubera decided to send, whatever became of it."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.db.base import Base, Timestamps, UuidPk


class EmailStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class EmailLog(UuidPk, Timestamps, Base):
    __tablename__ = "email_log"
    __table_args__ = (Index("ix_email_log_status_created", "status", "created_at"),)

    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    to_email: Mapped[str] = mapped_column(String(254))
    email_type: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[EmailStatus] = mapped_column(
        Enum(EmailStatus, name="email_status", values_callable=lambda e: [m.value for m in e]),
        default=EmailStatus.QUEUED,
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
