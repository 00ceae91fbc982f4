"""Portfolio report settings, changed by an admin and logged with the change.

`update_report_schedule` commits by itself, so the log row is added first with
the schedule the change will produce, and rides on that commit.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.admin.audit import Actor, AdminAction, record
from domain.reports.settings import (
    ReportSchedule,
    ReportSettings,
    get_report_schedule,
    update_report_schedule,
)


async def change_settings(
    session: AsyncSession, actor: Actor, changes: dict[str, Any]
) -> ReportSchedule:
    # Locked first, so the logged "before" is the row the update replaces.
    await session.get(ReportSettings, 1, with_for_update=True)
    before = await get_report_schedule(session)
    expected = dataclasses.replace(before, **changes)
    record(
        session,
        actor,
        AdminAction.REPORT_SETTINGS,
        ("report_settings", 1),
        before=before,
        after=expected,
    )
    _, after = await update_report_schedule(session, changes, actor.admin_id)
    return after
