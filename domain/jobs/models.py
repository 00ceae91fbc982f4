"""One row per job run: scheduled ticks that were due, and runs users request."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.db.base import Base, UuidPk, utcnow


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"


class JobOutcome(enum.StrEnum):
    OK = "ok"
    SKIPPED = "skipped"
    FAILED = "failed"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e])


class JobRun(UuidPk, Base):
    __tablename__ = "job_runs"
    __table_args__ = (
        Index("ix_job_runs_job_queued_at", "job", "queued_at"),
        Index("ix_job_runs_queued_at", "queued_at"),
    )

    job: Mapped[str] = mapped_column(String(60))
    # "schedule" for periodiq ticks, "request" for runs a user or operator asked for.
    trigger: Mapped[str] = mapped_column(String(20), default="schedule")
    requested_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[JobState] = mapped_column(_enum(JobState, "job_state"), default=JobState.QUEUED)
    outcome: Mapped[JobOutcome | None] = mapped_column(_enum(JobOutcome, "job_outcome"))
    queued_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    detail: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
