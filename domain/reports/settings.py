"""Operator settings for portfolio report emails: which frequencies run and when.

One row (id = 1). Users choose their own frequency in their email preferences;
a frequency the operators switched off is not sent to anyone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import time

from sqlalchemy import CheckConstraint, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from domain.db.base import Base, ChangedBy
from domain.errors import InvalidInput

DEFAULT_SEND_TIME = time(18, 0)  # IST, after the NSE close at 15:30
DEFAULT_WEEKLY_DAY = 5  # Saturday (Monday is 0)
DEFAULT_MONTHLY_DAY = 1


class ReportSettings(ChangedBy, Base):
    __tablename__ = "report_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("weekly_day BETWEEN 0 AND 6", name="weekly_day_range"),
        CheckConstraint("monthly_day BETWEEN 1 AND 28", name="monthly_day_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    daily_enabled: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    weekly_enabled: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    monthly_enabled: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    send_time: Mapped[time] = mapped_column(
        default=DEFAULT_SEND_TIME, server_default=text("'18:00'")
    )
    weekly_day: Mapped[int] = mapped_column(
        default=DEFAULT_WEEKLY_DAY, server_default=text(str(DEFAULT_WEEKLY_DAY))
    )
    monthly_day: Mapped[int] = mapped_column(
        default=DEFAULT_MONTHLY_DAY, server_default=text(str(DEFAULT_MONTHLY_DAY))
    )


@dataclass(frozen=True)
class ReportSchedule:
    daily_enabled: bool
    weekly_enabled: bool
    monthly_enabled: bool
    send_time: time
    weekly_day: int
    monthly_day: int

    def enabled(self, frequency: str) -> bool:
        return bool(getattr(self, f"{frequency}_enabled", False))


def _schedule(row: ReportSettings | None) -> ReportSchedule:
    if row is None:
        return ReportSchedule(
            True, True, True, DEFAULT_SEND_TIME, DEFAULT_WEEKLY_DAY, DEFAULT_MONTHLY_DAY
        )
    return ReportSchedule(
        row.daily_enabled,
        row.weekly_enabled,
        row.monthly_enabled,
        row.send_time,
        row.weekly_day,
        row.monthly_day,
    )


async def get_report_schedule(session: AsyncSession) -> ReportSchedule:
    return _schedule(await session.get(ReportSettings, 1))


async def update_report_schedule(
    session: AsyncSession, changes: dict, updated_by: uuid.UUID | None
) -> tuple[ReportSchedule, ReportSchedule]:
    """Apply `changes` (fields of ReportSchedule); returns (before, after). Commits."""
    row = await session.get(ReportSettings, 1, with_for_update=True)
    before = _schedule(row)
    if row is None:
        row = ReportSettings(id=1)
        session.add(row)
    unknown = set(changes) - set(ReportSchedule.__dataclass_fields__)
    if unknown:
        raise InvalidInput(
            f"Unknown report setting: {', '.join(sorted(unknown))}", field=sorted(unknown)[0]
        )
    if "weekly_day" in changes and not 0 <= int(changes["weekly_day"]) <= 6:
        raise InvalidInput("weekly_day is 0 (Monday) to 6 (Sunday)", field="weekly_day")
    if "monthly_day" in changes and not 1 <= int(changes["monthly_day"]) <= 28:
        raise InvalidInput("monthly_day is 1 to 28", field="monthly_day")
    for name, value in changes.items():
        setattr(row, name, value)
    row.updated_by = updated_by
    await session.commit()
    return before, _schedule(row)
