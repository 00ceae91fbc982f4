"""The `jobs` queue: housekeeping the scheduler enqueues.

Each job is idempotent (deleting what is already gone deletes nothing) and
records its run in `job_runs`; the summary middleware adds timing. Like every
periodic actor here they are sent on the scheduler's tick and work only when
their IST schedule (domain.jobs.schedule) is due; `at` stands in for the tick.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import dramatiq
from dramatiq.middleware import CurrentMessage
from periodiq import cron
from sqlalchemy import delete, or_, select

from domain.accounts import otp
from domain.accounts.models import RefreshToken, TokenFamily
from domain.db.base import utcnow
from domain.jobs import runs
from domain.jobs.schedule import (
    CLEANUP_JOB_RUNS,
    CLEANUP_OTPS,
    CLEANUP_TOKENS,
    JOBS_BY_NAME,
    TICK,
)
from domain.settings import get_settings
from workers import db
from workers.broker import broker

log = logging.getLogger("kubera.workers.jobs")

# Revoked sign-ins are kept a while so a reused token still finds its family
# (and the owner is warned) rather than meeting "unknown token".
REVOKED_FAMILY_GRACE = timedelta(days=7)
# Job-run history /scheduler/status and operators can look back on.
JOB_RUN_RETENTION = timedelta(days=30)


def tick_time(at: str | None = None) -> datetime:
    """The instant a run acts for, to the minute: `at` when given, else the
    scheduler's tick (periodiq's `scheduled_at`), else now."""
    if at is None:
        message = CurrentMessage.get_current_message()
        at = message.options.get("scheduled_at") if message else None
    when = datetime.fromisoformat(at) if at else utcnow()
    if when.tzinfo is None:
        raise ValueError(f"tick time {at!r} needs a UTC offset")
    return when.replace(second=0, microsecond=0)


async def _purge_otps() -> dict[str, Any]:
    async with db.sessions()() as session:
        removed = await otp.purge_expired(session, get_settings())
        await session.commit()
    log.info("expired codes removed", extra={"count": removed})
    return {"codes": removed}


async def _purge_tokens() -> dict[str, Any]:
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
    counts = {"tokens": tokens.rowcount or 0, "families": families.rowcount or 0}
    log.info("refresh tokens removed", extra=counts)
    return counts


async def _purge_runs() -> dict[str, Any]:
    async with db.sessions()() as session:
        removed = await runs.prune(session, JOB_RUN_RETENTION, utcnow())
        await session.commit()
    return {"runs": removed}


async def _recorded(job: str, when: datetime, work: Callable[[], Awaitable[dict]]) -> None:
    async with runs.recorded(db.sessions(), job) as record:
        record.detail.update(await work(), at=when.isoformat())


def _run_if_due(job: str, at: str | None, work: Callable[[], Awaitable[dict]]) -> None:
    when = tick_time(at)
    if JOBS_BY_NAME[job].due(when):
        db.run(_recorded(job, when, work))


@dramatiq.actor(queue_name="jobs", periodic=cron(TICK))
def cleanup_expired_otps(at: str | None = None) -> None:
    """Hourly: drop codes that can no longer be used."""
    _run_if_due(CLEANUP_OTPS, at, _purge_otps)


@dramatiq.actor(queue_name="jobs", periodic=cron(TICK))
def cleanup_refresh_tokens(at: str | None = None) -> None:
    """Every six hours: drop expired refresh tokens and dead sign-ins."""
    _run_if_due(CLEANUP_TOKENS, at, _purge_tokens)


@dramatiq.actor(queue_name="jobs", periodic=cron(TICK))
def cleanup_job_runs(at: str | None = None) -> None:
    """Daily: forget finished job runs older than JOB_RUN_RETENTION."""
    _run_if_due(CLEANUP_JOB_RUNS, at, _purge_runs)


__all__ = ["broker", "cleanup_expired_otps", "cleanup_job_runs", "cleanup_refresh_tokens"]
