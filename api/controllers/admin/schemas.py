"""Request bodies of the admin endpoints. Responses are the admin slice's
dataclasses, serialised as they are.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time

from pydantic import AwareDatetime, Field

from api.schemas import Body
from domain.admin.control import SystemAction

# Keeps a limit inside a PostgreSQL integer; the domain checks the rest.
MAX_LIMIT = 10_000_000


class AdminLoginIn(Body):
    username: str = Field(min_length=1, max_length=254, description="Username or email.")
    password: str = Field(min_length=1, max_length=128)


class AdminVerifyIn(Body):
    username: str = Field(min_length=1, max_length=254, description="As in step 1.")
    otp: str = Field(pattern=r"^\s*\d{6}\s*$", description="The 6-digit code from the email.")


class DeactivateIn(Body):
    reason: str | None = Field(None, max_length=500, description="Told to the user by email.")


class LimitsIn(Body):
    """Prompts per sliding minute, per chat, per hour and per 24 hours."""

    burst_per_minute: int | None = Field(None, le=MAX_LIMIT)
    per_chat: int | None = Field(None, le=MAX_LIMIT)
    per_hour: int | None = Field(None, le=MAX_LIMIT)
    per_day: int | None = Field(None, le=MAX_LIMIT)


class WhitelistIn(Body):
    user_id: uuid.UUID
    reason: str | None = Field(None, max_length=255)


class ReportSettingsIn(Body):
    daily_enabled: bool | None = None
    weekly_enabled: bool | None = None
    monthly_enabled: bool | None = None
    send_time: time | None = Field(None, description="IST, HH:MM.")
    weekly_day: int | None = Field(None, description="0 (Monday) to 6 (Sunday).")
    monthly_day: int | None = Field(None, description="1 to 28.")


class SystemControlIn(Body):
    action: SystemAction = Field(description="stop, start, or maintenance.")
    message: str | None = Field(None, max_length=1000, description="Shown to refused prompts.")
    starts_at: AwareDatetime | None = Field(None, description="Maintenance window start.")
    ends_at: AwareDatetime | None = Field(None, description="Maintenance window end.")
    notify_users: bool = Field(False, description="Email every active user (maintenance).")


def utc(moment: datetime | None) -> datetime | None:
    """Query-string times without a zone are taken as UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment
