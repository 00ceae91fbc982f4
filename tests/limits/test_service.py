"""admit_prompt end to end: Valkey counters, violation rows, limit emails."""

from __future__ import annotations

import uuid

import pytest
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from sqlalchemy import text

from domain.accounts.common import Accounts
from domain.chat.models import Chat, Message, MessageRole, Turn
from domain.errors import Unavailable
from domain.limits import keys
from domain.limits.errors import RateLimited
from domain.limits.models import LimitLevel
from domain.limits.policy import (
    Override,
    add_to_whitelist,
    reset_user_counters,
    set_user_override,
)
from domain.limits.service import admit_prompt, wait_words
from domain.mail.catalog import EmailType
from domain.mail.outbox import Outbox
from domain.mail.render import render
from domain.settings import get_settings
from scripts.services import free_port

pytestmark = pytest.mark.asyncio

SMALL = Override(burst_per_minute=3, per_chat=2, per_hour=5, per_day=6)


@pytest.fixture
def prompt(session, redis, accounts, clock):
    """Send one prompt at the test clock's time; returns the refusal, or None."""

    async def send(user, chat_id=None) -> RateLimited | None:
        try:
            await admit_prompt(session, redis, accounts, user, chat_id, now_ms=clock.now_ms)
        except RateLimited as refused:
            return refused
        return None

    return send


async def limited_user(make_user, session, redis, override: Override = SMALL):
    user = await make_user()
    await set_user_override(session, redis, user.id, override)
    return user


async def rows(session, statement: str, **params) -> list:
    return list((await session.execute(text(statement), params)).all())


async def emails_of(session, user_id) -> list[str]:
    found = await rows(
        session,
        "SELECT email_type FROM email_log WHERE user_id = :u ORDER BY created_at",
        u=user_id,
    )
    return [r.email_type for r in found]


async def test_a_refusal_carries_code_level_and_retry_after(session, redis, make_user, prompt):
    user = await limited_user(make_user, session, redis)
    for _ in range(3):
        assert await prompt(user) is None

    refused = await prompt(user)

    assert (refused.code, refused.status) == ("RATE_LIMITED", 429)
    assert (refused.level, refused.limit, refused.retry_after_s) == (LimitLevel.BURST, 3, 60)
    assert refused.extra == {"level": "burst", "limit": 3, "retry_after_s": 60}


async def test_each_refusal_writes_a_violation_row_with_its_level(
    session, redis, make_user, prompt, clock
):
    user = await limited_user(make_user, session, redis)
    chat = uuid.uuid4()
    await prompt(user, chat)
    await prompt(user, chat)
    await prompt(user)

    await prompt(user)
    clock.advance(minutes=1)
    await prompt(user, chat)

    found = await rows(
        session,
        'SELECT level, chat_id, "limit", count, retry_after_s FROM rate_limit_violations'
        " WHERE user_id = :u ORDER BY created_at",
        u=user.id,
    )
    assert [tuple(r) for r in found] == [
        ("burst", None, 3, 3, 60),
        ("per_chat", chat, 2, 2, None),
    ]


async def test_the_limit_email_is_queued_once_per_level_and_window(
    session, redis, make_user, prompt, sent
):
    user = await limited_user(make_user, session, redis)
    for _ in range(3):
        await prompt(user)

    refusals = [await prompt(user) for _ in range(4)]

    assert all(r.level is LimitLevel.BURST for r in refusals)
    assert await emails_of(session, user.id) == ["limit_burst"]
    [email] = sent.of_type("limit_burst")
    assert email.to_email == user.email
    assert {k: email.context[k] for k in ("limit", "window", "retry_after")} == {
        "limit": 3,
        "window": "1 minute",
        "retry_after": "in 60 seconds",
    }
    assert "3 requests" in render(EmailType.LIMIT_BURST, email.context).text


async def test_burst_hourly_and_daily_each_send_their_own_email_and_per_chat_none(
    session, redis, make_user, prompt, clock
):
    user = await limited_user(
        make_user, session, redis, Override(burst_per_minute=3, per_chat=4, per_hour=4, per_day=5)
    )
    chat = uuid.uuid4()
    levels = []
    for _ in range(3):
        await prompt(user, chat)
    levels.append((await prompt(user, chat)).level)
    clock.advance(minutes=1)
    await prompt(user, chat)
    levels.append((await prompt(user, chat)).level)
    levels.append((await prompt(user, chat)).level)
    clock.advance(hours=1)
    await prompt(user)
    levels.append((await prompt(user)).level)

    assert levels == [LimitLevel.BURST, LimitLevel.PER_CHAT, LimitLevel.PER_CHAT, LimitLevel.DAILY]
    assert await emails_of(session, user.id) == ["limit_burst", "limit_daily"]


async def test_the_hourly_limit_sends_the_hourly_email(session, redis, make_user, prompt, clock):
    user = await limited_user(
        make_user, session, redis, Override(burst_per_minute=3, per_hour=4, per_day=5)
    )
    for _ in range(3):
        await prompt(user)
    clock.advance(minutes=1)
    await prompt(user)

    refused = await prompt(user)

    assert (refused.level, refused.retry_after_s) == (LimitLevel.HOURLY, 59 * 60)
    assert await emails_of(session, user.id) == ["limit_hourly"]


