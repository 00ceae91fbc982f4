"""The `jobs` queue: housekeeping the scheduler enqueues.

Each job is idempotent (deleting what is already gone deletes nothing) and logs
what it did; the summary middleware adds timing and outcome.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import dramatiq
from periodiq import cron
from sqlalchemy import delete, or_, select

from domain.accounts import otp
from domain.accounts.models import RefreshToken, TokenFamily
from domain.db.base import utcnow
from domain.settings import get_settings
from workers import db
from workers.broker import broker

log = logging.getLogger("kubera.workers.jobs")

# Revoked sign-ins are kept a while so a reused token still finds its family
# (and the owner is warned) rather than meeting "unknown token".
REVOKED_FAMILY_GRACE = timedelta(days=7)


async def _purge_otps() -> int:
    async with db.sessions()() as session:
        removed = await otp.purge_expired(session, get_settings())
        await session.commit()
    return removed


async def _purge_tokens() -> tuple[int, int]:
    now = utcnow()
    async with db.sessions()() as session:
        tokens = await session.execute(delete(RefreshToken).where(RefreshToken.expires_at < now))
        live = select(RefreshToken.family_id).where(RefreshToken.expires_at >= now)
        families = await session.execute(
            delete(TokenFamily).where(
                or_(
                    TokenFamily.revoked_at < now - REVOKED_FAMILY_GRACE,
                    TokenFamily.id.not_in(live),
                )
            )
        )
        await session.commit()
    return tokens.rowcount or 0, families.rowcount or 0


@dramatiq.actor(queue_name="jobs", periodic=cron("7 * * * *"))
def cleanup_expired_otps() -> None:
    """Hourly: drop codes that can no longer be used."""
    removed = db.run(_purge_otps())
    log.info("expired codes removed", extra={"count": removed})


@dramatiq.actor(queue_name="jobs", periodic=cron("17 */6 * * *"))
def cleanup_refresh_tokens() -> None:
    """Every six hours: drop expired refresh tokens and dead sign-ins."""
    tokens, families = db.run(_purge_tokens())
    log.info("refresh tokens removed", extra={"tokens": tokens, "families": families})


__all__ = ["broker", "cleanup_expired_otps", "cleanup_refresh_tokens"]
