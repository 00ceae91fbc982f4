"""The `jobs` queue: housekeeping the scheduler enqueues.

Each job is idempotent (deleting what is already gone deletes nothing) and
records its run in `job_runs`; the summary middleware adds timing. Like every
periodic actor here they are sent on the scheduler's tick and work only when
their IST schedule (domain.jobs.schedule) is due; `at` stands in for the tick.
A message with a `run_id` was asked for by hand (`enqueue_job`) and works at once.
"""

from __future__ import annotations

import logging
import uuid
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


async def _recorded(
    job: str, when: datetime, run_id: uuid.UUID | None, work: Callable[[], Awaitable[dict]]
) -> None:
    async with runs.recorded(db.sessions(), job, run_id) as record:
        if record.done_before:
            return
        record.detail.update(await work(), at=when.isoformat())


def _run_if_due(
    job: str, at: str | None, run_id: str | None, work: Callable[[], Awaitable[dict]]
) -> None:
    """Work when the tick is due in IST, or whatever the time for a run
    asked for by hand (`run_id`)."""
    when = tick_time(at)
    if run_id is not None or JOBS_BY_NAME[job].due(when):
        db.run(_recorded(job, when, uuid.UUID(run_id) if run_id else None, work))


@dramatiq.actor(queue_name="jobs", periodic=cron(TICK))
def cleanup_expired_otps(at: str | None = None, run_id: str | None = None) -> None:
    """Hourly: drop codes that can no longer be used."""
    _run_if_due(CLEANUP_OTPS, at, run_id, _purge_otps)


@dramatiq.actor(queue_name="jobs", periodic=cron(TICK))
def cleanup_refresh_tokens(at: str | None = None, run_id: str | None = None) -> None:
    """Every six hours: drop expired refresh tokens and dead sign-ins."""
    _run_if_due(CLEANUP_TOKENS, at, run_id, _purge_tokens)


@dramatiq.actor(queue_name="jobs", periodic=cron(TICK))
def cleanup_job_runs(at: str | None = None, run_id: str | None = None) -> None:
    """Daily: forget finished job runs older than JOB_RUN_RETENTION."""
    _run_if_due(CLEANUP_JOB_RUNS, at, run_id, _purge_runs)


def enqueue_job(job: str, run_id: uuid.UUID) -> None:
    """Send a run of `job` (one of domain.jobs.schedule.ALL_JOBS) asked for
    by hand; it works at once, whatever its schedule says."""
    import workers.portfolio  # noqa: F401  (declares the portfolio jobs' actors)

    broker.get_actor(job).send_with_options(kwargs={"run_id": str(run_id)})


__all__ = [
    "broker",
    "cleanup_expired_otps",
    "cleanup_job_runs",
    "cleanup_refresh_tokens",
    "enqueue_job",
]
