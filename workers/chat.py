"""The `chat` queue: one message per turn, run by `run_turn`.

The worker keeps, per process, one Redis client, one MCP client connected to
the combined tool server in memory, one chart store and one subscription for
cancel requests. A redelivered turn (its worker died) runs again from the
start under the same turn id: the stream tells clients to start over, and the
answer is still stored once. A turn whose answer is stored already is only
announced again, in case its worker died between storing and saying so.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import dramatiq
from dramatiq.middleware import CurrentMessage
from redis.asyncio import Redis
from sqlalchemy import bindparam, exists, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.chat.cancel import CancelListener
from domain.chat.events import TurnPublisher, is_final, published
from domain.chat.history import history_of, history_rows
from domain.chat.models import Message, MessageRole, Turn, TurnStatus
from domain.chat.turn import TurnLimits, TurnRunner
from domain.db.base import utcnow
from domain.db.session import autocommit
from domain.llm.base import ChatMessage, ChatModel, ToolSpec
from domain.settings import get_settings
from workers import db
from workers.broker import broker
from workers.middleware import on_shutdown

log = logging.getLogger("kubera.workers.chat")

# A worker that dies mid-turn is replaced this many times before the turn fails.
DEFAULT_TURN_RETRIES = 2
# Hard ceiling for one turn (Dramatiq interrupts the actor after it); the
# turn's own deadline (TurnLimits.turn_timeout_s) ends it properly before.
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
    cancels: CancelListener | None = None
    limits: TurnLimits = TurnLimits()
    _opening: asyncio.Lock | None = None

    @classmethod
    async def get(cls) -> type[_Process]:
        if cls.redis is None:
            # The first turns of a process may start together: one opens.
            cls._opening = cls._opening or asyncio.Lock()
            async with cls._opening:
                if cls.redis is None:
                    await cls._open()
        return cls

    @classmethod
    async def _open(cls) -> None:
        settings = get_settings()
        redis = Redis.from_url(settings.redis.url)
        _configure_market(settings)
        cls.tools = await McpTools.connect()
        cls.model = _build_model(settings)
        cls.cancels = CancelListener(redis)
        await cls.cancels.start()
        cls.redis = redis  # last: until here, the next turn tries again
        on_shutdown(cls.close)
        # What is loaded by now lives as long as the process: kept out of
        # the collector's sight, collections cost a fraction as much (the
        # worker's CPU per turn fell from 6.7 to 5.9 ms in the bench).
        gc.freeze()

    @classmethod
    async def close(cls) -> None:
        """Close the cancel subscription, the MCP session and the Redis client
        (worker shutdown)."""
        cancels, tools, redis = cls.cancels, cls.tools, cls.redis
        cls.cancels, cls.tools, cls.redis = None, None, None
        if cancels is not None:
            await cancels.close()
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
    from domain.llm.transport import shared_client

    # One pool for the process's event loop: no new connection per model step.
    client = shared_client(httpx.Timeout(settings.llm.timeout_s, connect=10.0))
    return build_model(settings.llm, offline_factory=OfflineAnalyst, client=client)


async def _stored_answer(session: AsyncSession, turn_id: uuid.UUID) -> Mapping | None:
    query = Message.__table__.select().where(
        Message.turn_id == turn_id, Message.role == MessageRole.ASSISTANT
    )
    return (await session.execute(query)).mappings().first()


def _start_statement():
    """The turn marked running one attempt more, unless its answer is stored,
    and its chat's latest messages, in one statement; no row when the turn
    is unknown or answered. Built once (parameters prefixed: SQLAlchemy
    keeps column names)."""
    turns, messages = Turn.__table__, Message.__table__
    answered = exists().where(
        messages.c.turn_id == turns.c.id, messages.c.role == MessageRole.ASSISTANT
    )
    marked = (
        update(turns)
        .where(turns.c.id == bindparam("v_turn"), ~answered)
        .values(
            status=TurnStatus.RUNNING,
            attempts=turns.c.attempts + 1,
            started_at=bindparam("v_now"),
        )
        .returning(
            turns.c.id, turns.c.chat_id, turns.c.user_id, turns.c.attempts, turns.c.created_at
        )
        .cte("marked")
    )
    # This statement's commit does not wait for the disk: a mark lost in a
    # PostgreSQL crash costs nothing (the turn is run again; the restart is
    # told from the stream, not from `attempts`), and the answer's commit
    # later flushes it anyway. Scoped to this statement's own transaction.
    no_flush = select(func.set_config("synchronous_commit", "off", True).label("was")).cte(
        "no_flush"
    )
    history = history_rows(marked.c.chat_id, marked.c.created_at).lateral("history")
    return (
        select(marked, history.c.turn_id, history.c.role, history.c.content)
        .select_from(marked.join(no_flush, true()).outerjoin(history, true()))
        .order_by(history.c.created_at.desc(), history.c.role)
    )


_START = _start_statement()


@dataclass
class _Start:
    turn: Turn | None = None
    answer: Mapping | None = None  # stored by an earlier run
    history: list[ChatMessage] = field(default_factory=list)


async def _start(turn_id: uuid.UUID) -> _Start:
    """Mark the turn running and read its history: one round trip, in
    autocommit. An unknown or answered turn is left as it is. (Rejected: a
    locked read, a look for an answer, an update and a commit, then a second
    session for the history; then an update and a history read.)"""
    async with db.sessions()() as session:
        await autocommit(session)
        params = {"v_turn": turn_id, "v_now": utcnow()}
        rows = (await session.execute(_START, params)).all()
        if not rows:
            turn = await session.get(Turn, turn_id)
            answer = await _stored_answer(session, turn_id) if turn else None
            return _Start(turn, answer)
        first = rows[0]
        turn = Turn(
            id=first.id,
            chat_id=first.chat_id,
            user_id=first.user_id,
            attempts=first.attempts,
            created_at=first.created_at,
        )
        return _Start(turn, history=history_of(turn, rows))


async def _announce(publisher: TurnPublisher, answer: Mapping, earlier: list[dict]) -> None:
    """An earlier run stored the answer but may have died before saying so."""
    if not any(is_final(e) for e in earlier):
        await publisher.publish(
            "message_complete", message_id=str(answer["id"]), metadata=answer["metadata"]
        )


async def _run(turn_id: uuid.UUID) -> None:
    process = await _Process.get()
    async with process.cancels.watch(turn_id) as stop:
        # Meanwhile: a cancel sent while the turn was queued, and what an
        # earlier run of it published.
        start, _, earlier = await asyncio.gather(
            _start(turn_id), process.cancels.look_up(turn_id), published(process.redis, turn_id)
        )
        turn = start.turn
        if turn is None:
            log.info("turn skipped: unknown", extra={"turn_id": str(turn_id)})
            return
        publisher = TurnPublisher(process.redis, turn.id, turn.chat_id)
        publisher.continue_after(earlier)
        if start.answer is not None:
            await _announce(publisher, start.answer, earlier)
            return
        if earlier:
            # A worker died mid-turn (or the run failed): clients start over.
            await publisher.publish("turn_started", restart=True)
        runner = TurnRunner(
            sessions=db.sessions(),
            model=process.model,
            tools=process.tools,
            publisher=publisher,
            limits=process.limits,
            stop=stop,
        )
        await runner.run(turn, start.history)


def _last_attempt() -> bool:
    message = CurrentMessage.get_current_message()
    retries = message.options.get("retries", 0) if message is not None else 0
    return retries >= DEFAULT_TURN_RETRIES


async def _give_up(turn_id: uuid.UUID) -> None:
    """No retry is left: tell the client, so it does not wait for ever."""
    log.error("turn failed; no retry left", extra={"turn_id": str(turn_id)})
    try:
        process = await _Process.get()
        async with db.sessions()() as session:
            turn = await session.get(Turn, turn_id)
            if turn is None:
                return
            turn.status = TurnStatus.FAILED
            turn.finished_at = utcnow()
            await session.commit()
        publisher = TurnPublisher(process.redis, turn.id, turn.chat_id)
        await publisher.resume()
        await publisher.publish(
            "error", code="INTERNAL", message="The answer could not be written; send it again"
        )
    except Exception:  # what failed the turn may well fail this too
        log.warning("turn failure not announced", extra={"turn_id": str(turn_id)}, exc_info=True)


@dramatiq.actor(
    queue_name="chat",
    max_retries=DEFAULT_TURN_RETRIES,
    min_backoff=200,
    max_backoff=2000,
    time_limit=DEFAULT_TURN_TIME_LIMIT_MS,
)
async def run_turn(turn_id: str) -> None:
    try:
        await _run(uuid.UUID(turn_id))
    except Exception:  # Dramatiq logs it and retries; after the last try, say so
        if _last_attempt():
            await _give_up(uuid.UUID(turn_id))
        raise


__all__ = ["broker", "run_turn"]
