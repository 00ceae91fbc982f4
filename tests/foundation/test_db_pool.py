"""The connection pool: reused connections go unchecked while in steady use,
and a connection the server dropped (a restart) is replaced before use."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from domain.db.session import make_engine, make_sessionmaker
from domain.settings import DatabaseSettings


def _engine(stack: dict, ping_idle_s: float):
    settings = DatabaseSettings(url=stack["database_url"], pool_size=2, ping_idle_s=ping_idle_s)
    return make_engine(settings)


async def _backend_pid(sessions) -> int:
    async with sessions() as db:
        return (await db.execute(text("SELECT pg_backend_pid()"))).scalar_one()


def _count_pings(engine, monkeypatch) -> list[int]:
    pings: list[int] = []
    real = engine.dialect.do_ping

    def counted(dbapi_connection) -> bool:
        pings.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


@pytest.mark.asyncio
async def test_a_connection_in_steady_use_is_not_pinged(stack, monkeypatch):
    engine = _engine(stack, ping_idle_s=60)
    pings = _count_pings(engine.sync_engine, monkeypatch)
    sessions = make_sessionmaker(engine)

    try:
        first, second = await _backend_pid(sessions), await _backend_pid(sessions)
    finally:
        await engine.dispose()

    assert first == second
    assert pings == []


@pytest.mark.asyncio
async def test_a_connection_the_server_dropped_is_replaced_before_use(stack, monkeypatch):
    # Given a pooled connection whose backend has gone, as after a restart
    engine = _engine(stack, ping_idle_s=0)
    pings = _count_pings(engine.sync_engine, monkeypatch)
    sessions = make_sessionmaker(engine)
    killer = make_engine(DatabaseSettings(url=stack["database_url"]))
    try:
        dropped = await _backend_pid(sessions)
        async with killer.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})

        # When the next session starts
        replacement = await _backend_pid(sessions)
    finally:
        await engine.dispose()
        await killer.dispose()

    # Then it runs on a new connection, with no error
    assert replacement != dropped
    assert pings
