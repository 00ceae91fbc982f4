"""The seven /admin/rate-limits endpoints."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from litestar import Controller, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from api.controllers.admin.guard import BEARER, AdminActor, RedisDep, admin_guard
from api.controllers.admin.schemas import LimitsIn, WhitelistIn, utc
from api.deps import Db
from api.schemas import Message
from domain.admin import limits
from domain.admin.limits import LimitsConfig, ViolationEntry, ViolationFilter
from domain.admin.paging import DEFAULT_PAGE_SIZE, Page
from domain.errors import InvalidInput
from domain.limits.models import LimitLevel
from domain.limits.policy import Limits, Override


@dataclass(frozen=True)
class UserLimits:
    user_id: uuid.UUID
    override: Override | None


@dataclass(frozen=True)
class CountersReset:
    user_id: uuid.UUID
    keys_removed: int


class RateLimitsController(Controller):
    path = "/rate-limits"
    guards = [admin_guard]
    security = BEARER

    @get("/config")
    async def config(self, db: Db) -> LimitsConfig:
        """Global limits, the defaults, every override and the whitelist."""
        return await limits.config(db)

    @put("/global")
    async def set_global(
        self, data: JSONBody[LimitsIn], db: Db, redis: RedisDep, actor: AdminActor
    ) -> Limits:
        """Change global limits; fields left out keep their value. Applies to the next prompt."""
        changes = data.model_dump(exclude_none=True)
        if not changes:
            raise InvalidInput("Give at least one limit to change", field="burst_per_minute")
        return await limits.set_global(db, redis, actor, changes)

    @put("/user/{user_id:uuid}")
    async def set_user(
        self,
        user_id: FromPath[uuid.UUID],
        data: JSONBody[LimitsIn],
        db: Db,
        redis: RedisDep,
        actor: AdminActor,
    ) -> UserLimits:
        """Replace one user's limits; a null level uses the global one, all null removes them."""
        override = Override(**data.model_dump())
        return UserLimits(user_id, await limits.set_override(db, redis, actor, user_id, override))

    @post("/whitelist", status_code=201)
    async def whitelist(
        self, data: JSONBody[WhitelistIn], db: Db, redis: RedisDep, actor: AdminActor
    ) -> Message:
        """Exempt a user from every limit."""
        await limits.whitelist(db, redis, actor, data.user_id, data.reason)
        return Message(message="The user is on the whitelist")

    @delete("/whitelist/{user_id:uuid}", status_code=200)
    async def unwhitelist(
        self, user_id: FromPath[uuid.UUID], db: Db, redis: RedisDep, actor: AdminActor
    ) -> Message:
        """Limit the user again."""
        await limits.unwhitelist(db, redis, actor, user_id)
        return Message(message="The user is no longer on the whitelist")

    @post("/reset/{user_id:uuid}", status_code=200)
    async def reset(
        self, user_id: FromPath[uuid.UUID], db: Db, redis: RedisDep, actor: AdminActor
    ) -> CountersReset:
        """Forget the user's counted prompts in every window and chat."""
        return CountersReset(user_id, await limits.reset_counters(db, redis, actor, user_id))

    @get("/violations")
    async def violations(
        self,
        db: Db,
        page: FromQuery[int] = 1,
        size: FromQuery[int] = DEFAULT_PAGE_SIZE,
        user_id: FromQuery[uuid.UUID | None] = None,
        level: FromQuery[LimitLevel | None] = None,
        since: FromQuery[datetime | None] = None,
    ) -> Page[ViolationEntry]:
        """Refused prompts, newest first."""
        wanted = ViolationFilter(user_id=user_id, level=level, since=utc(since))
        return await limits.violations(db, wanted, page, size)
