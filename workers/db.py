"""Database access from worker processes.

Actors are plain functions run on Dramatiq's worker threads; the async database
code runs on the one event loop Dramatiq's AsyncIO middleware keeps per process,
so a single engine (and its pool) serves every thread.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from dramatiq.asyncio import get_event_loop_thread
from sqlalchemy.ext.asyncio import async_sessionmaker

from domain.db.session import make_engine, make_sessionmaker
from domain.settings import get_settings

T = TypeVar("T")
_sessions: async_sessionmaker | None = None


def sessions() -> async_sessionmaker:
    """The process's session factory; call only from the event loop thread."""
    global _sessions
    if _sessions is None:
        _sessions = make_sessionmaker(make_engine(get_settings().database))
    return _sessions


def run(coro: Awaitable[T]) -> T:
    """Run `coro` on the worker's event loop and wait for its result."""
    loop_thread = get_event_loop_thread()
    if loop_thread is None:
        raise RuntimeError("the AsyncIO middleware has not started an event loop")
    return loop_thread.run_coroutine(coro)


async def dispose() -> None:
    """Close the process's pooled connections (worker shutdown, tests)."""
    global _sessions
    if _sessions is not None:
        engine = _sessions.kw["bind"]
        _sessions = None
        await engine.dispose()
