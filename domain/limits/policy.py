"""Which limits apply to a user, and the admin's ways of changing them.

PostgreSQL is the truth; Redis holds each user's effective limits, stamped with
the value of one version key. Every write commits first and then sets a fresh
version, so the next prompt in any API process misses its cache entry and
reloads. Setting the version before the commit would let a reader cache the old
rows under the new version.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput
from domain.limits import keys
from domain.limits.errors import redis_errors
from domain.limits.models import LimitLevel, RateLimitConfig, RateLimitWhitelist, UserRateLimit

log = logging.getLogger("kubera.limits.policy")

# The product's limits (original README, "Rate Limiting").
DEFAULT_BURST_PER_MINUTE = 10
DEFAULT_PER_CHAT = 50
DEFAULT_PER_HOUR = 150
DEFAULT_PER_DAY = 1_000
# Bounds how long a cache entry outlives a lost version bump (Redis down mid-write).
DEFAULT_CACHE_TTL_S = 600

_FIELDS = ("burst_per_minute", "per_chat", "per_hour", "per_day")


@dataclass(frozen=True)
class Limits:
    """Prompts allowed per sliding minute, per chat (ever), per hour and per 24 hours."""

    burst_per_minute: int = DEFAULT_BURST_PER_MINUTE
    per_chat: int = DEFAULT_PER_CHAT
    per_hour: int = DEFAULT_PER_HOUR
    per_day: int = DEFAULT_PER_DAY

    def of(self, level: LimitLevel) -> int:
        return {
            LimitLevel.BURST: self.burst_per_minute,
            LimitLevel.PER_CHAT: self.per_chat,
            LimitLevel.HOURLY: self.per_hour,
            LimitLevel.DAILY: self.per_day,
        }[level]


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Override:
    """One user's limits; None keeps the global value for that level."""

    burst_per_minute: int | None = None
    per_chat: int | None = None
    per_hour: int | None = None
    per_day: int | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, name) is None for name in _FIELDS)


def _check(values: Limits | Override) -> None:
    """The database checks the same; this turns a bad request into a 400."""
    for name in _FIELDS:
        value = getattr(values, name)
        if value is not None and value <= 0:
            raise InvalidInput("Limits must be positive", field=name)
    ordered = [
        (name, value)
        for name in ("burst_per_minute", "per_hour", "per_day")
        if (value := getattr(values, name)) is not None
    ]
    for (low_name, low), (high_name, high) in itertools.pairwise(ordered):
        if low > high:
            raise InvalidInput(f"{low_name} cannot exceed {high_name}", field=low_name)


def _merge(base: Limits, override: Override | None) -> Limits:
    if override is None:
        return base
    changes = {n: v for n in _FIELDS if (v := getattr(override, n)) is not None}
    return dataclasses.replace(base, **changes)


async def global_limits(session: AsyncSession) -> Limits:
    """The configured global limits, or the defaults when no row exists."""
    columns = [getattr(RateLimitConfig, name) for name in _FIELDS]
    row = (await session.execute(select(*columns).where(RateLimitConfig.id == 1))).first()
    return Limits(*row) if row else DEFAULT_LIMITS


async def _load(session: AsyncSession, user_id: uuid.UUID) -> Limits | None:
    # Column selects, not entities: the identity map must not hand back stale rows.
    listed = select(RateLimitWhitelist.user_id).where(RateLimitWhitelist.user_id == user_id)
    if (await session.execute(listed)).first():
        return None
    columns = [getattr(UserRateLimit, name) for name in _FIELDS]
    query = select(*columns).where(UserRateLimit.user_id == user_id)
    row = (await session.execute(query)).first()
    return _merge(await global_limits(session), Override(*row) if row else None)


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


async def _current_version(redis: Redis, seen: str | None) -> str:
    if seen is not None:
        return seen
    # A fresh random version, never a counter restarting at 1: entries cached
    # before the key was lost must not match it.
    await redis.set(keys.VERSION, uuid.uuid4().hex, nx=True)
    return _text(await redis.get(keys.VERSION)) or ""


