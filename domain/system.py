"""The operators' switch for chat: stopped, started, or a maintenance window.

When chat is stopped, or a maintenance window is open, new prompts are refused
with SYSTEM_DISABLED; turns already running finish. PostgreSQL holds the state
(one `system_state` row, so it survives restarts); Redis holds a copy that every
API process reads per prompt.

Every change commits first and then writes the copy, stamped with the row's
`updated_at` (taken from PostgreSQL's clock under the row lock, so it grows
with each change). The copy is only ever replaced by a newer stamp: neither the
slower of two admins' writes nor a process reloading after a miss can put an
older state back. A process that finds no copy (Redis restarted without its
data) reloads it from PostgreSQL, through the caller's loader or, without one,
a short connection of its own.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import CheckConstraint, Text, func, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.pool import NullPool

from domain.db.base import Base, ChangedBy, utcnow
from domain.errors import KuberaError, Unavailable

log = logging.getLogger("kubera.system")

SYSTEM_KEY = "kubera:system:chat"
DEFAULT_STOPPED_MESSAGE = "Chat is paused by the operators; try again later"
DEFAULT_MAINTENANCE_MESSAGE = "Kubera is under maintenance; try again later"


class SystemDisabled(KuberaError):
    code = "SYSTEM_DISABLED"
    status = 503


class SystemStateRow(ChangedBy, Base):
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

    def to_json(self, version: int = 0) -> str:
        """`version`: the stamp the Redis copy is ordered by (microseconds)."""
        data = asdict(self) | {"version": version}
        for name in ("starts_at", "ends_at"):
            moment = getattr(self, name)
            data[name] = moment.isoformat() if moment else None
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


@dataclass(frozen=True)
class Stored:
    """The state as PostgreSQL holds it, with the stamp of its last change."""

    state: ChatState
    version: int = 0


Loader = Callable[[], Awaitable[Stored]]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Replaces the copy only with a newer version (ARGV[2]); answers 1 if it did.
_SET_IF_NEWER = """
local current = redis.call('GET', KEYS[1])
if current then
  local ok, data = pcall(cjson.decode, current)
  if ok and type(data) == 'table' and tonumber(data['version'] or 0) >= tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1])
return 1
"""


def _version(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _stored(row: SystemStateRow | None) -> Stored:
    if row is None:
        return Stored(ChatState())
    state = ChatState(row.chat_enabled, row.maintenance, row.message, row.starts_at, row.ends_at)
    return Stored(state, _version(row.updated_at))


async def load_stored(session: AsyncSession) -> Stored:
    return _stored(await session.get(SystemStateRow, 1, populate_existing=True))


async def load_state(session: AsyncSession) -> ChatState:
    """The state as PostgreSQL holds it."""
    return (await load_stored(session)).state


def loader_from(sessions: async_sessionmaker) -> Loader:
    """A loader for `ensure_chat_enabled` that opens its own short session."""

    async def load() -> Stored:
        async with sessions() as session:
            return await load_stored(session)

    return load


async def _load_from_settings() -> Stored:
    """The loader of a caller without one: a single unpooled connection, used
    only when the Redis copy is missing (once after Redis lost its data)."""
    from domain.db.session import async_url
    from domain.settings import get_settings

    engine = create_async_engine(async_url(get_settings().database.url), poolclass=NullPool)
    try:
        async with AsyncSession(engine) as session:
            return await load_stored(session)
    finally:
        await engine.dispose()


async def _mirror(redis: Redis, stored: Stored) -> bool:
    """Write the copy unless Redis already holds a newer one."""
    payload = stored.state.to_json(stored.version)
    return bool(await redis.eval(_SET_IF_NEWER, 1, SYSTEM_KEY, payload, stored.version))


async def chat_state(redis: Redis, load: Loader | None = None) -> ChatState:
    """The state from the Redis copy; on a miss, from `load` (then copied)."""
    try:
        raw = await redis.get(SYSTEM_KEY)
        if raw:
            return ChatState.from_json(raw)
        stored = await (load or _load_from_settings)()
        await _mirror(redis, stored)
    except (RedisError, SQLAlchemyError, OSError) as exc:
        raise Unavailable("The chat switch cannot be read right now; try again shortly") from exc
    return stored.state


async def ensure_chat_enabled(redis: Redis, load: Loader | None = None) -> None:
    """Raise SystemDisabled when a new prompt must be refused now."""
    reason = (await chat_state(redis, load)).refusal(utcnow())
    if reason is not None:
        raise SystemDisabled(reason)


async def set_chat_enabled(redis: Redis, enabled: bool, message: str | None = None) -> None:
    """Write the Redis copy only (tests and emergencies), at version 0 so the
    next saved change replaces it; `save_state` is the normal path."""
    await redis.set(SYSTEM_KEY, ChatState(enabled=enabled, message=message).to_json())


async def save_state(
    session: AsyncSession, redis: Redis, state: ChatState, updated_by: uuid.UUID | None
) -> None:
    """Persist `state` in the caller's transaction, commit, then copy it to Redis.

    Copying after the commit means no process can read a state that was rolled
    back. If Redis fails after the commit the change is saved but not yet in
    effect; the caller hears Unavailable and may repeat it.
    """
    values = {
        "chat_enabled": state.enabled,
        "maintenance": state.maintenance,
        "message": state.message,
        "starts_at": state.starts_at,
        "ends_at": state.ends_at,
        "updated_by": updated_by,
        # The row lock is held here, so each change's clock reading is later.
        "updated_at": func.clock_timestamp(),
    }
    upsert = (
        insert(SystemStateRow)
        .values(id=1, **values)
        .on_conflict_do_update(index_elements=["id"], set_=values)
        .returning(SystemStateRow.updated_at)
    )
    updated_at = (await session.execute(upsert)).scalar_one()
    await session.commit()
    try:
        await _mirror(redis, Stored(state, _version(updated_at)))
    except RedisError as exc:
        log.warning("system state not mirrored", extra={"error": repr(exc)})
        raise Unavailable("The change was saved but not yet applied; send it again") from exc
    log.info("system state changed", extra={"enabled": state.enabled, "maint": state.maintenance})


async def sync_system_state(session: AsyncSession, redis: Redis) -> ChatState:
    """Copy PostgreSQL's state to Redis unless Redis holds a newer one (start-up)."""
    stored = await load_stored(session)
    await _mirror(redis, stored)
    return stored.state
