"""The admin's side of rate limits: reading the configuration and changing it
through `domain.limits.policy`, each change logged in the same transaction.

The policy's writers commit the session themselves, so the log row is added
first and rides on their commit; a refused change commits nothing.
"""

from __future__ import annotations

import dataclasses
import itertools
import uuid
from dataclasses import dataclass
from datetime import datetime

from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts.models import User
from domain.admin.audit import Actor, AdminAction, record
from domain.admin.paging import Page, fetch_page
from domain.errors import InvalidInput, NotFound
from domain.limits import policy
from domain.limits.models import (
    LimitLevel,
    RateLimitViolation,
    RateLimitWhitelist,
    UserRateLimit,
)
from domain.limits.policy import Limits, Override

_FIELDS = ("burst_per_minute", "per_chat", "per_hour", "per_day")
# The levels that must not decrease; per_chat counts a chat's whole life.
_ORDERED = ("burst_per_minute", "per_hour", "per_day")


@dataclass(frozen=True)
class OverrideEntry:
    user_id: uuid.UUID
    username: str
    email: str
    limits: Override
    updated_at: datetime


@dataclass(frozen=True)
class WhitelistEntry:
    user_id: uuid.UUID
    username: str
    email: str
    reason: str | None
    added_by: uuid.UUID | None
    created_at: datetime


@dataclass(frozen=True)
class LimitsConfig:
    global_limits: Limits
    defaults: Limits
    overrides: list[OverrideEntry]
    whitelist: list[WhitelistEntry]


@dataclass(frozen=True)
class ViolationEntry:
    id: uuid.UUID
    user_id: uuid.UUID
    username: str
    chat_id: uuid.UUID | None
    level: str
    limit: int
    count: int
    retry_after_s: int | None
    created_at: datetime


async def known_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("No user with this id", field="user_id")
    return user


async def user_override(session: AsyncSession, user_id: uuid.UUID) -> Override | None:
    columns = [getattr(UserRateLimit, name) for name in _FIELDS]
    row = (await session.execute(select(*columns).where(UserRateLimit.user_id == user_id))).first()
    return Override(*row) if row else None


async def whitelist_entry(session: AsyncSession, user_id: uuid.UUID) -> RateLimitWhitelist | None:
    query = select(RateLimitWhitelist).where(RateLimitWhitelist.user_id == user_id)
    return (await session.execute(query)).scalar_one_or_none()


async def config(session: AsyncSession) -> LimitsConfig:
    overrides = await session.execute(
        select(UserRateLimit, User.username, User.email)
        .join(User, User.id == UserRateLimit.user_id)
        .order_by(User.username)
    )
    listed = await session.execute(
        select(RateLimitWhitelist, User.username, User.email)
        .join(User, User.id == RateLimitWhitelist.user_id)
        .order_by(User.username)
    )
    return LimitsConfig(
        global_limits=await policy.global_limits(session),
        defaults=policy.DEFAULT_LIMITS,
        overrides=[
            OverrideEntry(
                row.user_id,
                name,
                email,
                Override(*(getattr(row, f) for f in _FIELDS)),
                row.updated_at,
            )
            for row, name, email in overrides
        ],
        whitelist=[
            WhitelistEntry(row.user_id, name, email, row.reason, row.added_by, row.created_at)
            for row, name, email in listed
        ],
    )


async def set_global(
    session: AsyncSession, redis: Redis, actor: Actor, changes: dict[str, int]
) -> Limits:
    """Change some or all global limits; fields not given keep their value."""
    before = await policy.global_limits(session)
    after = dataclasses.replace(before, **changes)
    record(
        session,
        actor,
        AdminAction.LIMITS_GLOBAL,
        ("rate_limits", "global"),
        before=before,
        after=after,
    )
    await policy.set_global(session, redis, after)
    return after