async def effective_limits(
    session: AsyncSession, redis: Redis, user_id: uuid.UUID
) -> Limits | None:
    """The limits for this user's next prompt; None means whitelisted (no limits).

    One Redis round trip when cached; on a miss, three small primary-key reads.
    """
    with redis_errors("read limits"):
        version, cached = map(_text, await redis.mget(keys.VERSION, keys.cache(user_id)))
        if version is not None and cached is not None:
            entry = json.loads(cached)
            if entry["v"] == version:
                return Limits(*entry["limits"]) if entry["limits"] else None
        version = await _current_version(redis, version)
        limits = await _load(session, user_id)
        entry = {"v": version, "limits": dataclasses.astuple(limits) if limits else None}
        await redis.set(keys.cache(user_id), json.dumps(entry), ex=DEFAULT_CACHE_TTL_S)
    return limits


async def _commit_and_bump(session: AsyncSession, redis: Redis, change: str) -> None:
    await session.commit()
    with redis_errors("bump limits version"):
        await redis.set(keys.VERSION, uuid.uuid4().hex)
    log.info("rate limits changed", extra={"change": change})


async def set_global(session: AsyncSession, redis: Redis, limits: Limits) -> None:
    """Replace the global limits. Commits the session."""
    _check(limits)
    values = dataclasses.asdict(limits)
    statement = insert(RateLimitConfig).values(id=1, **values)
    await session.execute(statement.on_conflict_do_update(index_elements=["id"], set_=values))
    await _commit_and_bump(session, redis, "global")


async def set_user_override(
    session: AsyncSession, redis: Redis, user_id: uuid.UUID, override: Override
) -> None:
    """Set one user's limits; an empty override removes them. Commits the session."""
    _check(override)
    if override.is_empty():
        await session.execute(delete(UserRateLimit).where(UserRateLimit.user_id == user_id))
    else:
        values = dataclasses.asdict(override)
        statement = insert(UserRateLimit).values(user_id=user_id, **values)
        await session.execute(
            statement.on_conflict_do_update(index_elements=["user_id"], set_=values)
        )
    await _commit_and_bump(session, redis, "override")


async def add_to_whitelist(
    session: AsyncSession,
    redis: Redis,
    user_id: uuid.UUID,
    *,
    added_by: uuid.UUID | None = None,
    reason: str | None = None,
) -> None:
    """Exempt a user from every limit (again: a repeat updates who and why). Commits."""
    values = {"added_by": added_by, "reason": reason}
    statement = insert(RateLimitWhitelist).values(user_id=user_id, **values)
    await session.execute(statement.on_conflict_do_update(index_elements=["user_id"], set_=values))
    await _commit_and_bump(session, redis, "whitelist add")


async def remove_from_whitelist(session: AsyncSession, redis: Redis, user_id: uuid.UUID) -> bool:
    """Limit the user again; False if they were not listed. Commits the session."""
    statement = (
        delete(RateLimitWhitelist)
        .where(RateLimitWhitelist.user_id == user_id)
        .returning(RateLimitWhitelist.user_id)
    )
    removed = (await session.execute(statement)).first() is not None
    await _commit_and_bump(session, redis, "whitelist remove")
    return removed


async def reset_user_counters(redis: Redis, user_id: uuid.UUID) -> int:
    """Forget a user's counted prompts (every window and chat) and sent notices.

    Returns how many Redis keys were reset. Chat counters are set to zero, not
    removed: a missing one is rebuilt from the chat's stored prompts, which
    would close the chat again. Nothing in PostgreSQL changes.
    """
    with redis_errors("reset counters"):
        found = [key async for key in redis.scan_iter(match=keys.user_pattern(user_id))]
        chats = [k for k in found if keys.is_chat(_text(k))]
        others = [k for k in found if not keys.is_chat(_text(k))]
        pipe = redis.pipeline(transaction=True)
        for key in chats:
            pipe.set(key, 0, keepttl=True, xx=True)
        if others:
            pipe.delete(*others)
        replies = await pipe.execute()
    reset = sum(1 for r in replies[: len(chats)] if r) + (replies[-1] if others else 0)
    log.info("rate limit counters reset", extra={"user_id": str(user_id), "keys": reset})
    return reset
