"""The schema comes only from migrations, and they run down and up cleanly."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from domain.db.session import async_url
from domain.settings import reset_settings
from scripts.bootstrap import alembic_config


async def _exec(url: str, statement: str, autocommit: bool = False):
    engine = create_async_engine(
        async_url(url), isolation_level="AUTOCOMMIT" if autocommit else None
    )
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text(statement))
            return result.scalars().all() if result.returns_rows else None
    finally:
        await engine.dispose()


@pytest.fixture
def scratch_database(stack, monkeypatch):
    """A database of its own, so going down to nothing disturbs no other test."""
    name = f"migrations_{uuid.uuid4().hex[:8]}"
    main_url = stack["database_url"]
    asyncio.run(_exec(main_url, f'CREATE DATABASE "{name}"', autocommit=True))
    url = main_url.replace("/postgres?", f"/{name}?")
    monkeypatch.setenv("DATABASE_URL", url)
    reset_settings()
    yield url
    monkeypatch.setenv("DATABASE_URL", main_url)
    reset_settings()
    asyncio.run(_exec(main_url, f'DROP DATABASE "{name}" WITH (FORCE)', autocommit=True))


def _tables(url: str) -> set[str]:
    rows = asyncio.run(_exec(url, "SELECT tablename FROM pg_tables WHERE schemaname='public'"))
    return set(rows) - {"alembic_version"}


def test_migrations_go_down_to_nothing_and_up_again(scratch_database):
    config = alembic_config()

    command.upgrade(config, "heads")
    full = _tables(scratch_database)
    command.downgrade(config, "base")
    empty = _tables(scratch_database)
    command.upgrade(config, "heads")

    assert {
        "users",
        "otps",
        "refresh_token_families",
        "refresh_tokens",
        "email_preferences",
        "email_log",
    } <= full
    assert empty == set()
    assert _tables(scratch_database) == full


def test_the_database_refuses_a_second_account_for_the_same_email_in_other_case(
    scratch_database,
):
    command.upgrade(alembic_config(), "heads")
    insert = (
        "INSERT INTO users (id, email, username, password_hash, role) VALUES "
        "(gen_random_uuid(), '{email}', '{name}', 'x', 'user')"
    )
    asyncio.run(_exec(scratch_database, insert.format(email="Same@Example.com", name="first")))

    with pytest.raises(Exception, match="uq_users_email_lower"):
        asyncio.run(_exec(scratch_database, insert.format(email="same@example.com", name="second")))


def test_an_otp_must_name_a_known_purpose(scratch_database):
    command.upgrade(alembic_config(), "heads")
    insert = (
        "INSERT INTO otps (id, email, purpose, code_hash, expires_at) VALUES "
        "(gen_random_uuid(), 'a@b.c', 'anything', 'h', now())"
    )

    with pytest.raises(Exception, match="otp_purpose"):
        asyncio.run(_exec(scratch_database, insert))


def test_models_and_migrations_describe_the_same_schema(scratch_database):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from domain.db.models import metadata

    command.upgrade(alembic_config(), "heads")

    def diff(sync_conn):
        return compare_metadata(MigrationContext.configure(sync_conn), metadata)

    async def run():
        engine = create_async_engine(async_url(os.environ["DATABASE_URL"]))
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(diff)
        finally:
            await engine.dispose()

    assert asyncio.run(run()) == []
