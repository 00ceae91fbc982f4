"""The admin guard and the values admin handlers ask for by name.

The guard runs before every handler of a guarded controller, whatever the
handler's parameters, so no admin route can forget to check.
"""

from __future__ import annotations

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.handlers import BaseRouteHandler
from redis.asyncio import Redis

from api.deps import bearer_token, provide_client
from domain.admin.access import admin_for_access_token
from domain.admin.audit import Actor


async def admin_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """401 without a valid token, 403 unless it came from the admin login."""
    state = connection.app.state
    token = bearer_token(connection)  # type: ignore[arg-type]  (reads headers only)
    async with state.sessions() as db:
        admin = await admin_for_access_token(state.accounts, db, state.redis, token)
    client = provide_client(connection)  # type: ignore[arg-type]
    connection.state.admin = Actor(admin.id, client.ip, client.user_agent)


def provide_actor(request: Request) -> Actor:
    return request.state.admin


def provide_redis(state: State) -> Redis:
    return state.redis


AdminActor = NamedDependency[Actor]
RedisDep = NamedDependency[Redis]
BEARER = [{"BearerToken": []}]