def _check_merged(override: Override, base: Limits) -> None:
    """The user's limits must stay in order (burst <= hourly <= daily) once the
    override is laid over the global ones; the error names a level it sets."""
    for name in _FIELDS:
        value = getattr(override, name)
        if value is not None and value <= 0:
            raise InvalidInput("Limits must be positive", field=name)
    merged = dataclasses.replace(
        base, **{n: v for n in _FIELDS if (v := getattr(override, n)) is not None}
    )
    for low, high in itertools.pairwise(_ORDERED):
        if getattr(merged, low) > getattr(merged, high):
            field = low if getattr(override, low) is not None else high
            raise InvalidInput(
                f"{low} would exceed {high} ({getattr(merged, low)} > {getattr(merged, high)})",
                field=field,
            )


async def set_override(
    session: AsyncSession, redis: Redis, actor: Actor, user_id: uuid.UUID, override: Override
) -> Override | None:
    """Replace one user's overrides; an empty one removes them."""
    await known_user(session, user_id)
    _check_merged(override, await policy.global_limits(session))
    before = await user_override(session, user_id)
    after = None if override.is_empty() else override
    record(
        session, actor, AdminAction.LIMITS_OVERRIDE, ("user", user_id), before=before, after=after
    )
    await policy.set_user_override(session, redis, user_id, override)
    return after


async def whitelist(
    session: AsyncSession, redis: Redis, actor: Actor, user_id: uuid.UUID, reason: str | None
) -> None:
    await known_user(session, user_id)
    entry = await whitelist_entry(session, user_id)
    before = {"whitelisted": entry is not None, "reason": entry.reason if entry else None}
    after = {"whitelisted": True, "reason": reason}
    record(session, actor, AdminAction.WHITELIST_ADD, ("user", user_id), before=before, after=after)
    await policy.add_to_whitelist(session, redis, user_id, added_by=actor.admin_id, reason=reason)


async def unwhitelist(
    session: AsyncSession, redis: Redis, actor: Actor, user_id: uuid.UUID
) -> None:
    await known_user(session, user_id)
    entry = await whitelist_entry(session, user_id)
    if entry is None:
        raise NotFound("This user is not on the whitelist", field="user_id")
    before = {"whitelisted": True, "reason": entry.reason}
    record(
        session,
        actor,
        AdminAction.WHITELIST_REMOVE,
        ("user", user_id),
        before=before,
        after={"whitelisted": False},
    )
    await policy.remove_from_whitelist(session, redis, user_id)


async def reset_counters(
    session: AsyncSession, redis: Redis, actor: Actor, user_id: uuid.UUID
) -> int:
    """Forget the user's counted prompts; the log row commits once Redis is done."""
    await known_user(session, user_id)
    removed = await policy.reset_user_counters(redis, user_id)
    record(
        session,
        actor,
        AdminAction.COUNTERS_RESET,
        ("user", user_id),
        after={"keys_removed": removed},
    )
    await session.commit()
    return removed


@dataclass(frozen=True)
class ViolationFilter:
    user_id: uuid.UUID | None = None
    level: LimitLevel | None = None
    since: datetime | None = None


async def violations(
    session: AsyncSession, wanted: ViolationFilter, page: int, size: int
) -> Page[ViolationEntry]:
    """Refused prompts, newest first."""
    v = RateLimitViolation
    query = (
        select(v, User.username)
        .join(User, User.id == v.user_id)
        .order_by(v.created_at.desc(), v.id)
    )
    if wanted.user_id is not None:
        query = query.where(v.user_id == wanted.user_id)
    if wanted.level is not None:
        query = query.where(v.level == wanted.level)
    if wanted.since is not None:
        query = query.where(v.created_at >= wanted.since)
    rows, total = await fetch_page(session, query, page, size)
    items = [
        ViolationEntry(
            row.id,
            row.user_id,
            name,
            row.chat_id,
            row.level.value,
            row.limit,
            row.count,
            row.retry_after_s,
            row.created_at,
        )
        for row, name in rows
    ]
    return Page(items, total, page, size)
