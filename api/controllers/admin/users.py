"""The four /admin/users endpoints."""

from __future__ import annotations

import uuid

from litestar import Controller, get, put
from litestar.params import FromPath, FromQuery, JSONBody

from api.controllers.admin.guard import BEARER, AdminActor, RedisDep, admin_guard
from api.controllers.admin.schemas import DeactivateIn
from api.deps import AccountsDep, Db
from domain.accounts.models import Role
from domain.admin import users
from domain.admin.paging import DEFAULT_PAGE_SIZE, Page
from domain.admin.users import UserDetail, UserEntry, UserFilter


class UsersController(Controller):
    path = "/users"
    guards = [admin_guard]
    security = BEARER

    @get("/")
    async def list_users(
        self,
        db: Db,
        page: FromQuery[int] = 1,
        size: FromQuery[int] = DEFAULT_PAGE_SIZE,
        is_active: FromQuery[bool | None] = None,
        role: FromQuery[Role | None] = None,
        search: FromQuery[str | None] = None,
    ) -> Page[UserEntry]:
        """Accounts, newest first; `search` matches part of an email or username."""
        wanted = UserFilter(is_active=is_active, role=role, search=search)
        return await users.list_users(db, wanted, page, size)

    @get("/{user_id:uuid}")
    async def user_detail(
        self, user_id: FromPath[uuid.UUID], db: Db, redis: RedisDep
    ) -> UserDetail:
        """One account: usage, effective limits, override, whitelist, recent violations."""
        return await users.user_detail(db, redis, user_id)

    @put("/{user_id:uuid}/deactivate")
    async def deactivate(
        self,
        user_id: FromPath[uuid.UUID],
        db: Db,
        accounts: AccountsDep,
        actor: AdminActor,
        data: JSONBody[DeactivateIn | None] = None,
    ) -> UserEntry:
        """Block the account; its tokens stop working at once and it is emailed."""
        reason = data.reason if data else None
        return await users.deactivate(accounts, db, actor, user_id, reason)

    @put("/{user_id:uuid}/reactivate")
    async def reactivate(
        self, user_id: FromPath[uuid.UUID], db: Db, accounts: AccountsDep, actor: AdminActor
    ) -> UserEntry:
        """Let the account sign in again; it is emailed."""
        return await users.reactivate(accounts, db, actor, user_id)
