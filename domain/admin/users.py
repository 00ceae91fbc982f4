"""Users as an admin sees them: a searchable list, one user's details, and
deactivating or reactivating an account.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from redis.asyncio import Redis
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts.common import Accounts
from domain.accounts.models import Role, TokenFamily, User
from domain.accounts.sessions import revoke_all
from domain.admin import limits
from domain.admin.audit import Actor, AdminAction, record
from domain.admin.paging import Page, fetch_page
from domain.chat.models import Chat, Turn
from domain.db.base import utcnow
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.limits.policy import Limits, Override, effective_limits
from domain.mail.catalog import EmailType
from domain.mail.models import EmailLog, EmailStatus

log = logging.getLogger("kubera.admin")

RECENT_VIOLATIONS = 10


@dataclass(frozen=True)
class UserEntry:
    id: uuid.UUID
    email: str
    username: str
    full_name: str | None
    role: str
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True)
class UserStats:
    chats: int
    prompts: int
    prompts_24h: int
    last_prompt_at: datetime | None
    active_sessions: int
    emails_sent: int
    emails_failed: int


@dataclass(frozen=True)
class UserDetail:
    user: UserEntry
    stats: UserStats
    effective_limits: Limits | None
    override: Override | None
    whitelisted: bool
    whitelist_reason: str | None
    recent_violations: list[limits.ViolationEntry]


def entry(user: User) -> UserEntry:
    return UserEntry(
        user.id,
        user.email,
        user.username,
        user.full_name,
        user.role.value,
        user.is_active,
        user.created_at,
        user.last_login_at,
    )


@dataclass(frozen=True)
class UserFilter:
    is_active: bool | None = None
    role: Role | None = None
    search: str | None = None


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def list_users(
    session: AsyncSession, wanted: UserFilter, page: int, size: int
) -> Page[UserEntry]:
    """Newest accounts first; `search` matches part of the email or username."""
    query = select(User).order_by(User.created_at.desc(), User.id)
    if wanted.is_active is not None:
        query = query.where(User.is_active == wanted.is_active)
    if wanted.role is not None:
        query = query.where(User.role == wanted.role)
    if wanted.search and wanted.search.strip():
        pattern = _like(wanted.search.strip())
        query = query.where(or_(User.email.ilike(pattern), User.username.ilike(pattern)))
    rows, total = await fetch_page(session, query, page, size)
    return Page([entry(user) for (user,) in rows], total, page, size)


async def _stats(session: AsyncSession, user_id: uuid.UUID) -> UserStats:
    day_ago = utcnow() - timedelta(hours=24)
    turns = await session.execute(
        select(
            func.count(),
            func.count().filter(Turn.created_at >= day_ago),
            func.max(Turn.created_at),
        ).where(Turn.user_id == user_id)
    )
    prompts, prompts_24h, last_prompt_at = turns.one()
    chats = await session.scalar(select(func.count()).where(Chat.user_id == user_id))
    live = await session.scalar(
        select(func.count()).where(TokenFamily.user_id == user_id, TokenFamily.revoked_at.is_(None))
    )
    mails = dict(
        (
            await session.execute(
                select(EmailLog.status, func.count())
                .where(EmailLog.user_id == user_id)
                .group_by(EmailLog.status)
            )
        ).all()
    )
    return UserStats(
        chats=chats or 0,
        prompts=prompts,
        prompts_24h=prompts_24h,
        last_prompt_at=last_prompt_at,
        active_sessions=live or 0,
        emails_sent=mails.get(EmailStatus.SENT, 0),
        emails_failed=mails.get(EmailStatus.FAILED, 0),
    )


async def user_detail(session: AsyncSession, redis: Redis, user_id: uuid.UUID) -> UserDetail:
    user = await limits.known_user(session, user_id)
    listed = await limits.whitelist_entry(session, user_id)
    recent = await limits.violations(
        session, limits.ViolationFilter(user_id=user_id), 1, RECENT_VIOLATIONS
    )
    return UserDetail(
        user=entry(user),
        stats=await _stats(session, user_id),
        effective_limits=await effective_limits(session, redis, user_id),
        override=await limits.user_override(session, user_id),
        whitelisted=listed is not None,
        whitelist_reason=listed.reason if listed else None,
        recent_violations=recent.items,
    )


async def _locked_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id, with_for_update=True, populate_existing=True)
    if user is None:
        raise NotFound("No user with this id", field="user_id")
    return user


async def _lock_active_admins(session: AsyncSession) -> list[uuid.UUID]:
    """Lock the active admins' rows, in id order, before any other row: two
    admins deactivating each other at once then queue up instead of
    deadlocking, and the second sees the first's change."""
    query = (
        select(User.id)
        .where(User.role == Role.ADMIN, User.is_active.is_(True))
        .order_by(User.id)
        .with_for_update()
    )
    return list((await session.scalars(query)).all())


async def deactivate(
    accounts: Accounts, session: AsyncSession, actor: Actor, user_id: uuid.UUID, reason: str | None
) -> UserEntry:
    """Block the account and end its sessions at once; the user is emailed why."""
    admins = await _lock_active_admins(session)
    if actor.admin_id not in admins:
        # Deactivated or demoted while this request waited for the locks.
        raise Forbidden("This needs an active admin account")
    user = await _locked_user(session, user_id)
    if not user.is_active:
        raise Conflict("This account is already deactivated", field="user_id")
    if user.role == Role.ADMIN and not [i for i in admins if i != user.id]:
        raise Conflict("This is the only active admin; another admin must exist first")
    if user.id == actor.admin_id:
        raise InvalidInput("You cannot deactivate your own account", field="user_id")
    user.is_active = False
    await revoke_all(session, user, "deactivated")
    await accounts.email(session, EmailType.ACCOUNT_DEACTIVATED, user, reason=reason)
    record(
        session,
        actor,
        AdminAction.USER_DEACTIVATE,
        ("user", user.id),
        before={"is_active": True},
        after={"is_active": False, "reason": reason},
    )
    await session.commit()
    log.info("user deactivated", extra={"user_id": str(user.id), "admin_id": str(actor.admin_id)})
    return entry(user)


async def reactivate(
    accounts: Accounts, session: AsyncSession, actor: Actor, user_id: uuid.UUID
) -> UserEntry:
    """Let the user sign in again (sessions ended by deactivation stay ended)."""
    user = await _locked_user(session, user_id)
    if user.is_active:
        raise Conflict("This account is already active", field="user_id")
    user.is_active = True
    await accounts.email(session, EmailType.ACCOUNT_REACTIVATED, user)
    record(
        session,
        actor,
        AdminAction.USER_REACTIVATE,
        ("user", user.id),
        before={"is_active": False},
        after={"is_active": True},
    )
    await session.commit()
    log.info("user reactivated", extra={"user_id": str(user.id), "admin_id": str(actor.admin_id)})
    return entry(user)
