"""Engine and session factory, one per process, built from settings."""

from __future__ import annotations

import time

from sqlalchemy import Engine, event
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from domain.settings import DatabaseSettings

_IDLE_SINCE = "kubera_idle_since"


def async_url(url: str) -> str:
    """Accept plain `postgresql://` URLs too; we always talk through asyncpg."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def make_engine(settings: DatabaseSettings) -> AsyncEngine:
    if not settings.url:
        raise RuntimeError("DATABASE_URL is not set (make dev and the tests set it for you)")
    engine = create_async_engine(
        async_url(settings.url),
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_use_lifo=True,
        echo=settings.echo,
        # Bound values (password hashes among them) stay out of logs and errors.
        hide_parameters=True,
    )
    ping_when_idle(engine.sync_engine, settings.ping_idle_s)
    return engine


def ping_when_idle(engine: Engine, idle_s: float) -> None:
    """Check a pooled connection before use once it has been idle `idle_s`.

    Rejected: `pool_pre_ping`, which checks every checkout; through asyncpg
    that is BEGIN, a statement and ROLLBACK, three round trips before each
    session's first query (a chat turn opens several). A connection in steady
    use needs no check: had the server restarted under it, the first error
    would invalidate the whole pool as below.
    """

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection, record) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _taken(dbapi_connection, record, proxy) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < idle_s:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The server went away (a restart, say): every connection opened
            # before now is stale; the pool replaces them, this one at once.
            raise InvalidatePoolError("idle connection failed its ping") from exc


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


async def autocommit(session: AsyncSession) -> None:
    """Let each statement of `session` commit itself, from here on.

    For work done in single statements, each atomic alone: it spares the
    BEGIN and COMMIT round trips (through asyncpg, a quarter of a
    millisecond of CPU per session). Call it before the first statement.
    """
    await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
