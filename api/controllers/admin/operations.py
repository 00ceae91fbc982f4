"""Report settings, the chat switch and the activity log."""

from __future__ import annotations

import uuid
from datetime import datetime

from litestar import Controller, get, post, put
from litestar.params import FromQuery, JSONBody

from api.controllers.admin.guard import BEARER, AdminActor, RedisDep, admin_guard
from api.controllers.admin.schemas import ReportSettingsIn, SystemControlIn, utc
from api.deps import Db
from domain.admin import control, reports
from domain.admin.audit import ActivityEntry, ActivityFilter, list_activity
from domain.admin.control import ControlRequest, ControlResult
from domain.admin.notices import Enqueue
from domain.admin.paging import DEFAULT_PAGE_SIZE, Page
from domain.errors import InvalidInput
from domain.reports.settings import ReportSchedule, get_report_schedule


class ReportSettingsController(Controller):
    path = "/portfolio-reports/settings"
    guards = [admin_guard]
    security = BEARER

    @get("/")
    async def read(self, db: Db) -> ReportSchedule:
        """Which report frequencies run, and when (IST)."""
        return await get_report_schedule(db)

    @put("/")
    async def change(
        self, data: JSONBody[ReportSettingsIn], db: Db, actor: AdminActor
    ) -> ReportSchedule:
        """Change some settings; fields left out stay as they are."""
        changes = data.model_dump(exclude_none=True)
        if not changes:
            raise InvalidInput("Give at least one setting to change", field="daily_enabled")
        return await reports.change_settings(db, actor, changes)


def notice_enqueuer() -> Enqueue:
    # Imported on use: the broker connects to Redis when its module loads.
    from workers.admin import enqueue_notice

    return enqueue_notice


class SystemController(Controller):
    path = "/system"
    guards = [admin_guard]
    security = BEARER

    @post("/control", status_code=200)
    async def control(
        self,
        data: JSONBody[SystemControlIn],
        db: Db,
        redis: RedisDep,
        actor: AdminActor,
    ) -> ControlResult:
        """Stop or start chat, or set a maintenance window (optionally emailing users)."""
        request = ControlRequest(**data.model_dump())
        return await control.control(db, redis, actor, request, notice_enqueuer())


class ActivityController(Controller):
    path = "/activity-logs"
    guards = [admin_guard]
    security = BEARER

    @get("/")
    async def activity(
        self,
        db: Db,
        page: FromQuery[int] = 1,
        size: FromQuery[int] = DEFAULT_PAGE_SIZE,
        action: FromQuery[str | None] = None,
        admin_id: FromQuery[uuid.UUID | None] = None,
        target_type: FromQuery[str | None] = None,
        target_id: FromQuery[str | None] = None,
        since: FromQuery[datetime | None] = None,
    ) -> Page[ActivityEntry]:
        """Every admin action, newest first; read-only."""
        wanted = ActivityFilter(action, admin_id, target_type, target_id, utc(since))
        return await list_activity(db, wanted, page, size)
