"""What a signed-in user can read and change about their own account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts import passwords
from domain.accounts.common import Accounts, check_username, user_by_username
from domain.accounts.models import EmailPreferences, OtpPurpose, ReportFrequency, User
from domain.accounts.registration import send_code, set_password, verify_code
from domain.accounts.sessions import ClientInfo, live_session_count
from domain.errors import Conflict, InvalidInput, Unauthorized
from domain.mail.catalog import PREFERENCE_KEYS, EmailType
from domain.mail.models import EmailLog, EmailStatus


async def update_profile(session: AsyncSession, user: User, changes: dict[str, Any]) -> User:
    for name in ("full_name", "phone"):
        if name in changes:
            value = changes[name]
            setattr(user, name, value.strip() or None if isinstance(value, str) else value)
    await session.commit()
    return user


async def change_username(
    accounts: Accounts, session: AsyncSession, user: User, new_username: str
) -> User:
    new_username = check_username(new_username)
    if new_username == user.username:
        raise InvalidInput("That is already your username", field="new_username")
    holder = await user_by_username(session, new_username)
    if holder is not None and holder.id != user.id:
        raise Conflict("That username is taken", field="new_username")
    old = user.username
    user.username = new_username
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict("That username was just taken", field="new_username") from exc
    await accounts.email(
        session, EmailType.USERNAME_CHANGED, user, old_username=old, new_username=new_username
    )
    await session.commit()
    return user


async def change_password(
    accounts: Accounts,
    session: AsyncSession,
    user: User,
    current: str,
    new: str,
    client: ClientInfo,
) -> None:
    if not passwords.verify_password(user.password_hash, current):
        raise Unauthorized("Current password is wrong", field="current_password")
    await set_password(accounts, session, user, new, client, reason="password_change")
    await session.commit()


async def password_reset_start(accounts: Accounts, session: AsyncSession, user: User) -> None:
    await send_code(accounts, session, user.email, OtpPurpose.PASSWORD_RESET, user)


async def password_reset_confirm(
    accounts: Accounts,
    session: AsyncSession,
    user: User,
    code: str,
    new: str,
    client: ClientInfo,
) -> None:
    passwords.check_strength(new, field="new_password")
    await verify_code(accounts, session, user.email, OtpPurpose.PASSWORD_RESET, code, consume=True)
    await set_password(accounts, session, user, new, client, reason="password_reset")
    await session.commit()


async def preferences(session: AsyncSession, user: User) -> EmailPreferences:
    prefs = await session.get(EmailPreferences, user.id)
    if prefs is None:  # accounts made before preferences existed (the seeded admin)
        prefs = EmailPreferences(user_id=user.id)
        session.add(prefs)
        await session.commit()
    return prefs


async def update_preferences(
    session: AsyncSession, user: User, changes: dict[str, Any]
) -> EmailPreferences:
    prefs = await preferences(session, user)
    for key in PREFERENCE_KEYS:
        if changes.get(key) is not None:
            setattr(prefs, key, bool(changes[key]))
    if changes.get("report_frequency") is not None:
        prefs.report_frequency = ReportFrequency(changes["report_frequency"])
    await session.commit()
    return prefs


@dataclass(frozen=True)
class UserStats:
    member_since: datetime
    account_age_days: int
    last_login_at: datetime | None
    password_changed_at: datetime | None
    active_sessions: int
    emails_sent: int
    emails_failed: int


async def stats(session: AsyncSession, user: User) -> UserStats:
    rows = await session.execute(
        select(EmailLog.status, func.count())
        .where(EmailLog.user_id == user.id)
        .group_by(EmailLog.status)
    )
    counts = {status: count for status, count in rows}
    return UserStats(
        member_since=user.created_at,
        account_age_days=(datetime.now(UTC) - user.created_at).days,
        last_login_at=user.last_login_at,
        password_changed_at=user.password_changed_at,
        active_sessions=await live_session_count(session, user.id),
        emails_sent=counts.get(EmailStatus.SENT, 0),
        emails_failed=counts.get(EmailStatus.FAILED, 0),
    )
