"""Pacing a model's stream inside a turn: text coalesced into chunks, sent
when enough has gathered or the model pauses, and everything stopped the
moment the turn is cancelled, even while the model or a tool is silent.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal, Protocol

from domain.llm.base import StreamEvent

Outcome = Literal["done", "stopped", "timeout"]


class Publisher(Protocol):
    async def publish(self, event_type: str, **data: Any) -> Any: ...


class Pace(Protocol):
    flush_interval_s: float
    flush_chars: int


class Stopped(Exception):
    """The turn was cancelled while this was running."""


class Chunker:
    """Coalesces deltas into text_chunk events."""

    def __init__(self, publisher: Publisher, limits: Pace) -> None:
        self.publisher = publisher
        self.limits = limits
        self.pending = ""
        self.chunk_id = 0
        self.last_flush = time.monotonic()

    async def add(self, text: str) -> None:
        self.pending += text
        due = time.monotonic() - self.last_flush >= self.limits.flush_interval_s
        if due or len(self.pending) >= self.limits.flush_chars:
            await self.flush()

    async def flush(self) -> None:
        if self.pending:
            await self.publisher.publish("text_chunk", content=self.pending, chunk_id=self.chunk_id)
            self.chunk_id += 1
            self.pending = ""
        self.last_flush = time.monotonic()


@contextlib.contextmanager
def stop_signal(stop: asyncio.Event) -> Iterator[asyncio.Future]:
    """A future done once `stop` is set, for `first_of`; dropped on exit."""
    stopped = asyncio.ensure_future(stop.wait())
    try:
        yield stopped
    finally:
        stopped.cancel()


async def first_of(
    task: asyncio.Future, stopped: asyncio.Future, timeout_s: float | None
) -> Outcome:
    """Whichever comes first: `task` done, `stopped` done, or the timeout;
    `task` keeps running unless it is done."""
    done, _ = await asyncio.wait(
        {task, stopped}, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED
    )
    if task in done:
        return "done"
    return "stopped" if stopped in done else "timeout"


async def abandon(task: asyncio.Future) -> None:
    """Cancel `task` and let it unwind (closing a model stream, a tool call)."""
    task.cancel()
    await asyncio.wait({task})
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not report it as lost


async def paced(
    stream: AsyncIterator[StreamEvent], chunker: Chunker, stop: asyncio.Event
) -> AsyncIterator[StreamEvent]:
    """The model's events until it ends or `stop` is set; text the chunker
    holds is sent whenever the model pauses for a flush interval."""
    iterator = aiter(stream)
    try:
        with stop_signal(stop) as stopped:
            while True:
                step = asyncio.ensure_future(anext(iterator))
                interval_s = chunker.limits.flush_interval_s
                while (outcome := await first_of(step, stopped, interval_s)) == "timeout":
                    await chunker.flush()
                if outcome == "stopped" or stop.is_set():
                    await abandon(step)
                    return
                try:
                    yield step.result()
                except StopAsyncIteration:
                    return
    finally:
        await _close(stream)


async def _close(stream: Any) -> None:
    close = getattr(stream, "aclose", None)
    if close is not None:
        await close()
