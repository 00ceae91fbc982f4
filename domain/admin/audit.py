"""Recording admin actions and reading them back.

`record` only adds a row to the caller's session: the caller's commit writes
the action and the change together, or neither.
"""

from __future__ import annotations

import dataclasses
import enum
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.admin.models import AdminActivity
from domain.admin.paging import Page, fetch_page
from domain.db.base import utcnow


class AdminAction(enum.StrEnum):
    LOGIN = "admin.login"
    USER_DEACTIVATE = "user.deactivate"
    USER_REACTIVATE = "user.reactivate"
    LIMITS_GLOBAL = "rate_limits.global"
    LIMITS_OVERRIDE = "rate_limits.override"
    WHITELIST_ADD = "rate_limits.whitelist_add"
    WHITELIST_REMOVE = "rate_limits.whitelist_remove"
    COUNTERS_RESET = "rate_limits.reset"
    REPORT_SETTINGS = "reports.settings"
    SYSTEM_STOP = "system.stop"
    SYSTEM_START = "system.start"
    SYSTEM_MAINTENANCE = "system.maintenance"
    JOB_RUN = "jobs.run"


@dataclass(frozen=True)
class Actor:
    """The admin behind a request, and where it came from."""

    admin_id: uuid.UUID
    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class ActivityEntry:
    id: uuid.UUID
    admin_id: uuid.UUID
    action: str
    target_type: str | None
    target_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    ip: str | None
    user_agent: str | None
    created_at: datetime


def jsonable(value: Any) -> Any:
    """Dataclasses, times and ids as plain JSON values, for the before/after columns."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | enum.Enum):
        return str(value.value if isinstance(value, enum.Enum) else value)
    return value


def record(
    session: AsyncSession,
    actor: Actor,
    action: AdminAction,
    target: tuple[str, object] | None = None,
    *,
    before: Any = None,
    after: Any = None,
) -> None:
    """Add one log row to the session; `target` is (type, id), e.g. ("user", id)."""
    target_type, target_id = target if target else (None, None)
    session.add(
        AdminActivity(
            id=uuid.uuid4(),
            admin_id=actor.admin_id,
            action=action.value,
            target_type=target_type,
            target_id=str(target_id) if target_id is not None else None,
            before=jsonable(before),
            after=jsonable(after),
            ip=actor.ip,
            user_agent=(actor.user_agent or "")[:255] or None,
            created_at=utcnow(),
        )
    )


@dataclass(frozen=True)
class ActivityFilter:
    action: str | None = None
    admin_id: uuid.UUID | None = None
    target_type: str | None = None
    target_id: str | None = None
    since: datetime | None = None


async def list_activity(
    session: AsyncSession, wanted: ActivityFilter, page: int, size: int
) -> Page[ActivityEntry]:
    """Newest first."""
    log = AdminActivity
    query = select(log).order_by(log.created_at.desc(), log.id)
    conditions = (
        (log.action, wanted.action),
        (log.admin_id, wanted.admin_id),
        (log.target_type, wanted.target_type),
        (log.target_id, wanted.target_id),
    )
    for column, value in conditions:
        if value is not None:
            query = query.where(column == value)
    if wanted.since is not None:
        query = query.where(log.created_at >= wanted.since)
    rows, total = await fetch_page(session, query, page, size)
    fields = [f.name for f in dataclasses.fields(ActivityEntry)]
    items = [ActivityEntry(**{name: getattr(row, name) for name in fields}) for (row,) in rows]
    return Page(items, total, page, size)
