"""Models, tool runners and socket steps the chat tests share.

The models and tool runners run inside the test process's chat worker (on its
event loop); the tests install them with the fixtures in conftest.py.
"""

from __future__ import annotations

import asyncio
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from domain.llm.base import Finished, TextDelta, Usage


def send(ws, **message: Any) -> None:
    ws.send(json.dumps(message))


def next_event(ws, timeout_s: float = 30.0) -> dict:
    return json.loads(ws.recv(timeout=timeout_s))


def of_type(events: list[dict], kind: str) -> list[dict]:
    return [e for e in events if e["type"] == kind]


def text_of(events: list[dict]) -> str:
    return "".join(e["content"] for e in of_type(events, "text_chunk"))


def limit_user(user_id: str, **override: int) -> None:
    """Give one user their own limits, as an admin would."""
    import uuid

    from redis.asyncio import Redis

    from domain.db.session import make_engine, make_sessionmaker
    from domain.limits.policy import Override, set_user_override
    from domain.settings import get_settings

    async def apply() -> None:
        settings = get_settings()
        engine = make_engine(settings.database)
        redis = Redis.from_url(settings.redis.url)
        try:
            async with make_sessionmaker(engine)() as session:
                await set_user_override(session, redis, uuid.UUID(user_id), Override(**override))
        finally:
            await redis.aclose()
            await engine.dispose()

    # On a thread of its own: a caller may have an event loop running
    # (Playwright's sync API keeps one in the test's thread).
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, apply()).result()


class QuickModel:
    """Answers at once, without tools."""

    name = "quick-test-model"

    async def stream(self, messages, tools):
        yield TextDelta("A short answer.")
        yield Finished(self.name, Usage(10, 4))


class FailingModel:
    """Fails the way a bug would: not a model outage, an exception."""

    name = "failing-test-model"

    async def stream(self, messages, tools):
        raise RuntimeError("a bug in the model loop")
        yield  # an async generator all the same


class GatedModel:
    """Writes `first`, then waits until the test calls `release()` (or until
    it is stopped, which it records), then writes `second`."""

    name = "gated-test-model"

    def __init__(self, first: str, second: str = "") -> None:
        self.first, self.second = first, second
        self.stopped = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._go: asyncio.Event | None = None
        self._ready = threading.Event()

    def release(self) -> None:
        assert self._ready.wait(30), "the model never started"
        self._loop.call_soon_threadsafe(self._go.set)

    async def stream(self, messages, tools):
        self._loop, self._go = asyncio.get_running_loop(), asyncio.Event()
        self._ready.set()
        try:
            yield TextDelta(self.first)
            await self._go.wait()
            yield TextDelta(self.second)
            yield Finished(self.name, Usage(20, 8))
        finally:
            if not self._go.is_set():
                self.stopped.set()


class MeetingTools:
    """The worker's real tools, each call first waiting until `parties` calls
    have started: calls run one after another never all meet, and time out."""

    def __init__(self, inner, parties: int, wait_s: float = 20.0) -> None:
        self.inner = inner
        self.barrier = asyncio.Barrier(parties)
        self.wait_s = wait_s

    def specs(self):
        return self.inner.specs()

    async def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        await asyncio.wait_for(self.barrier.wait(), self.wait_s)
        return await self.inner.call(name, arguments)


class HangingTools:
    """The worker's real tools, except `hangs`, which never returns."""

    def __init__(self, inner, hangs: str) -> None:
        self.inner = inner
        self.hangs = hangs
        self.stopped = threading.Event()

    def specs(self):
        return self.inner.specs()

    async def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        if name != self.hangs:
            return await self.inner.call(name, arguments)
        try:
            await asyncio.Event().wait()
        finally:
            self.stopped.set()
        raise AssertionError("unreachable")
