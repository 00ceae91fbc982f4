"""`GET /` and `GET /health`."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from litestar import Controller, Response, get
from litestar.datastructures import State
from sqlalchemy import text

from domain import ops

VERSION = "0.1.0"
# A dependency that does not answer within this is reported down.
HEALTH_PROBE_TIMEOUT_S = 2.0


async def _probe(coro) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(coro, HEALTH_PROBE_TIMEOUT_S)
    except Exception as exc:  # any failure means "down"; the reason is shown, not raised
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "latency_ms": round((time.perf_counter() - started) * 1000, 2)}


async def _db_ping(state: State) -> None:
    async with state.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


class RootController(Controller):
    path = "/"
    tags = ["root"]

    @get("/")
    async def root(self, state: State) -> dict[str, Any]:
        """Name, version and where to go next."""
        return {
            "name": state.settings.app.name,
            "version": VERSION,
            "description": "AI stock analysis for Indian markets (NSE/BSE)",
            "links": {
                "health": "/health",
                "docs": "/schema/swagger",
                "redoc": "/schema/redoc",
                "openapi": "/schema/openapi.json",
                "websocket": "/ws/chat?token=<access token>",
            },
        }

    @get("/health")
    async def health(self, state: State) -> Response[dict[str, Any]]:
        """200 when PostgreSQL and Redis answer, 503 otherwise; queue depths and workers."""
        database, redis_ = await asyncio.gather(_probe(_db_ping(state)), _probe(state.redis.ping()))
        body: dict[str, Any] = {
            "status": "ok" if database["ok"] and redis_["ok"] else "degraded",
            "database": database,
            "redis": redis_,
        }
        if redis_["ok"]:
            workers = await ops.live_workers(state.redis)
            body["queues"] = await ops.queue_depths(state.redis)
            body["workers"] = {"by_queue": ops.workers_by_queue(workers), "live": workers}
        return Response(body, status_code=200 if body["status"] == "ok" else 503)
