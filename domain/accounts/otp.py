"""One-time codes: six digits, stored as an HMAC, valid for a few minutes,
voided after too many wrong tries, and not re-sent before a cooldown.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts.models import Otp, OtpPurpose
from domain.db.base import utcnow
from domain.errors import OtpError, TooSoon
from domain.settings import Settings

OTP_DIGITS = 6


def _digest(settings: Settings, email: str, purpose: OtpPurpose, code: str) -> str:
    # Keyed by the server secret: a leaked table cannot be brute-forced offline.
    key = settings.jwt.secret.get_secret_value().encode()
    message = f"{purpose.value}:{email}:{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


async def _live(session: AsyncSession, email: str, purpose: OtpPurpose) -> Otp | None:
    query = (
        select(Otp)
        .where(Otp.email == email, Otp.purpose == purpose, Otp.consumed_at.is_(None))
        .with_for_update()
    )
    return (await session.execute(query)).scalar_one_or_none()


async def issue(
    session: AsyncSession,
    settings: Settings,
    email: str,
    purpose: OtpPurpose,
    *,
    user_id=None,
    enforce_cooldown: bool = True,
) -> str:
    """Create a fresh code (retiring any live one) and return it in clear, once."""
    now = utcnow()
    current = await _live(session, email, purpose)
    if current is not None:
        wait_s = settings.otp.resend_cooldown_s - (now - current.created_at).total_seconds()
        if enforce_cooldown and wait_s > 0:
            raise TooSoon(
                "A code was sent moments ago; wait before asking again",
                retry_after_s=int(wait_s) + 1,
            )
        current.consumed_at = now
        await session.flush()
    code = f"{secrets.randbelow(10**OTP_DIGITS):0{OTP_DIGITS}d}"
    try:
        async with session.begin_nested():
            session.add(
                Otp(
                    email=email,
                    purpose=purpose,
                    user_id=user_id,
                    code_hash=_digest(settings, email, purpose, code),
                    created_at=now,
                    expires_at=now + timedelta(seconds=settings.otp.ttl_s),
                )
            )
    except IntegrityError as exc:
        # A concurrent request (a double click) issued this address's live code
        # between our look and our insert: it is the one "sent moments ago".
        raise TooSoon(
            "A code was sent moments ago; wait before asking again",
            retry_after_s=settings.otp.resend_cooldown_s,
        ) from exc
    return code


async def verify(
    session: AsyncSession,
    settings: Settings,
    email: str,
    purpose: OtpPurpose,
    code: str,
    *,
    consume: bool = True,
) -> Otp:
    """Check a code. A wrong try is counted even though the caller's request fails,
    so the count is written in its own statement and committed by the caller.
    """
    otp = await _live(session, email, purpose)
    now = utcnow()
    if otp is None:
        raise OtpError("No code is pending for this address; request a new one", field="otp")
    if otp.expires_at <= now:
        raise OtpError("The code has expired; request a new one", field="otp")
    if otp.attempts >= settings.otp.max_attempts:
        raise OtpError("Too many wrong tries; request a new code", field="otp")
    expected = _digest(settings, email, purpose, code.strip())
    if not hmac.compare_digest(expected, otp.code_hash):
        otp.attempts += 1
        left = settings.otp.max_attempts - otp.attempts
        raise OtpError(
            f"The code is wrong; {left} tries left"
            if left
            else "Too many wrong tries; request a new code",
            field="otp",
            attempts_left=left,
        )
    if consume:
        otp.consumed_at = now
    otp.verified_at = otp.verified_at or now
    return otp


async def take_verified(
    session: AsyncSession, settings: Settings, email: str, purpose: OtpPurpose
) -> Otp:
    """Consume a code verified earlier (registration step 3)."""
    otp = await _live(session, email, purpose)
    window = timedelta(seconds=settings.otp.verified_window_s)
    if otp is None or otp.verified_at is None or otp.verified_at + window <= utcnow():
        raise OtpError("Verify the emailed code first (step 2)", field="email")
    otp.consumed_at = utcnow()
    return otp


async def purge_expired(session: AsyncSession, settings: Settings) -> int:
    """Delete codes that can no longer be used; returns how many went.

    A registration code verified in step 2 stays usable for step 3 after it
    expires, so rows are kept for the longer of the two windows.
    """
    keep_s = max(settings.otp.ttl_s, settings.otp.verified_window_s)
    cutoff = utcnow() - timedelta(seconds=keep_s)
    result = await session.execute(delete(Otp).where(Otp.expires_at < cutoff))
    return result.rowcount or 0
