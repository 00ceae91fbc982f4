"""The admin's chat switch: stop, start, or announce a maintenance window,
optionally emailing every active user about the maintenance.

The new state, the log row and the emails' log rows commit together; the
Redis copy every API process reads is written right after (see
`domain.system.save_state`).
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime

from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts.common import Accounts
from domain.accounts.models import User
from domain.admin.audit import Actor, AdminAction, jsonable, record
from domain.db.base import utcnow
from domain.errors import InvalidInput
from domain.mail.catalog import EmailType
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
    """`recipients`: active users a maintenance email was decided for (those who
    opted out of system notices get a skipped log row instead of mail)."""

    state: ChatState
    recipients: int


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


def _stamp(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else None


async def _notify_all(accounts: Accounts, session: AsyncSession, state: ChatState) -> int:
    """One MAINTENANCE email per active user; the Outbox honours opt-outs.

    TODO(a bulk-mail job in workers/jobs.py): this queues inside the request,
    fine for thousands of users, not for millions.
    """
    users = (await session.scalars(select(User).where(User.is_active.is_(True)))).all()
    for user in users:
        await accounts.email(
            session,
            EmailType.MAINTENANCE,
            user,
            message=state.message,
            starts_at=_stamp(state.starts_at),
            ends_at=_stamp(state.ends_at),
        )
    return len(users)


async def control(
    accounts: Accounts,
    session: AsyncSession,
    redis: Redis,
    actor: Actor,
    request: ControlRequest,
) -> ControlResult:
    after = new_state(request)
    await session.get(SystemStateRow, 1, with_for_update=True)
    before = await load_state(session)
    recipients = await _notify_all(accounts, session, after) if request.notify_users else 0
    record(
        session,
        actor,
        _LOGGED[request.action],
        ("system", "chat"),
        before=before,
        after={**jsonable(after), "recipients": recipients},
    )
    await save_state(session, redis, after, actor.admin_id)
    log.info(
        "chat switch changed", extra={"action": request.action.value, "recipients": recipients}
    )
    return ControlResult(after, recipients)
