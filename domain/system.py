"""The operators' switch for chat: stopped, started, or a maintenance window.

When chat is stopped, or a maintenance window is open, new prompts are refused
with SYSTEM_DISABLED; turns already running finish. PostgreSQL holds the state
(one `system_state` row, so it survives restarts); Redis holds a copy that every
API process reads per prompt. Every change commits first and then rewrites the
copy; a process that finds no copy reloads it from PostgreSQL when given a
loader, and `sync_system_state` rewrites it at start-up.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import datetime

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import CheckConstraint, ForeignKey, Text, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from domain.db.base import Base, utcnow
from domain.errors import KuberaError, Unavailable

log = logging.getLogger("kubera.system")

SYSTEM_KEY = "kubera:system:chat"
DEFAULT_STOPPED_MESSAGE = "Chat is paused by the operators; try again later"
DEFAULT_MAINTENANCE_MESSAGE = "Kubera is under maintenance; try again later"


class SystemDisabled(KuberaError):
    code = "SYSTEM_DISABLED"
    status = 503


class SystemStateRow(Base):
    """The one row (id 1) of the chat switch. No row means chat is on."""

    __tablename__ = "system_state"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint(
            "starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at", name="window_ordered"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=1)
    chat_enabled: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    maintenance: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    message: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=text("now()")
    )
    updated_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


@dataclass(frozen=True)
class ChatState:
    """`enabled` False stops chat outright; `maintenance` stops it inside the
    window [starts_at, ends_at), either end open when None."""

    enabled: bool = True
    maintenance: bool = False
    message: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    def refusal(self, now: datetime) -> str | None:
        """Why a prompt sent at `now` is refused, or None when it is allowed."""
        if not self.enabled:
            return self.message or DEFAULT_STOPPED_MESSAGE
        if not self.maintenance:
            return None
        started = self.starts_at is None or self.starts_at <= now
        ended = self.ends_at is not None and self.ends_at <= now
        return (self.message or DEFAULT_MAINTENANCE_MESSAGE) if started and not ended else None

    def to_json(self) -> str:
        data = asdict(self)
        for name in ("starts_at", "ends_at"):
            data[name] = data[name].isoformat() if data[name] else None
        return json.dumps(data)

    @classmethod
    def from_json(cls, raw: bytes | str) -> ChatState:
        data = json.loads(raw)
        return cls(
            enabled=bool(data.get("enabled", True)),
            maintenance=bool(data.get("maintenance", False)),
            message=data.get("message"),
            starts_at=_when(data.get("starts_at")),
            ends_at=_when(data.get("ends_at")),
        )


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


Loader = Callable[[], Awaitable[ChatState]]


def _state_of(row: SystemStateRow | None) -> ChatState:
    if row is None:
        return ChatState()
    return ChatState(row.chat_enabled, row.maintenance, row.message, row.starts_at, row.ends_at)


async def load_state(session: AsyncSession) -> ChatState:
    """The state as PostgreSQL holds it."""
    return _state_of(await session.get(SystemStateRow, 1, populate_existing=True))


def loader_from(sessions: async_sessionmaker) -> Loader:
    """A loader for `ensure_chat_enabled` that opens its own short session."""

    async def load() -> ChatState:
        async with sessions() as session:
            return await load_state(session)

    return load


async def _mirror(redis: Redis, state: ChatState) -> None:
    await redis.set(SYSTEM_KEY, state.to_json())


async def chat_state(redis: Redis, load: Loader | None = None) -> ChatState:
    """The state from the Redis copy; on a miss, from `load` (then copied)."""
    raw = await redis.get(SYSTEM_KEY)
    if raw:
        return ChatState.from_json(raw)
    if load is None:
        return ChatState()
    state = await load()
    await _mirror(redis, state)
    return state


async def ensure_chat_enabled(redis: Redis, load: Loader | None = None) -> None:
    """Raise SystemDisabled when a new prompt must be refused now."""
    reason = (await chat_state(redis, load)).refusal(utcnow())
    if reason is not None:
        raise SystemDisabled(reason)


async def set_chat_enabled(redis: Redis, enabled: bool, message: str | None = None) -> None:
    """Write the Redis copy only (tests and emergencies); `save_state` is the
    normal path and also persists the change."""
    await _mirror(redis, ChatState(enabled=enabled, message=message))


async def save_state(
    session: AsyncSession, redis: Redis, state: ChatState, updated_by: uuid.UUID | None
) -> None:
    """Persist `state` in the caller's transaction, commit, then copy it to Redis.

    Copying after the commit means no process can read a state that was rolled
    back. If Redis fails after the commit the change is saved but not yet in
    effect; the caller hears Unavailable and may repeat it.
    """
    row = await session.get(SystemStateRow, 1, with_for_update=True)
    if row is None:
        row = SystemStateRow(id=1)
        session.add(row)
    row.chat_enabled = state.enabled
    row.maintenance = state.maintenance
    row.message = state.message
    row.starts_at = state.starts_at
    row.ends_at = state.ends_at
    row.updated_by = updated_by
    await session.commit()
    try:
        await _mirror(redis, state)
    except RedisError as exc:
        log.warning("system state not mirrored", extra={"error": repr(exc)})
        raise Unavailable("The change was saved but not yet applied; send it again") from exc
    log.info("system state changed", extra={"enabled": state.enabled, "maint": state.maintenance})


async def sync_system_state(session: AsyncSession, redis: Redis) -> ChatState:
    """Rewrite the Redis copy from PostgreSQL (call once at start-up)."""
    state = await load_state(session)
    await _mirror(redis, state)
    return state
