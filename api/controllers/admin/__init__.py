"""The 19 /admin endpoints. Sign-in is open; every other controller carries
the admin guard.
"""

from __future__ import annotations

from litestar import Router
from litestar.di import Provide

from api.controllers.admin.dashboard import DashboardController
from api.controllers.admin.guard import provide_actor, provide_redis
from api.controllers.admin.limits import RateLimitsController
from api.controllers.admin.login import AdminLoginController
from api.controllers.admin.operations import (
    ActivityController,
    ReportSettingsController,
    SystemController,
)
from api.controllers.admin.users import UsersController

admin_router = Router(
    path="/admin",
    route_handlers=[
        AdminLoginController,
        DashboardController,
        UsersController,
        RateLimitsController,
        ReportSettingsController,
        SystemController,
        ActivityController,
    ],
    dependencies={
        "redis": Provide(provide_redis, sync_to_thread=False),
        "actor": Provide(provide_actor, sync_to_thread=False),
    },
    tags=["admin"],
)

__all__ = ["admin_router"]
