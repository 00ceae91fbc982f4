"""GET /admin/dashboard and /admin/dashboard/prompt-activity."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, get
from litestar.params import FromQuery

from api.controllers.admin.guard import BEARER, RedisDep, admin_guard
from api.deps import Db
from domain.admin import dashboard
from domain.admin.dashboard import ActivityPoint, Bucket, Dashboard


@dataclass(frozen=True)
class PromptActivity:
    bucket: str
    days: int
    points: list[ActivityPoint]


class DashboardController(Controller):
    path = "/dashboard"
    guards = [admin_guard]
    security = BEARER

    @get("/")
    async def overview(self, db: Db, redis: RedisDep) -> Dashboard:
        """Users, chats, prompts, tool calls, violations, emails, queues, chat switch."""
        return await dashboard.dashboard(db, redis)

    @get("/prompt-activity")
    async def prompt_activity(
        self, db: Db, bucket: FromQuery[Bucket] = "hour", days: FromQuery[int] = 1
    ) -> PromptActivity:
        """Prompts and prompting users per hour or day over the last `days` days."""
        points = await dashboard.prompt_activity(db, bucket, days)
        return PromptActivity(bucket, days, points)
