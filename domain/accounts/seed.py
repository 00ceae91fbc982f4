"""The first admin, created from settings when no account has their email."""

from __future__ import annotations

import secrets
import string

from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts import passwords
from domain.accounts.common import normalise_email, user_by_email
from domain.accounts.models import EmailPreferences, Role, User
from domain.errors import InvalidInput
from domain.settings import AdminSettings


def generate_password(length: int = 20) -> str:
    """A random password that satisfies the policy (all four character classes)."""
    alphabet = string.ascii_letters + string.digits + "!@#$%^&*-_=+"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        try:
            passwords.check_strength(candidate)
        except InvalidInput:
            continue
        return candidate


async def ensure_admin(session: AsyncSession, settings: AdminSettings) -> str | None:
    """Create the admin if missing. Returns the password when one was generated
    (the only time it can be shown), else None. An existing account is left as it is.
    """
    email = normalise_email(settings.email)
    if await user_by_email(session, email) is not None:
        return None
    given = settings.password.get_secret_value()
    password = given or generate_password()
    passwords.check_strength(password, field="ADMIN_PASSWORD")
    admin = User(
        email=email,
        username=settings.username,
        role=Role.ADMIN,
        password_hash=passwords.hash_password(password),
        full_name="Administrator",
    )
    session.add(admin)
    await session.flush()
    session.add(EmailPreferences(user_id=admin.id))
    await session.commit()
    return None if given else password
