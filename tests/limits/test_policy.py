"""Which limits apply, and how an admin's change reaches every process."""

from __future__ import annotations

import uuid

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from domain.errors import InvalidInput
from domain.limits import keys
from domain.limits.counter import admit
from domain.limits.models import LimitLevel
from domain.limits.policy import (
    DEFAULT_LIMITS,
    Limits,
    Override,
    add_to_whitelist,
    effective_limits,
    global_limits,
    remove_from_whitelist,
    reset_user_counters,
    set_global,
    set_user_override,
)

pytestmark = pytest.mark.asyncio


async def _forget_global(session, redis) -> None:
    await session.execute(text("DELETE FROM rate_limit_config"))
    await session.commit()
    await redis.set(keys.VERSION, uuid.uuid4().hex)


@pytest_asyncio.fixture
async def no_global_row(session, redis):
    """Tests that change the global limits leave the defaults behind them."""
    await _forget_global(session, redis)
    yield
    await _forget_global(session, redis)


async def test_without_a_config_row_the_defaults_apply(session, redis, make_user, no_global_row):
    user = await make_user()

    assert await global_limits(session) == DEFAULT_LIMITS
    assert await effective_limits(session, redis, user.id) == DEFAULT_LIMITS
    assert DEFAULT_LIMITS == Limits(burst_per_minute=10, per_chat=50, per_hour=150, per_day=1000)


async def test_an_override_applies_to_that_user_only(session, redis, make_user, no_global_row):
    limited, other = await make_user(), await make_user()

    await set_user_override(session, redis, limited.id, Override(burst_per_minute=3, per_day=6))

    assert await effective_limits(session, redis, limited.id) == Limits(
        burst_per_minute=3, per_chat=50, per_hour=150, per_day=6
    )
    assert await effective_limits(session, redis, other.id) == DEFAULT_LIMITS


async def test_an_empty_override_removes_the_users_limits(session, redis, make_user):
    user = await make_user()
    await set_user_override(session, redis, user.id, Override(per_chat=2))

    await set_user_override(session, redis, user.id, Override())

    rows = await session.execute(
        text("SELECT count(*) FROM user_rate_limits WHERE user_id = :u"), {"u": user.id}
    )
    assert rows.scalar_one() == 0
    assert await effective_limits(session, redis, user.id) == await global_limits(session)


async def test_a_global_change_in_one_process_reaches_the_next_prompt_in_another(
    session, redis, other_process, make_user, no_global_row
):
    user = await make_user()
    # The second process has the defaults cached before the change.
    assert await effective_limits(other_process.session, other_process.redis, user.id) == (
        DEFAULT_LIMITS
    )

    lowered = Limits(burst_per_minute=2, per_chat=50, per_hour=150, per_day=1000)
    await set_global(session, redis, lowered)
    seen = await effective_limits(other_process.session, other_process.redis, user.id)
    decisions = [await admit(other_process.redis, user.id, None, seen) for _ in range(3)]

    assert seen == lowered
    assert [d.level for d in decisions] == [None, None, LimitLevel.BURST]


async def test_a_cached_entry_holds_until_the_version_changes(session, redis, make_user):
    user = await make_user()
    await set_user_override(session, redis, user.id, Override(per_chat=7))
    assert (await effective_limits(session, redis, user.id)).per_chat == 7

    # Written behind the helpers' back: the cache does not notice...
    await session.execute(
        text("UPDATE user_rate_limits SET per_chat = 9 WHERE user_id = :u"), {"u": user.id}
    )
    await session.commit()
    cached = await effective_limits(session, redis, user.id)
    # ...until the version moves, as any helper's write does.
    await redis.set(keys.VERSION, uuid.uuid4().hex)
    reloaded = await effective_limits(session, redis, user.id)

    assert (cached.per_chat, reloaded.per_chat) == (7, 9)


async def test_a_lost_version_key_does_not_revive_cached_entries(session, redis, make_user):
    user = await make_user()
    await set_user_override(session, redis, user.id, Override(per_chat=7))
    await effective_limits(session, redis, user.id)
    await session.execute(
        text("UPDATE user_rate_limits SET per_chat = 9 WHERE user_id = :u"), {"u": user.id}
    )
    await session.commit()

    await redis.delete(keys.VERSION)

    assert (await effective_limits(session, redis, user.id)).per_chat == 9


async def test_whitelisting_lifts_every_limit_until_removed(session, redis, make_user):
    user, admin = await make_user(), await make_user()

    await add_to_whitelist(session, redis, user.id, added_by=admin.id, reason="load test")
    listed = await effective_limits(session, redis, user.id)
    removed = await remove_from_whitelist(session, redis, user.id)
    removed_again = await remove_from_whitelist(session, redis, user.id)

    assert listed is None
    assert (removed, removed_again) == (True, False)
    assert await effective_limits(session, redis, user.id) is not None


@pytest.mark.parametrize(
    "limits",
    [
        Limits(burst_per_minute=0),
        Limits(burst_per_minute=200, per_hour=150),
        Limits(per_hour=2000, per_day=1000),
    ],
)
async def test_inconsistent_global_limits_are_refused(session, redis, limits):
    with pytest.raises(InvalidInput):
        await set_global(session, redis, limits)


async def test_an_override_must_keep_the_levels_it_sets_in_order(session, redis, make_user):
    user = await make_user()

    with pytest.raises(InvalidInput) as refused:
        await set_user_override(session, redis, user.id, Override(burst_per_minute=9, per_day=8))

    assert refused.value.field == "burst_per_minute"


@pytest.mark.parametrize(
    ("statement", "constraint"),
    [
        (
            "INSERT INTO rate_limit_config (id, burst_per_minute, per_chat, per_hour, per_day)"
            " VALUES (2, 1, 1, 1, 1)",
            "ck_rate_limit_config_single_row",
        ),
        (
            "INSERT INTO rate_limit_config (id, burst_per_minute, per_chat, per_hour, per_day)"
            " VALUES (1, 5, 1, 4, 10)",
            "ck_rate_limit_config_ordered",
        ),
        (
            "INSERT INTO user_rate_limits (user_id, per_hour, per_day) VALUES (:u, 10, 5)",
            "ck_user_rate_limits_ordered",
        ),
        (
            "INSERT INTO user_rate_limits (user_id, per_chat) VALUES (:u, 0)",
            "ck_user_rate_limits_positive",
        ),
    ],
)
async def test_the_database_enforces_the_same_rules(session, make_user, statement, constraint):
    user = await make_user()

    with pytest.raises(IntegrityError, match=constraint):
        await session.execute(text(statement), {"u": user.id})
    await session.rollback()


async def test_resetting_counters_opens_every_window_again(session, redis, make_user):
    user = await make_user()
    limits = Limits(burst_per_minute=1, per_chat=1, per_hour=1, per_day=1)
    chat = uuid.uuid4()
    assert (await admit(redis, user.id, chat, limits)).admitted
    assert not (await admit(redis, user.id, chat, limits)).admitted

    removed = await reset_user_counters(redis, user.id)

    assert removed == 4  # three windows and the chat counter
    assert (await admit(redis, user.id, chat, limits)).admitted
