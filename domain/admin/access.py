"""Admin sign-in in two steps (password, then an emailed code) and the check
every admin request passes.

An admin's ordinary `/auth/login` token also says `role: admin`, so the role
claim alone would let the password skip the code. Step 2 therefore grants
the sign-in it opens (its token family) in Redis, for at most
`DEFAULT_ADMIN_SESSION_S`; the check wants the grant of the token's family,
the claim and the account's current role. Refreshing (`/auth/refresh`) stays
in the family, so an admin panel refreshes its 15-minute access tokens like
any client; signing out ends the sign-in, and after the grant's time the
admin signs in with a code again. A sign-in through `/auth/login` is another
family, never granted.
"""

from __future__ import annotations

import logging
import uuid

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts import registration, sessions, tokens
from domain.accounts.common import Accounts, user_by_email, user_by_username
from domain.accounts.models import OtpPurpose, Role, User
from domain.accounts.sessions import ClientInfo, TokenPair
from domain.admin.audit import Actor, AdminAction, record
from domain.errors import Forbidden, OtpError, Unavailable

log = logging.getLogger("kubera.admin")

GRANT_PREFIX = "kubera:admin:grant:"
# The longest an admin sign-in keeps admin access, however often it refreshes.
DEFAULT_ADMIN_SESSION_S = 12 * 3600


def _grant_key(family_id: uuid.UUID | None) -> str:
    return f"{GRANT_PREFIX}{family_id}"


async def send_login_code(
    accounts: Accounts, session: AsyncSession, login: str, password: str
) -> None:
    """Step 1: check the password of an admin account and email a code."""
    user = await sessions.authenticate_password(session, login, password)
    if user.role != Role.ADMIN:
        raise Forbidden("This account has no admin rights")
    await registration.send_code(accounts, session, user.email, OtpPurpose.ADMIN_LOGIN, user)
    log.info("admin login code sent", extra={"user_id": str(user.id)})


async def _admin_named(session: AsyncSession, login: str) -> User:
    login = login.strip()
    user = await (user_by_email if "@" in login else user_by_username)(session, login)
    if user is None or not user.is_active or user.role != Role.ADMIN:
        # The same answer as for a wrong address: step 2 reveals no accounts.
        raise OtpError("No code is pending for this account; request a new one", field="otp")
    return user


async def verify_login_code(
    accounts: Accounts,
    session: AsyncSession,
    redis: Redis,
    login: str,
    code: str,
    client: ClientInfo,
) -> tuple[User, TokenPair]:
    """Step 2: spend the code, open a sign-in and grant it admin access."""
    user = await _admin_named(session, login)
    await registration.verify_code(
        accounts, session, user.email, OtpPurpose.ADMIN_LOGIN, code, consume=True
    )
    pair = await sessions.start_session(accounts, session, user, client)
    claims = tokens.decode(accounts.settings.jwt, pair.access_token, "access")
    record(
        session, Actor(user.id, client.ip, client.user_agent), AdminAction.LOGIN, ("user", user.id)
    )
    # Granted before the commit: a grant for a token never handed out is harmless.
    try:
        await redis.set(_grant_key(claims.family_id), str(user.id), ex=DEFAULT_ADMIN_SESSION_S)
    except RedisError as exc:
        raise Unavailable("Admin sign-in is unavailable right now; try again shortly") from exc
    await session.commit()
    log.info("admin signed in", extra={"user_id": str(user.id)})
    return user, pair


async def admin_for_access_token(
    accounts: Accounts, session: AsyncSession, redis: Redis, token: str
) -> User:
    """The admin a bearer token belongs to; Unauthorized or Forbidden otherwise."""
    user = await sessions.user_for_access_token(accounts, session, token)
    claims = tokens.decode(accounts.settings.jwt, token, "access")
    if claims.role != Role.ADMIN.value or user.role != Role.ADMIN:
        raise Forbidden("This needs an admin account")
    if claims.family_id is None:
        raise Forbidden("Sign in through the admin login (password, then the emailed code)")
    try:
        granted = await redis.get(_grant_key(claims.family_id))
    except RedisError as exc:
        raise Unavailable("Admin access cannot be checked right now") from exc
    if isinstance(granted, bytes):
        granted = granted.decode()
    if granted != str(user.id):
        raise Forbidden("Sign in through the admin login (password, then the emailed code)")
    return user
