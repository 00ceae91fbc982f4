"""Creating an account in three steps, and getting back into one.

Registration: (1) an email gets a code, (2) the code is verified, (3) a username
and password complete the account. Nothing is created until step 3 succeeds,
and step 3 is one transaction: a failure leaves no half-made account.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts import otp, passwords
from domain.accounts.common import (
    Accounts,
    check_username,
    normalise_email,
    user_by_email,
    user_by_username,
)
from domain.accounts.models import EmailPreferences, OtpPurpose, Role, User
from domain.accounts.sessions import ClientInfo, TokenPair, revoke_all, start_session
from domain.errors import Conflict, InvalidInput, OtpError, TooSoon
from domain.mail.catalog import EmailType

log = logging.getLogger("kubera.accounts.registration")

_OTP_EMAIL = {
    OtpPurpose.REGISTRATION: EmailType.OTP_REGISTRATION,
    OtpPurpose.PASSWORD_RESET: EmailType.OTP_PASSWORD_RESET,
    OtpPurpose.FORGOT_PASSWORD: EmailType.OTP_FORGOT_PASSWORD,
    OtpPurpose.ADMIN_LOGIN: EmailType.OTP_ADMIN_LOGIN,
}


async def send_code(
    accounts: Accounts,
    session: AsyncSession,
    email: str,
    purpose: OtpPurpose,
    user: User | None = None,
) -> None:
    """Issue a code and queue its email in one transaction (committed here)."""
    code = await otp.issue(
        session, accounts.settings, email, purpose, user_id=user.id if user else None
    )
    await accounts.email(
        session,
        _OTP_EMAIL[purpose],
        user,
        to_email=email,
        code=code,
        expires_minutes=accounts.settings.otp.ttl_s // 60,
    )
    await session.commit()


async def verify_code(
    accounts: Accounts,
    session: AsyncSession,
    email: str,
    purpose: OtpPurpose,
    code: str,
    *,
    consume: bool,
) -> None:
    """Verify a code; a wrong try is committed (it counts) before the error rises."""
    try:
        await otp.verify(session, accounts.settings, email, purpose, code, consume=consume)
    except OtpError:
        await session.commit()
        raise


async def register_start(accounts: Accounts, session: AsyncSession, email: str) -> None:
    email = normalise_email(email)
    if await user_by_email(session, email):
        raise Conflict("An account with this email already exists", field="email")
    await send_code(accounts, session, email, OtpPurpose.REGISTRATION)
    log.info("registration code sent")


async def register_verify(accounts: Accounts, session: AsyncSession, email: str, code: str) -> None:
    email = normalise_email(email)
    await verify_code(accounts, session, email, OtpPurpose.REGISTRATION, code, consume=False)
    await session.commit()


async def register_complete(
    accounts: Accounts,
    session: AsyncSession,
    email: str,
    username: str,
    password: str,
    full_name: str | None,
    client: ClientInfo,
) -> tuple[User, TokenPair]:
    email = normalise_email(email)
    username = check_username(username)
    passwords.check_strength(password)
    if await user_by_email(session, email):
        raise Conflict("An account with this email already exists", field="email")
    if await user_by_username(session, username):
        raise Conflict("That username is taken", field="username")
    await otp.take_verified(session, accounts.settings, email, OtpPurpose.REGISTRATION)
    user = User(
        email=email,
        username=username,
        full_name=full_name,
        role=Role.USER,
        password_hash=passwords.hash_password(password),
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent registration won the race
        await session.rollback()
        raise Conflict("That email or username was just taken", field="username") from exc
    session.add(EmailPreferences(user_id=user.id))
    await session.flush()
    pair = await start_session(accounts, session, user, client)
    await accounts.email(session, EmailType.WELCOME, user)
    await session.commit()
    log.info("user registered", extra={"user_id": str(user.id)})
    return user, pair


async def set_password(
    accounts: Accounts,
    session: AsyncSession,
    user: User,
    new_password: str,
    client: ClientInfo,
    *,
    reason: str,
) -> None:
    """Store a new password, end every session, and tell the owner."""
    passwords.check_strength(new_password, field="new_password")
    if passwords.verify_password(user.password_hash, new_password):
        raise InvalidInput(
            "The new password must differ from the current one", field="new_password"
        )
    user.password_hash = passwords.hash_password(new_password)
    user.password_changed_at = datetime.now(UTC)
    await revoke_all(session, user, reason)
    await accounts.email(
        session,
        EmailType.PASSWORD_CHANGED,
        user,
        changed_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        ip=client.ip,
    )


async def forgot_password_start(accounts: Accounts, session: AsyncSession, email: str) -> None:
    """Answers the same whether or not the address has an account."""
    email = normalise_email(email)
    user = await user_by_email(session, email)
    if user is None or not user.is_active:
        log.info("forgot-password for unknown address")
        return
    try:
        await send_code(accounts, session, email, OtpPurpose.FORGOT_PASSWORD, user)
    except TooSoon:  # a cooldown answer would reveal that the account exists
        await session.rollback()


async def forgot_password_confirm(
    accounts: Accounts,
    session: AsyncSession,
    email: str,
    code: str,
    new_password: str,
    client: ClientInfo,
) -> None:
    email = normalise_email(email)
    passwords.check_strength(new_password, field="new_password")
    user = await user_by_email(session, email)
    if user is None or not user.is_active:
        raise OtpError("No code is pending for this address; request a new one", field="otp")
    await verify_code(accounts, session, email, OtpPurpose.FORGOT_PASSWORD, code, consume=True)
    await set_password(accounts, session, user, new_password, client, reason="password_reset")
    await session.commit()
