"""Real PostgreSQL and Valkey for the limits slice.

The tests get a migrated database of their own: they record emails with an
outbox of their own, which the shared worker (reading the main database)
must not see.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import pytest
import pytest_asyncio
from redis.asyncio import Redis
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from domain.accounts.common import Accounts
from domain.accounts.models import EmailPreferences, User
from domain.db.session import async_url, make_sessionmaker
from domain.mail.outbox import Outbox, OutgoingEmail
from domain.settings import get_settings

# 2030-03-17 in ms: any fixed instant will do, the windows only compare differences.
CLOCK_START_MS = 1_900_000_000_000


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


def _migrate(url: str) -> None:
    from alembic import command

    from domain.settings import reset_settings
    from scripts.bootstrap import alembic_config

    main = os.environ["DATABASE_URL"]
    os.environ["DATABASE_URL"] = url
    reset_settings()
    try:
        command.upgrade(alembic_config(), "heads")
    finally:
        os.environ["DATABASE_URL"] = main
        reset_settings()


@pytest.fixture(scope="package")
def limits_db(stack: dict) -> Iterator[str]:
    """A database of its own holding users, email_log and the four limits tables."""
    main = make_url(async_url(stack["database_url"]))
    name = f"limits_{uuid.uuid4().hex[:8]}"
    main_url = main.render_as_string(hide_password=False)
    asyncio.run(_admin(main_url, f'CREATE DATABASE "{name}"'))
    url = main.set(database=name).render_as_string(hide_password=False)
    _migrate(url)
    yield url
    asyncio.run(_admin(main_url, f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest_asyncio.fixture
async def engine(limits_db: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(limits_db)
    yield engine
    await engine.dispose()


@pytest_asyncio.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with make_sessionmaker(engine)() as session:
        yield session


@pytest_asyncio.fixture
async def redis(stack: dict) -> AsyncIterator[Redis]:
    client = Redis.from_url(get_settings().redis.url)
    yield client
    await client.aclose()


@dataclass
class Process:
    """What a second API process would hold: its own pool, session and Redis client."""

    session: AsyncSession
    redis: Redis


@pytest_asyncio.fixture
async def other_process(limits_db: str) -> AsyncIterator[Process]:
    engine = create_async_engine(limits_db)
    client = Redis.from_url(get_settings().redis.url)
    try:
        async with make_sessionmaker(engine)() as session:
            yield Process(session, client)
    finally:
        await client.aclose()
        await engine.dispose()


@dataclass
class Sent:
    emails: list[OutgoingEmail] = field(default_factory=list)

    def of_type(self, email_type: str) -> list[OutgoingEmail]:
        return [e for e in self.emails if e.email_type.value == email_type]


@pytest.fixture
def sent() -> Sent:
    return Sent()


@pytest.fixture
def accounts(stack: dict, sent: Sent) -> Accounts:
    """Emails are logged in the scratch database and handed to a list, not a worker:
    the worker reads the main database and would find no log row."""
    return Accounts(settings=get_settings(), outbox=Outbox(sent.emails.append))


@pytest_asyncio.fixture
async def make_user(session: AsyncSession):
    async def make() -> User:
        tag = uuid.uuid4().hex[:12]
        user = User(
            id=uuid.uuid4(),
            email=f"limits-{tag}@example.com",
            username=f"l{tag}",
            password_hash="not-a-real-hash",
        )
        session.add(user)
        await session.flush()
        session.add(EmailPreferences(user_id=user.id))
        await session.commit()
        return user

    return make


class Clock:
    """Milliseconds under the test's control, passed to the script as `now_ms`."""

    def __init__(self, start_ms: int = CLOCK_START_MS) -> None:
        self.now_ms = start_ms

    def advance(self, *, seconds: float = 0, minutes: float = 0, hours: float = 0) -> int:
        self.now_ms += round((seconds + 60 * minutes + 3600 * hours) * 1000)
        return self.now_ms


@pytest.fixture
def clock() -> Clock:
    return Clock()
