"""The `chat` queue: one message per turn, run by `run_turn`.

The worker keeps, per process, one Redis client, one MCP client connected to
the combined tool server in memory, and one chart store. A redelivered turn
(its worker died) runs again from the start under the same turn id: the
stream tells clients to start over, and the answer is still stored once.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import dramatiq
from redis.asyncio import Redis

from domain.chat.events import TurnPublisher, is_final
from domain.chat.models import Message, MessageRole, Turn, TurnStatus
from domain.chat.turn import TurnRunner
from domain.db.base import utcnow
from domain.llm.base import ChatModel, ToolSpec
from domain.settings import get_settings
from workers import db
from workers.broker import broker
from workers.middleware import on_shutdown

log = logging.getLogger("kubera.workers.chat")

# A worker that dies mid-turn is replaced this many times before the turn fails.
DEFAULT_TURN_RETRIES = 2
# Hard ceiling for one turn (Dramatiq interrupts the actor after it).
DEFAULT_TURN_TIME_LIMIT_MS = 10 * 60 * 1000


class McpTools:
    """The MCP tools, called through FastMCP's in-memory client."""

    def __init__(self, client: Any, specs: list[ToolSpec]) -> None:
        self._client = client
        self._specs = specs

    @classmethod
    async def connect(cls) -> McpTools:
        from fastmcp import Client

        from mcp_servers.combined import server

        client = Client(server)
        await client.__aenter__()
        specs = [
            ToolSpec(t.name, t.description or "", t.input_schema) for t in await client.list_tools()
        ]
        return cls(client, specs)

    def specs(self) -> list[ToolSpec]:
        return list(self._specs)

    async def close(self) -> None:
        await self._client.close()

    async def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        result = await self._client.call_tool(name, arguments, raise_on_error=True)
        if isinstance(result.structured_content, dict):
            content = result.structured_content
            return content.get("result", content) if set(content) == {"result"} else content
        texts = [getattr(block, "text", "") for block in result.content]
        return json.loads("".join(texts) or "{}")


class _Process:
    """Per-process resources, created on the worker's event loop at first use."""

    redis: Redis | None = None
    tools: McpTools | None = None
    model: ChatModel | None = None

    @classmethod
    async def get(cls) -> type[_Process]:
        if cls.redis is None:
            settings = get_settings()
            cls.redis = Redis.from_url(settings.redis.url)
            _configure_market(settings)
            cls.tools = await McpTools.connect()
            cls.model = _build_model(settings)
            on_shutdown(cls.close)
        return cls

    @classmethod
    async def close(cls) -> None:
        """Close the MCP session and the Redis client (worker shutdown)."""
        tools, redis, cls.tools, cls.redis = cls.tools, cls.redis, None, None
        if tools is not None:
            await tools.close()
        if redis is not None:
            await redis.aclose()


def _configure_market(settings) -> None:
    from domain.charts.store import DbChartStore
    from domain.market import cached_source, get_source
    from mcp_servers.context import set_chart_store, set_market

    source = get_source(settings.market.data_source, deadline_s=settings.market.deadline_s)
    set_market(cached_source(source, settings.redis.url))
    set_chart_store(DbChartStore(settings.database))


def _build_model(settings) -> ChatModel:
    import httpx

    from domain.analyst.model import OfflineAnalyst
    from domain.llm.factory import build_model

    # One pool for the process's event loop: no new connection per model step.
    timeout = httpx.Timeout(settings.llm.timeout_s, connect=10.0)
    client = httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(max_connections=200))
    return build_model(settings.llm, offline_factory=OfflineAnalyst, client=client)


async def _already_answered(publisher: TurnPublisher, turn: Turn) -> bool:
    """True when an earlier run stored the answer; makes sure clients heard of it."""
    async with db.sessions()() as session:
        answer = (
            (
                await session.execute(
                    Message.__table__.select().where(
                        Message.turn_id == turn.id, Message.role == MessageRole.ASSISTANT
                    )
                )
            )
            .mappings()
            .first()
        )
    if answer is None:
        return False
    published = await publisher.resume()
    if not any(is_final(e) for e in published):
        await publisher.publish(
            "message_complete", message_id=str(answer["id"]), metadata=answer["metadata"]
        )
    return True


async def _start(turn_id: uuid.UUID) -> Turn | None:
    async with db.sessions()() as session:
        turn = await session.get(Turn, turn_id, with_for_update=True)
        if turn is None or turn.status in (TurnStatus.COMPLETE, TurnStatus.CANCELLED):
            return None
        turn.status = TurnStatus.RUNNING
        turn.attempts += 1
        turn.started_at = utcnow()
        await session.commit()
        return turn


async def _run(turn_id: uuid.UUID) -> None:
    process = await _Process.get()
    turn = await _start(turn_id)
    if turn is None:
        log.info("turn skipped: unknown or finished", extra={"turn_id": str(turn_id)})
        return
    publisher = TurnPublisher(process.redis, turn.id, turn.chat_id)
    if await _already_answered(publisher, turn):
        return
    if await publisher.resume():
        await publisher.publish("turn_started", restart=True)
    runner = TurnRunner(
        sessions=db.sessions(), model=process.model, tools=process.tools, publisher=publisher
    )
    await runner.run(turn)


@dramatiq.actor(
    queue_name="chat",
    max_retries=DEFAULT_TURN_RETRIES,
    min_backoff=200,
    max_backoff=2000,
    time_limit=DEFAULT_TURN_TIME_LIMIT_MS,
)
async def run_turn(turn_id: str) -> None:
    await _run(uuid.UUID(turn_id))


__all__ = ["broker", "run_turn"]
