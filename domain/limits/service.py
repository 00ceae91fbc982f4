"""Admitting a prompt, before its message is stored.

`admit_prompt` counts and, over a limit, refuses in one call, for a caller
that has the user. The chat socket has only its token's user id until a
refusal (its sign-in is checked by the statement that stores the prompt), so
it calls the two halves: `count_prompt`, then `refuse_prompt` once it has
checked who is asking.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import NoReturn

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts.common import Accounts
from domain.accounts.models import User
from domain.chat.service import prompts_in_chat
from domain.errors import Unavailable
from domain.limits import counter, keys
from domain.limits.counter import WINDOW_MS, Decision
from domain.limits.errors import RateLimited, redis_errors
from domain.limits.models import LimitLevel, RateLimitViolation
from domain.limits.policy import effective_limits
from domain.mail.catalog import EmailType

log = logging.getLogger("kubera.limits.service")

# per_chat has no email: the user only needs to start another chat.
EMAILS = {
    LimitLevel.BURST: EmailType.LIMIT_BURST,
    LimitLevel.HOURLY: EmailType.LIMIT_HOURLY,
    LimitLevel.DAILY: EmailType.LIMIT_DAILY,
}
WINDOW_WORDS = {
    LimitLevel.BURST: "1 minute",
    LimitLevel.HOURLY: "1 hour",
    LimitLevel.DAILY: "24 hours",
}


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def wait_words(retry_after_s: int) -> str:
    """ "in 42 seconds", "in 5 minutes", "in 23 hours": rounded up, never too early."""
    if retry_after_s < 90:
        return "in " + _plural(retry_after_s, "second")
    if retry_after_s < 90 * 60:
        return "in " + _plural(math.ceil(retry_after_s / 60), "minute")
    return "in " + _plural(math.ceil(retry_after_s / 3600), "hour")


def _message(level: LimitLevel, limit: int, retry_after_s: int | None) -> str:
    if level is LimitLevel.PER_CHAT or retry_after_s is None:
        return f"This chat has reached its limit of {limit} prompts; start a new chat"
    return (
        f"You have sent {limit} prompts within {WINDOW_WORDS[level]}; "
        f"try again {wait_words(retry_after_s)}"
    )


async def _notify_once(
    session: AsyncSession,
    redis: Redis,
    accounts: Accounts,
    user: User,
    decision: Decision,
    limit: int,
) -> None:
    """Queue the level's email unless one went out in this window already."""
    level = decision.level
    email_type = EMAILS.get(level)
    if email_type is None or decision.retry_after_s is None:
        return
    key = keys.notice(user.id, level)
    with redis_errors("mark limit notice"):
        if not await redis.set(key, "1", nx=True, px=WINDOW_MS[level]):
            return
    context = {
        "limit": limit,
        "window": WINDOW_WORDS[level],
        "retry_after": wait_words(decision.retry_after_s),
    }
    try:
        # A savepoint: if the broker is down, the email row goes but the refusal stays.
        async with session.begin_nested():
            await accounts.email(session, email_type, user, **context)
    except Unavailable:
        log.warning("limit email not queued", extra={"level": level.value})
        # Let the next refusal try again; failing that, the key expires with the window.
        with contextlib.suppress(RedisError):
            await redis.delete(key)


async def admit_prompt(
    session: AsyncSession,
    redis: Redis,
    accounts: Accounts,
    user: User,
    chat_id: uuid.UUID | None,
    *,
    new_chat: bool = False,
    now_ms: int | None = None,
) -> None:
    """Count this prompt against the user's limits or raise `RateLimited`.

    On refusal a violation row (and at most one email per level and window) is
    committed before raising; an admitted prompt writes nothing to the
    database. Pass the chat's id even for a chat created for this prompt, or
    the prompt is not counted against it, and say whether it is `new_chat` (then
    its stored prompts need not be counted). `now_ms` is for tests.
    """
    refusal = await count_prompt(session, redis, user.id, chat_id, new_chat=new_chat, now_ms=now_ms)
    if refusal is not None:
        await refuse_prompt(session, redis, accounts, user, refusal)


@dataclass(frozen=True)
class Refusal:
    """A prompt over a limit, before it is recorded and answered."""

    chat_id: uuid.UUID | None
    decision: Decision
    limit: int


async def count_prompt(
    session: AsyncSession,
    redis: Redis,
    user_id: uuid.UUID,
    chat_id: uuid.UUID | None,
    *,
    new_chat: bool = False,
    now_ms: int | None = None,
    first: Awaitable[object] | None = None,
) -> Refusal | None:
    """`admit_prompt`'s count, for a caller that has only the user's id: the
    prompt counted (None), or the limit it breaks, which the caller hands to
    `refuse_prompt`. Writes nothing to the database.

    `first` (a check of the caller's, not using `session`) runs beside the
    read of the user's limits; what it raises is raised before anything is
    counted.
    """
    if first is None:
        limits = await effective_limits(session, redis, user_id)
    else:
        read, checked = await asyncio.gather(
            effective_limits(session, redis, user_id), first, return_exceptions=True
        )
        for outcome in (checked, read):
            if isinstance(outcome, BaseException):
                raise outcome
        limits = read
    if limits is None:
        return None
    decision = await counter.admit(
        redis,
        user_id,
        chat_id,
        limits,
        now_ms=now_ms,
        stored_prompts=lambda: prompts_in_chat(session, chat_id),
        new_chat=new_chat,
    )
    if decision.level is None:
        return None
    return Refusal(chat_id, decision, limits.of(decision.level))


async def refuse_prompt(
    session: AsyncSession, redis: Redis, accounts: Accounts, user: User, refusal: Refusal
) -> NoReturn:
    """Record the refusal (and its email, once per level and window) and raise
    `RateLimited`."""
    decision, limit = refusal.decision, refusal.limit
    user_id = user.id  # read before the commit, which may expire `user`
    # The caller's reads end here: the refusal's writes are one transaction
    # (on a fresh connection, should the caller's be in autocommit).
    await session.commit()
    session.add(
        RateLimitViolation(
            user_id=user_id,
            chat_id=refusal.chat_id,
            level=decision.level,
            limit=limit,
            count=decision.count,
            retry_after_s=decision.retry_after_s,
        )
    )
    await _notify_once(session, redis, accounts, user, decision, limit)
    await session.commit()
    log.info(
        "prompt refused",
        extra={
            "user_id": str(user_id),
            "level": decision.level.value,
            "limit": limit,
            "count": decision.count,
            "retry_after_s": decision.retry_after_s,
        },
    )
    raise RateLimited(
        _message(decision.level, limit, decision.retry_after_s),
        level=decision.level,
        limit=limit,
        retry_after_s=decision.retry_after_s,
    )