async def test_per_chat_refuses_in_one_chat_but_not_in_another(
    session, redis, make_user, prompt, sent
):
    user = await limited_user(make_user, session, redis)
    chat, other_chat = uuid.uuid4(), uuid.uuid4()
    await prompt(user, chat)
    await prompt(user, chat)

    refused = await prompt(user, chat)
    elsewhere = await prompt(user, other_chat)

    assert (refused.level, refused.retry_after_s) == (LimitLevel.PER_CHAT, None)
    assert "retry_after_s" not in refused.extra
    assert elsewhere is None
    assert sent.emails == []


async def _chat_with_prompts(session, user, count: int) -> uuid.UUID:
    """A chat in PostgreSQL holding `count` stored prompts."""
    chat = Chat(user_id=user.id, title="stored prompts")
    session.add(chat)
    await session.flush()
    for _ in range(count):
        turn = Turn(chat_id=chat.id, user_id=user.id)
        session.add(turn)
        await session.flush()
        session.add(Message(chat_id=chat.id, turn_id=turn.id, role=MessageRole.USER, content="q"))
    await session.commit()
    return chat.id


async def test_a_full_chat_stays_closed_when_redis_has_lost_its_counter(
    session, redis, make_user, prompt
):
    user = await limited_user(make_user, session, redis)  # two prompts per chat
    chat = await _chat_with_prompts(session, user, 2)
    await redis.delete(keys.chat(user.id, chat))  # a Redis restart, or the key's expiry

    refused = await prompt(user, chat)

    assert refused is not None and refused.level is LimitLevel.PER_CHAT
    assert await redis.get(keys.chat(user.id, chat)) == b"2"


async def test_a_lost_chat_counter_resumes_from_the_stored_prompts(
    session, redis, make_user, prompt
):
    user = await limited_user(make_user, session, redis)
    chat = await _chat_with_prompts(session, user, 1)

    admitted = await prompt(user, chat)
    refused = await prompt(user, chat)

    assert admitted is None
    assert refused is not None and refused.level is LimitLevel.PER_CHAT


async def test_resetting_counters_reopens_a_chat_whose_prompts_are_stored(
    session, redis, make_user, prompt
):
    user = await limited_user(make_user, session, redis)
    chat = await _chat_with_prompts(session, user, 2)
    assert (await prompt(user, chat)).level is LimitLevel.PER_CHAT

    await reset_user_counters(redis, user.id)

    assert await prompt(user, chat) is None


async def test_a_whitelisted_user_is_never_refused_nor_counted(session, redis, make_user, prompt):
    user = await limited_user(make_user, session, redis)
    await add_to_whitelist(session, redis, user.id, reason="support")
    chat = uuid.uuid4()

    outcomes = [await prompt(user, chat) for _ in range(12)]

    assert outcomes == [None] * 12
    assert await redis.exists(keys.window(user.id, LimitLevel.BURST)) == 0
    assert (
        await rows(session, "SELECT 1 FROM rate_limit_violations WHERE user_id = :u", u=user.id)
        == []
    )


async def test_an_email_that_cannot_be_queued_does_not_stop_the_refusal(
    session, redis, make_user, clock
):
    def broker_down(email) -> None:
        raise ConnectionError("broker unreachable")

    accounts = Accounts(settings=get_settings(), outbox=Outbox(broker_down))
    user = await limited_user(make_user, session, redis)
    for _ in range(3):
        await admit_prompt(session, redis, accounts, user, None, now_ms=clock.now_ms)

    with pytest.raises(RateLimited):
        await admit_prompt(session, redis, accounts, user, None, now_ms=clock.now_ms)

    assert await emails_of(session, user.id) == []
    violations = await rows(
        session, "SELECT level FROM rate_limit_violations WHERE user_id = :u", u=user.id
    )
    assert [r.level for r in violations] == ["burst"]
    # The next refusal in this window may try the email again.
    assert await redis.exists(keys.notice(user.id, LimitLevel.BURST)) == 0


async def test_without_redis_prompts_are_refused_as_unavailable(session, make_user, accounts):
    user = await make_user()
    # No retries: the refusal, not the client's patience, is under test.
    nowhere = Redis(host="127.0.0.1", port=free_port(), retry=Retry(NoBackoff(), 0))

    try:
        with pytest.raises(Unavailable):
            await admit_prompt(session, nowhere, accounts, user, None)
    finally:
        await nowhere.aclose()


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (1, "in 1 second"),
        (60, "in 60 seconds"),
        (90, "in 2 minutes"),
        (3540, "in 59 minutes"),
        (5400, "in 2 hours"),
        (82800, "in 23 hours"),
    ],
)
async def test_the_wait_is_worded_for_people_and_never_too_short(seconds, words):
    assert wait_words(seconds) == words
