"""The numbers on the admin dashboard and the prompt-activity time series.

Windows are "the last 24 hours" and "the last 7 days" ending now. Prompts are
chat turns (one per user message); tool calls come from the answers'
`tool_calls` lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from redis.asyncio import Redis
from sqlalchemy import Float, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from domain import ops
from domain.accounts.models import User
from domain.chat.models import Chat, Message, MessageRole, Turn
from domain.db.base import utcnow
from domain.errors import InvalidInput
from domain.limits.models import LimitLevel, RateLimitViolation
from domain.mail.models import EmailLog, EmailStatus
from domain.system import ChatState, chat_state, load_stored

Bucket = Literal["hour", "day"]
# Longest series per bucket: two weeks of hours, a year of days.
MAX_DAYS = {"hour": 14, "day": 365}


@dataclass(frozen=True)
class Windowed:
    last_24h: int
    last_7d: int


@dataclass(frozen=True)
class UserCounts:
    total: int
    active: int
    new: Windowed


@dataclass(frozen=True)
class ToolUsage:
    name: str
    calls_24h: int
    calls_7d: int
    failed_7d: int
    avg_duration_ms_7d: float | None


@dataclass(frozen=True)
class Dashboard:
    users: UserCounts
    chats: Windowed
    prompts: Windowed
    tool_calls: list[ToolUsage]
    violations: dict[str, Windowed]
    emails: dict[str, Windowed]
    queues: dict[str, dict[str, int]]
    workers: dict[str, int]
    system: ChatState
    generated_at: datetime


def _windows(column) -> tuple[Any, Any]:
    now = utcnow()
    return (
        func.count().filter(column >= now - timedelta(hours=24)),
        func.count().filter(column >= now - timedelta(days=7)),
    )


async def _windowed(session: AsyncSession, column) -> Windowed:
    day, week = _windows(column)
    row = (await session.execute(select(day, week))).one()
    return Windowed(*row)


async def _users(session: AsyncSession) -> UserCounts:
    day, week = _windows(User.created_at)
    active = func.count().filter(User.is_active.is_(True))
    total, live, new_day, new_week = (
        await session.execute(select(func.count(), active, day, week).select_from(User))
    ).one()
    return UserCounts(total, live, Windowed(new_day, new_week))


async def _grouped(session: AsyncSession, key, column, keys: list[str]) -> dict[str, Windowed]:
    day, week = _windows(column)
    week_ago = utcnow() - timedelta(days=7)
    rows = await session.execute(select(key, day, week).where(column >= week_ago).group_by(key))
    found = {str(getattr(k, "value", k)): Windowed(d, w) for k, d, w in rows}
    return {name: found.get(name, Windowed(0, 0)) for name in keys}


async def _tool_usage(session: AsyncSession) -> list[ToolUsage]:
    week_ago = utcnow() - timedelta(days=7)
    calls = func.jsonb_array_elements(Message.tool_calls).table_valued("value").lateral("call")
    name = calls.c.value.op("->>")("name")
    ok = calls.c.value.op("->>")("ok")
    duration = calls.c.value.op("->>")("duration_ms").cast(Float)
    day, week = _windows(Message.created_at)
    query = (
        select(name, day, week, func.count().filter(ok == "false"), func.avg(duration))
        .select_from(Message)
        .join(calls, true())
        .where(Message.role == MessageRole.ASSISTANT, Message.created_at >= week_ago)
        .group_by(name)
        .order_by(week.desc(), name)
    )
    return [
        ToolUsage(n, d, w, f, round(float(a), 1) if a is not None else None)
        for n, d, w, f, a in await session.execute(query)
    ]


async def dashboard(session: AsyncSession, redis: Redis) -> Dashboard:
    workers = await ops.live_workers(redis)
    return Dashboard(
        users=await _users(session),
        chats=await _windowed(session, Chat.created_at),
        prompts=await _windowed(session, Turn.created_at),
        tool_calls=await _tool_usage(session),
        violations=await _grouped(
            session,
            RateLimitViolation.level,
            RateLimitViolation.created_at,
            [level.value for level in LimitLevel],
        ),
        emails=await _grouped(
            session,
            EmailLog.status,
            EmailLog.created_at,
            [EmailStatus.SENT.value, EmailStatus.FAILED.value],
        ),
        queues=await ops.queue_depths(redis),
        workers=ops.workers_by_queue(workers),
        system=await chat_state(redis, lambda: load_stored(session)),
        generated_at=utcnow(),
    )


@dataclass(frozen=True)
class ActivityPoint:
    start: datetime
    prompts: int
    users: int


async def prompt_activity(session: AsyncSession, bucket: Bucket, days: int) -> list[ActivityPoint]:
    """Prompts and distinct prompting users per bucket (UTC), oldest first,
    every bucket present (zero when idle); the last one is the current bucket."""
    if bucket not in MAX_DAYS:
        raise InvalidInput("bucket is hour or day", field="bucket")
    if not 1 <= days <= MAX_DAYS[bucket]:
        raise InvalidInput(f"days is 1-{MAX_DAYS[bucket]} for {bucket} buckets", field="days")
    step = timedelta(hours=1) if bucket == "hour" else timedelta(days=1)
    now = utcnow()
    count = days * (24 if bucket == "hour" else 1)
    first = _truncate(now, bucket) - step * (count - 1)
    start = func.date_trunc(bucket, Turn.created_at, "UTC")
    query = (
        select(start, func.count(), func.count(Turn.user_id.distinct()))
        .where(Turn.created_at >= first)
        .group_by(start)
    )
    found = {s: (p, u) for s, p, u in await session.execute(query)}
    points = []
    for index in range(count):
        at = first + step * index
        prompts, users = found.get(at, (0, 0))
        points.append(ActivityPoint(at, prompts, users))
    return points


def _truncate(moment: datetime, bucket: str) -> datetime:
    moment = moment.replace(minute=0, second=0, microsecond=0)
    return moment.replace(hour=0) if bucket == "day" else moment
