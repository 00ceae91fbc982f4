"""The admin's chat switch: stop, start, or announce a maintenance window,
optionally emailing every active user about the maintenance.

The new state, the log row and the notice's job run commit together; the
Redis copy every API process reads is written right after (see
`domain.system.save_state`). The notice's job is enqueued just before that
commit, as the Outbox does with an email: if the queue is down nothing
changes, and a job that finds no run (its request failed) is dropped.
"""

from __future__ import annotations

import enum
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from domain.admin import notices
from domain.admin.audit import Actor, AdminAction, jsonable, record
from domain.db.base import utcnow
from domain.errors import InvalidInput, Unavailable
from domain.system import ChatState, SystemStateRow, load_state, save_state

log = logging.getLogger("kubera.admin")


class SystemAction(enum.StrEnum):
    STOP = "stop"
    START = "start"
    MAINTENANCE = "maintenance"


_LOGGED = {
    SystemAction.STOP: AdminAction.SYSTEM_STOP,
    SystemAction.START: AdminAction.SYSTEM_START,
    SystemAction.MAINTENANCE: AdminAction.SYSTEM_MAINTENANCE,
}


@dataclass(frozen=True)
class ControlRequest:
    action: SystemAction
    message: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    notify_users: bool = False


@dataclass(frozen=True)
class ControlResult:
    """`notice_id`: the job run mailing the maintenance notice, if one was
    asked for; `recipients`: the active users it goes to (those who opted out
    of system notices get a skipped email log row instead of mail)."""

    state: ChatState
    recipients: int = 0
    notice_id: uuid.UUID | None = None


def _maintenance_state(request: ControlRequest) -> ChatState:
    if not request.message:
        raise InvalidInput("Maintenance needs a message for the users", field="message")
    if request.ends_at is not None and request.ends_at <= utcnow():
        raise InvalidInput("ends_at is in the past", field="ends_at")
    if request.starts_at and request.ends_at and request.starts_at >= request.ends_at:
        raise InvalidInput("starts_at must be before ends_at", field="starts_at")
    return ChatState(
        enabled=True,
        maintenance=True,
        message=request.message,
        starts_at=request.starts_at,
        ends_at=request.ends_at,
    )


def new_state(request: ControlRequest) -> ChatState:
    """The state an action asks for; each action replaces the whole state."""
    if request.action is SystemAction.MAINTENANCE:
        return _maintenance_state(request)
    for name in ("starts_at", "ends_at", "notify_users"):
        if getattr(request, name):
            raise InvalidInput(f"{name} only goes with the maintenance action", field=name)
    if request.action is SystemAction.STOP:
        return ChatState(enabled=False, message=request.message)
    return ChatState()


async def _queue_notice(
    session: AsyncSession, actor: Actor, state: ChatState, enqueue: notices.Enqueue
) -> tuple[int, uuid.UUID]:
    run = notices.new_notice(session, actor, state)
    await session.flush()
    try:
        enqueue(run.id)
    except Exception as exc:
        log.error("maintenance notice not queued", extra={"run_id": str(run.id)})
        raise Unavailable("The maintenance email could not be queued; nothing changed") from exc
    return await notices.audience(session), run.id


async def control(
    session: AsyncSession,
    redis: Redis,
    actor: Actor,
    request: ControlRequest,
    enqueue: notices.Enqueue,
) -> ControlResult:
    """Apply one action; `enqueue` sends the maintenance notice's job."""
    after = new_state(request)
    await session.get(SystemStateRow, 1, with_for_update=True)
    before = await load_state(session)
    result = ControlResult(after)
    if request.notify_users:
        result = ControlResult(after, *await _queue_notice(session, actor, after, enqueue))
    record(
        session,
        actor,
        _LOGGED[request.action],
        ("system", "chat"),
        before=before,
        after=jsonable(after) | {"recipients": result.recipients, "notice_id": result.notice_id},
    )
    await save_state(session, redis, after, actor.admin_id)
    log.info(
        "chat switch changed",
        extra={"action": request.action.value, "recipients": result.recipients},
    )
    return result
