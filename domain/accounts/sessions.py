"""Signing in and out: login, refresh-token rotation with reuse detection,
logout, and turning an access token back into its user.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts import passwords, tokens
from domain.accounts.common import Accounts, user_by_email, user_by_id, user_by_username
from domain.accounts.models import RefreshToken, TokenFamily, User
from domain.db.base import utcnow
from domain.errors import AccountInactive, TokenReused, Unauthorized
from domain.mail.catalog import EmailType

log = logging.getLogger("kubera.accounts.sessions")


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "bearer"


@dataclass(frozen=True)
class ClientInfo:
    ip: str | None = None
    user_agent: str | None = None


async def _issue_pair(
    accounts: Accounts, session: AsyncSession, user: User, family_id: uuid.UUID
) -> TokenPair:
    jwt_settings = accounts.settings.jwt
    # The access token names its family too, so ending the sign-in (logout,
    # reuse detected) stops it at once instead of when it expires.
    access, _ = tokens.issue(
        jwt_settings, user.id, "access", role=user.role.value, family_id=family_id
    )
    refresh, claims = tokens.issue(jwt_settings, user.id, "refresh", family_id=family_id)
    session.add(
        RefreshToken(
            jti=claims.jti,
            family_id=family_id,
            issued_at=claims.issued_at,
            expires_at=claims.expires_at,
        )
    )
    return TokenPair(access, refresh, jwt_settings.access_ttl_s)


async def start_session(
    accounts: Accounts, session: AsyncSession, user: User, client: ClientInfo
) -> TokenPair:
    """Open a new token family for `user`; the caller commits."""
    family = TokenFamily(
        id=uuid.uuid4(),
        user_id=user.id,
        ip=client.ip,
        user_agent=(client.user_agent or "")[:255] or None,
    )
    session.add(family)
    await session.flush()
    user.last_login_at = utcnow()
    return await _issue_pair(accounts, session, user, family.id)


async def authenticate_password(session: AsyncSession, login: str, password: str) -> User:
    """The user whose username or email is `login`, if `password` is theirs."""
    login = login.strip()
    user = await (user_by_email if "@" in login else user_by_username)(session, login)
    if not passwords.verify_password(user.password_hash if user else None, password):
        raise Unauthorized("Username/email or password is wrong")
    assert user is not None
    if not user.is_active:
        raise AccountInactive("This account is deactivated")
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return user


async def login(
    accounts: Accounts,
    session: AsyncSession,
    login_name: str,
    password: str,
    client: ClientInfo,
) -> tuple[User, TokenPair]:
    user = await authenticate_password(session, login_name, password)
    pair = await start_session(accounts, session, user, client)
    await session.commit()
    log.info("user signed in", extra={"user_id": str(user.id)})
    return user, pair


async def _revoke_family(session: AsyncSession, family_id: uuid.UUID, reason: str) -> None:
    await session.execute(
        update(TokenFamily)
        .where(TokenFamily.id == family_id, TokenFamily.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoke_reason=reason)
    )


async def refresh(
    accounts: Accounts, session: AsyncSession, refresh_token: str, client: ClientInfo
) -> TokenPair:
    """Rotate: the presented token is spent and a new pair returned. Presenting a
    spent token means it was copied; the whole family is revoked and the owner told.
    """
    claims = tokens.decode(accounts.settings.jwt, refresh_token, "refresh")
    row = await session.get(RefreshToken, claims.jti, with_for_update=True)
    family = await session.get(TokenFamily, row.family_id) if row else None
    if row is None or family is None:
        raise Unauthorized("Refresh token is not recognised")
    if family.revoked_at is not None:
        raise Unauthorized("This session has been signed out")
    user = await user_by_id(session, family.user_id)
    if user is None or not user.is_active:
        raise AccountInactive("This account is deactivated")
    if row.rotated_at is not None:
        await _revoke_family(session, family.id, "reuse")
        await accounts.email(
            session,
            EmailType.SECURITY_ALERT,
            user,
            event="A refresh token was used twice, so that sign-in was ended on every device",
            occurred_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            ip=client.ip,
        )
        await session.commit()
        log.warning("refresh token reuse", extra={"user_id": str(user.id)})
        raise TokenReused("This refresh token was already used; sign in again")
    if claims.issued_at < user.tokens_valid_after:
        raise Unauthorized("This session has been signed out")
    row.rotated_at = utcnow()
    pair = await _issue_pair(accounts, session, user, family.id)
    await session.commit()
    return pair


async def logout(accounts: Accounts, session: AsyncSession, user: User, refresh_token: str) -> None:
    claims = tokens.decode(accounts.settings.jwt, refresh_token, "refresh")
    row = await session.get(RefreshToken, claims.jti)
    family = await session.get(TokenFamily, row.family_id) if row else None
    if family is None or family.user_id != user.id:
        raise Unauthorized("Refresh token is not recognised")
    await _revoke_family(session, family.id, "logout")
    await session.commit()


async def revoke_all(session: AsyncSession, user: User, reason: str) -> None:
    """End every session of `user`: families revoked, outstanding tokens refused."""
    await session.execute(
        update(TokenFamily)
        .where(TokenFamily.user_id == user.id, TokenFamily.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoke_reason=reason)
    )
    user.tokens_valid_after = utcnow()


async def user_for_access_token(accounts: Accounts, session: AsyncSession, token: str) -> User:
    """The token's user, if it and its sign-in are still good."""
    return await user_for_claims(session, tokens.decode(accounts.settings.jwt, token, "access"))


async def user_for_claims(session: AsyncSession, claims: tokens.Claims) -> User:
    """The user of an access token decoded earlier, if the account and the
    sign-in are still good. One query (user and sign-in together): the
    WebSocket runs this before every prompt."""
    params = {"v_user": claims.user_id, "v_family": claims.family_id}
    found = (await session.execute(_USER_AND_FAMILY, params)).one_or_none()
    if found is None:
        raise Unauthorized("Token is invalid")
    user, family_id, revoked_at = found
    if not user.is_active:
        raise AccountInactive("This account is deactivated")
    if claims.issued_at < user.tokens_valid_after:
        raise Unauthorized("Token was revoked; sign in again")
    # A purged family (no live refresh token left) counts as ended.
    if claims.family_id is not None and (family_id is None or revoked_at is not None):
        raise Unauthorized("This session has been signed out")
    return user


# The family is joined on the token's claim alone: no claim, no family row.
_USER_AND_FAMILY = (
    select(User, TokenFamily.id, TokenFamily.revoked_at)
    .outerjoin(TokenFamily, TokenFamily.id == bindparam("v_family"))
    .where(User.id == bindparam("v_user"))
)


async def live_session_count(session: AsyncSession, user_id: uuid.UUID) -> int:
    query = (
        select(func.count())
        .select_from(TokenFamily)
        .where(TokenFamily.user_id == user_id, TokenFamily.revoked_at.is_(None))
    )
    return (await session.execute(query)).scalar_one()
