"""Pieces shared by the account services: look-ups, validation, email context."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts.models import EmailPreferences, User
from domain.errors import InvalidInput
from domain.mail.catalog import EmailType
from domain.mail.outbox import Outbox
from domain.settings import Settings

USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{2,29}$")
# Names that would let someone pose as the operators.
RESERVED_USERNAMES = frozenset({"admin", "administrator", "root", "kubera", "system", "support"})


@dataclass(frozen=True)
class Accounts:
    """What every account service needs besides a database session."""

    settings: Settings
    outbox: Outbox

    async def email(
        self,
        session: AsyncSession,
        email_type: EmailType,
        user: User | None,
        to_email: str | None = None,
        **context: Any,
    ) -> None:
        prefs = None
        if user is not None:
            prefs = await session.get(EmailPreferences, user.id)
        base = {
            "app_name": self.settings.app.name,
            "app_url": self.settings.app.base_url,
            "username": user.username if user else None,
        }
        await self.outbox.queue(
            session,
            email_type,
            to_email or (user.email if user else ""),
            base | context,
            user_id=user.id if user else None,
            preferences=prefs,
        )


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_username(username: str, *, allow_reserved: bool = False) -> str:
    username = username.strip()
    if not USERNAME_RE.match(username):
        raise InvalidInput(
            "Username must be 3-30 characters: letters, digits or _, starting with a letter",
            field="username",
        )
    if not allow_reserved and username.lower() in RESERVED_USERNAMES:
        raise InvalidInput("That username is reserved", field="username")
    return username


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    query = select(User).where(func.lower(User.email) == normalise_email(email))
    return (await session.execute(query)).scalar_one_or_none()


async def user_by_username(session: AsyncSession, username: str) -> User | None:
    query = select(User).where(func.lower(User.username) == username.strip().lower())
    return (await session.execute(query)).scalar_one_or_none()


async def user_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)
