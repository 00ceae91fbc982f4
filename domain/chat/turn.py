"""Running one turn: the model loop with tools, streamed as events, stored once.

The loop is framework-free: it is given the model, a tool runner, a publisher
for events and a session factory. The Dramatiq actor in `workers.chat` wires
the real ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.chat.events import TurnPublisher
from domain.chat.grounding import unverified_numbers
from domain.chat.models import Message, MessageRole, Turn, TurnStatus
from domain.chat.pacing import Chunker, Stopped, abandon, first_of, paced, stop_signal
from domain.db.base import utcnow
from domain.db.session import autocommit
from domain.errors import KuberaError
from domain.llm.base import (
    ChatMessage,
    ChatModel,
    Finished,
    ModelUnavailable,
    TextDelta,
    ToolCall,
    ToolCallsReady,
    ToolSpec,
)

log = logging.getLogger("kubera.chat.turn")

DEFAULT_MAX_ROUNDS = 6  # model steps per turn; the last one is offered no tools
DEFAULT_TOOL_TIMEOUT_S = 30.0
# A whole turn, under the worker's hard limit (workers.chat), so a turn that
# runs long still ends with its partial answer stored and an error sent.
DEFAULT_TURN_TIMEOUT_S = 540.0
# Text is sent in chunks: at most this often, or when this much has gathered.
DEFAULT_FLUSH_INTERVAL_S = 0.05
DEFAULT_FLUSH_CHARS = 80
OUT_OF_ROUNDS_NOTE = (
    "I stopped after {rounds} steps without a complete answer; try asking for less at once."
)


class TurnTooLong(KuberaError):
    code = "TURN_TIMEOUT"
    status = 504


class ToolRunner(Protocol):
    def specs(self) -> list[ToolSpec]: ...

    async def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]: ...


@dataclass
class TurnLimits:
    max_rounds: int = DEFAULT_MAX_ROUNDS
    tool_timeout_s: float = DEFAULT_TOOL_TIMEOUT_S
    turn_timeout_s: float = DEFAULT_TURN_TIMEOUT_S
    flush_interval_s: float = DEFAULT_FLUSH_INTERVAL_S
    flush_chars: int = DEFAULT_FLUSH_CHARS


# The bench (scripts/bench_chat.py) drives `_loop` with one of these.
_Chunker = Chunker


@dataclass
class TurnRecord:
    """What the turn produced, stored as the assistant message."""

    text: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)
    tokens: int = 0
    model: str = ""
    sources: set[str] = field(default_factory=set)
    status: TurnStatus = TurnStatus.COMPLETE


class TurnRunner:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker,
        model: ChatModel,
        tools: ToolRunner,
        publisher: TurnPublisher,
        limits: TurnLimits | None = None,
        stop: asyncio.Event | None = None,
    ) -> None:
        """`stop` is set when the user cancels (see `domain.chat.cancel`)."""
        self.sessions = sessions
        self.model = model
        self.tools = tools
        self.publisher = publisher
        self.limits = limits or TurnLimits()
        self.stop = stop or asyncio.Event()
        self.record = TurnRecord(model=getattr(model, "name", "unknown"))
        self.timed_out = False

    def _out_of_time(self) -> None:
        self.timed_out = True
        self.stop.set()

    async def run(self, turn: Turn, messages: list[ChatMessage]) -> None:
        """Answer `messages` (see `load_history`) and store the answer as `turn`'s."""
        started = time.monotonic()
        chunker = Chunker(self.publisher, self.limits)
        error: KuberaError | None = None
        # Past the deadline the turn stops as a cancel would (model and tools
        # at once), but is answered as a failure.
        out_of_time = asyncio.get_running_loop().call_later(
            self.limits.turn_timeout_s, self._out_of_time
        )
        try:
            await self._loop(messages, chunker)
        except ModelUnavailable as exc:
            error = exc
            self.record.status = TurnStatus.FAILED
        finally:
            out_of_time.cancel()
        if self.timed_out:
            self.record.status = TurnStatus.FAILED
            error = TurnTooLong(
                f"The answer took longer than {self.limits.turn_timeout_s:g} s and was "
                "stopped; what was written is kept"
            )
        await chunker.flush()
        message_id = await self._store(turn, started)
        if error is not None:
            await self.publisher.publish(
                "error", code=error.code, message=error.message, message_id=str(message_id)
            )
            return
        await self.publisher.publish(
            "message_complete", message_id=str(message_id), metadata=self._metadata(started)
        )

    async def _loop(self, messages: list[ChatMessage], chunker: Chunker) -> None:
        specs = self.tools.specs()
        for round_no in range(self.limits.max_rounds):
            offered = specs if round_no < self.limits.max_rounds - 1 else []
            calls = await self._step(messages, offered, chunker)
            if calls is None:
                return
            if not offered:  # asked for tools it was not offered: the rounds are spent
                break
            await chunker.flush()
            results = await asyncio.gather(*(self._run_tool(c) for c in calls))
            if self.stop.is_set():
                self.record.status = TurnStatus.CANCELLED
                return
            messages.append(ChatMessage("assistant", None, tool_calls=tuple(calls)))
            for call, result in zip(calls, results, strict=True):
                messages.append(
                    ChatMessage("tool", _as_text(result), tool_call_id=call.id, name=call.name)
                )
        note = OUT_OF_ROUNDS_NOTE.format(rounds=self.limits.max_rounds)
        self.record.text += note
        await chunker.add(note)

    async def _step(
        self, messages: list[ChatMessage], specs: list[ToolSpec], chunker: Chunker
    ) -> tuple[ToolCall, ...] | None:
        """One model step; the tool calls it asked for, or None when it is done."""
        calls: tuple[ToolCall, ...] | None = None
        events = paced(self.model.stream(messages, specs), chunker, self.stop)
        async with contextlib.aclosing(events):
            async for event in events:
                if isinstance(event, TextDelta):
                    self.record.text += event.text
                    await chunker.add(event.text)
                elif isinstance(event, ToolCallsReady):
                    calls = event.calls
                elif isinstance(event, Finished):
                    self.record.tokens += event.usage.total_tokens
                    self.record.model = event.model or self.record.model
        if self.stop.is_set():
            self.record.status = TurnStatus.CANCELLED
            return None
        if calls and self.record.text and not self.record.text.endswith("\n"):
            self.record.text += "\n\n"  # keep this step's words apart from the next's
            await chunker.add("\n\n")
        return calls or None

    async def _run_tool(self, call: ToolCall) -> dict[str, Any]:
        await self.publisher.publish(
            "tool_call_start", tool_name=call.name, tool_id=call.id, arguments=call.arguments
        )
        started = time.monotonic()
        try:
            result = await self._call_tool(call)
            outcome: dict[str, Any] = {"ok": True, "result": result}
        except TimeoutError:
            outcome = {
                "ok": False,
                "error": f"{call.name} took longer than "
                f"{self.limits.tool_timeout_s:g} s and was stopped",
            }
        except Stopped:
            outcome = {"ok": False, "error": "stopped: the turn was cancelled"}
        except Exception as exc:  # a tool's failure is reported to the model, not raised
            outcome = {"ok": False, "error": str(exc) or type(exc).__name__}
        duration_ms = round((time.monotonic() - started) * 1000, 1)
        payload = outcome.get("result") if outcome["ok"] else {"error": outcome["error"]}
        self._remember(call, payload, duration_ms, outcome["ok"])
        await self.publisher.publish(
            "tool_call_complete",
            tool_id=call.id,
            tool_name=call.name,
            result=payload,
            duration_ms=duration_ms,
        )
        return payload

    async def _call_tool(self, call: ToolCall) -> Any:
        """The tool's result; TimeoutError past the per-tool bound, `Stopped` on cancel."""
        task = asyncio.ensure_future(self.tools.call(call.name, call.arguments))
        with stop_signal(self.stop) as stopped:
            outcome = await first_of(task, stopped, self.limits.tool_timeout_s)
        if outcome == "done":
            return task.result()
        await abandon(task)
        raise TimeoutError if outcome == "timeout" else Stopped

    def _remember(self, call: ToolCall, payload: Any, duration_ms: float, ok: bool) -> None:
        self.record.tool_calls.append(
            {
                "tool_id": call.id,
                "name": call.name,
                "arguments": call.arguments,
                "result": payload,
                "duration_ms": duration_ms,
                "ok": ok,
            }
        )
        if isinstance(payload, dict):
            if payload.get("source"):
                self.record.sources.add(str(payload["source"]))
            if payload.get("chart_id"):
                self.record.charts.append(
                    {
                        "chart_id": payload["chart_id"],
                        "chart_url": payload.get("chart_url"),
                        "figure": payload.get("figure"),
                        "tool": call.name,
                    }
                )

    def _metadata(self, started: float) -> dict[str, Any]:
        tools_used = list(dict.fromkeys(c["name"] for c in self.record.tool_calls))
        meta: dict[str, Any] = {
            "tokens_used": self.record.tokens,
            "tools_used": tools_used,
            "processing_time_ms": round((time.monotonic() - started) * 1000, 1),
            "model": self.record.model,
            "data_source": ",".join(sorted(self.record.sources)) or None,
            "status": self.record.status.value,
            "unverified_numbers": unverified_numbers(
                self.record.text,
                [c["result"] for c in self.record.tool_calls],
            ),
        }
        if self.record.charts:
            last = self.record.charts[-1]
            meta["chart_url"] = last["chart_url"]
            meta["chart_json"] = last["figure"]
        return meta

    async def _store(self, turn: Turn, started: float) -> uuid.UUID:
        """Insert the answer once, and mark the turn finished, in one
        statement; a second run of the same turn finds the answer stored."""
        values = {
            "v_id": uuid.uuid4(),
            "v_chat": turn.chat_id,
            "v_turn": turn.id,
            "v_content": self.record.text,
            "v_status": self.record.status,
            "v_tool_calls": self.record.tool_calls,
            "v_charts": self.record.charts,
            "v_meta": self._metadata(started),
            "v_now": utcnow(),
        }
        async with self.sessions() as db:
            await autocommit(db)
            inserted = (await db.execute(_STORE, values)).scalar_one_or_none()
            if inserted is not None:
                return inserted
            return await _answer_id(db, turn.id)


