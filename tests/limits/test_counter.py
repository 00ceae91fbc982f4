"""The admission script against a real Valkey, with the clock passed in."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from redis.asyncio import Redis

from domain.limits import keys
from domain.limits.counter import admit
from domain.limits.models import LimitLevel
from domain.limits.policy import DEFAULT_LIMITS, Limits
from domain.settings import get_settings
from tests.limits.conftest import Clock

pytestmark = pytest.mark.asyncio


async def fill(redis: Redis, user_id, limits: Limits, clock: Clock, n: int, chat=None) -> None:
    for _ in range(n):
        decision = await admit(redis, user_id, chat, limits, now_ms=clock.now_ms)
        assert decision.admitted, decision


async def test_the_eleventh_prompt_within_a_minute_is_refused_at_burst(redis, clock):
    user_id = uuid.uuid4()
    for _ in range(10):
        assert (await admit(redis, user_id, None, DEFAULT_LIMITS, now_ms=clock.now_ms)).admitted
        clock.advance(seconds=1)

    refused = await admit(redis, user_id, None, DEFAULT_LIMITS, now_ms=clock.now_ms)

    assert refused.level is LimitLevel.BURST
    assert refused.count == 10
    # The first prompt, 10 s ago, leaves the one-minute window in 50 s.
    assert refused.retry_after_s == 50


async def test_the_fifty_first_prompt_in_a_chat_is_refused_but_another_chat_is_open(redis, clock):
    user_id, chat, other_chat = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for _ in range(50):
        await fill(redis, user_id, DEFAULT_LIMITS, clock, 1, chat=chat)
        clock.advance(seconds=7)  # stays under the burst limit

    refused = await admit(redis, user_id, chat, DEFAULT_LIMITS, now_ms=clock.now_ms)
    elsewhere = await admit(redis, user_id, other_chat, DEFAULT_LIMITS, now_ms=clock.now_ms)

    assert refused.level is LimitLevel.PER_CHAT
    assert refused.count == 50
    assert refused.retry_after_s is None
    assert elsewhere.admitted


async def test_burst_is_reported_first_when_hourly_is_also_exceeded(redis, clock):
    limits = Limits(burst_per_minute=3, per_chat=50, per_hour=3, per_day=6)
    user_id = uuid.uuid4()
    await fill(redis, user_id, limits, clock, 3)

    both = await admit(redis, user_id, None, limits, now_ms=clock.now_ms)
    clock.advance(minutes=1)
    hourly_only = await admit(redis, user_id, None, limits, now_ms=clock.now_ms)

    assert both.level is LimitLevel.BURST
    assert hourly_only.level is LimitLevel.HOURLY
    assert hourly_only.retry_after_s == 59 * 60


async def test_per_chat_is_checked_after_burst_and_before_hourly(redis, clock):
    limits = Limits(burst_per_minute=2, per_chat=2, per_hour=2, per_day=6)
    user_id, chat = uuid.uuid4(), uuid.uuid4()
    await fill(redis, user_id, limits, clock, 2, chat=chat)

    all_three = await admit(redis, user_id, chat, limits, now_ms=clock.now_ms)
    clock.advance(minutes=1)
    chat_and_hourly = await admit(redis, user_id, chat, limits, now_ms=clock.now_ms)

    assert all_three.level is LimitLevel.BURST
    assert chat_and_hourly.level is LimitLevel.PER_CHAT


async def test_refused_prompts_are_not_counted(redis, clock):
    limits = Limits(burst_per_minute=3, per_chat=10, per_hour=5, per_day=6)
    user_id, chat = uuid.uuid4(), uuid.uuid4()
    await fill(redis, user_id, limits, clock, 3, chat=chat)

    refusals = [await admit(redis, user_id, chat, limits, now_ms=clock.now_ms) for _ in range(5)]
    clock.advance(minutes=1)
    # Had the refusals been counted, the hourly limit would already be spent.
    await fill(redis, user_id, limits, clock, 2, chat=chat)

    assert {r.level for r in refusals} == {LimitLevel.BURST}
    assert await redis.zcard(keys.window(user_id, LimitLevel.HOURLY)) == 5
    assert await redis.zcard(keys.window(user_id, LimitLevel.DAILY)) == 5
    assert int(await redis.get(keys.chat(user_id, chat))) == 5


async def test_concurrent_prompts_take_exactly_the_remaining_slots(redis, clock):
    limits = Limits(burst_per_minute=10, per_chat=50, per_hour=150, per_day=1000)
    user_id = uuid.uuid4()
    await fill(redis, user_id, limits, clock, 7)
    # A second client stands for a second API process.
    other = Redis.from_url(get_settings().redis.url)
    clients = [redis, other] * 15

    try:
        # Every caller in the same millisecond: members must still be distinct.
        decisions = await asyncio.gather(
            *(admit(c, user_id, None, limits, now_ms=clock.now_ms) for c in clients)
        )
    finally:
        await other.aclose()

    assert sum(d.admitted for d in decisions) == 3
    assert {d.level for d in decisions if not d.admitted} == {LimitLevel.BURST}
    assert await redis.zcard(keys.window(user_id, LimitLevel.BURST)) == 10


async def test_windows_slide_with_the_clock(redis, clock):
    limits = Limits(burst_per_minute=3, per_chat=100, per_hour=5, per_day=6)
    user_id = uuid.uuid4()
    start = clock.now_ms
    await fill(redis, user_id, limits, clock, 3)

    clock.advance(seconds=30)
    half_way = await admit(redis, user_id, None, limits, now_ms=clock.now_ms)
    clock.advance(seconds=29.999)
    just_before = await admit(redis, user_id, None, limits, now_ms=clock.now_ms)
    clock.now_ms = start + 60_000
    await fill(redis, user_id, limits, clock, 2)
    hourly = await admit(redis, user_id, None, limits, now_ms=clock.now_ms)
    clock.now_ms = start + 3_600_000
    await fill(redis, user_id, limits, clock, 1)
    daily = await admit(redis, user_id, None, limits, now_ms=clock.now_ms)

    assert (half_way.level, half_way.retry_after_s) == (LimitLevel.BURST, 30)
    assert (just_before.level, just_before.retry_after_s) == (LimitLevel.BURST, 1)
    assert (hourly.level, hourly.retry_after_s) == (LimitLevel.HOURLY, 3600 - 60)
    assert (daily.level, daily.retry_after_s) == (LimitLevel.DAILY, 23 * 3600)


async def test_a_lowered_limit_waits_for_enough_prompts_to_leave(redis, clock):
    generous = Limits(burst_per_minute=5, per_chat=50, per_hour=150, per_day=1000)
    lowered = Limits(burst_per_minute=2, per_chat=50, per_hour=150, per_day=1000)
    user_id = uuid.uuid4()
    for _ in range(5):
        await fill(redis, user_id, generous, clock, 1)
        clock.advance(seconds=10)

    refused = await admit(redis, user_id, None, lowered, now_ms=clock.now_ms)

    # Prompts at 0, 10, 20, 30, 40 s; now 50 s. Room for one more under a limit
    # of 2 means only the last one may remain: the one at 30 s leaves at 90 s.
    assert (refused.level, refused.count, refused.retry_after_s) == (LimitLevel.BURST, 5, 40)


async def test_without_a_clock_the_server_time_is_used(redis):
    user_id = uuid.uuid4()
    limits = Limits(burst_per_minute=1, per_chat=50, per_hour=150, per_day=1000)

    first = await admit(redis, user_id, None, limits)
    second = await admit(redis, user_id, None, limits)

    assert first.admitted
    assert second.level is LimitLevel.BURST
    assert 1 <= second.retry_after_s <= 60