def _store_statement():
    """The answer inserted unless stored already, and its turn marked done.

    Built once, with named parameters (prefixed: SQLAlchemy keeps the column
    names for itself): building it per turn cost more than running it.
    """
    messages, turns = Message.__table__, Turn.__table__
    answer = (
        insert(messages)
        .values(
            id=bindparam("v_id"),
            chat_id=bindparam("v_chat"),
            turn_id=bindparam("v_turn"),
            role=MessageRole.ASSISTANT,
            content=bindparam("v_content"),
            status=bindparam("v_status"),
            tool_calls=bindparam("v_tool_calls"),
            charts=bindparam("v_charts"),
            metadata=bindparam("v_meta"),
            created_at=bindparam("v_now"),
        )
        .on_conflict_do_nothing(
            # A literal predicate: with a bound parameter PostgreSQL
            # cannot match the partial index once asyncpg's prepared
            # statement switches to a generic plan (sixth run onwards).
            index_elements=["turn_id"],
            index_where=text("role = 'assistant'"),
        )
        .returning(messages.c.id)
        .cte("answer")
    )
    finished = (
        update(turns)
        .where(turns.c.id == bindparam("v_turn"))
        .values(status=bindparam("v_status"), finished_at=bindparam("v_now"))
        .cte("finished")
    )
    return select(answer.c.id).add_cte(finished)


_STORE = _store_statement()


async def _answer_id(db: AsyncSession, turn_id: uuid.UUID) -> uuid.UUID:
    query = select(Message.id).where(
        Message.turn_id == turn_id, Message.role == MessageRole.ASSISTANT
    )
    return (await db.execute(query)).scalar_one()


def _as_text(result: Any) -> str:
    """Tool result as the model reads it; chart figures (tens of KB) stay out."""
    if isinstance(result, dict) and "figure" in result:
        result = {k: v for k, v in result.items() if k != "figure"}
    return json.dumps(result, default=str, separators=(",", ":"))
