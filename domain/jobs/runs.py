"""Recording job runs. A scheduled run gets its row when it starts; a requested
run gets it when it is queued (its id is what the requester polls), and the
worker moves it through running to finished.

`recorded` wraps a run's body: it commits `running` first, so a run that dies
mid-way is visible as such, then `finished` with the outcome and detail the
body set, or `failed` with the exception's type and message (then re-raises).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.db.base import utcnow
from domain.errors import Unavailable
from domain.jobs.models import JobOutcome, JobRun, JobState

log = logging.getLogger("kubera.jobs.runs")

# How much of an exception's message a failed run keeps.
_MAX_ERROR_CHARS = 500


@dataclass
class RunRecord:
    """What a job body reports; `recorded` writes it when the body ends."""

    id: uuid.UUID
    outcome: JobOutcome = JobOutcome.OK
    detail: dict[str, Any] = field(default_factory=dict)
    # True when a redelivered request finds its run already finished.
    done_before: bool = False

    def skip(self, reason: str, **detail: Any) -> None:
        self.outcome = JobOutcome.SKIPPED
        self.detail.update(detail, reason=reason)


# The queue's hook for a requested run: called with the run's id once it is committed.
Send = Callable[[uuid.UUID], None]


def queue_run(session: AsyncSession, job: str, requested_by: uuid.UUID | None) -> JobRun:
    """A requested run, added to `session` in state `queued`; the caller commits."""
    run = JobRun(id=uuid.uuid4(), job=job, trigger="request", requested_by=requested_by)
    session.add(run)
    return run


async def send_run(session: AsyncSession, run: JobRun, send: Send, *, must_queue: bool) -> JobRun:
    """Commit `run` (with whatever else the caller added), then `send` it.

    Committing first means a worker never meets a run id it cannot find. If
    the queue refuses, the run is recorded as failed; with `must_queue` the
    caller then gets Unavailable, otherwise the failed run.
    """
    await session.commit()
    try:
        send(run.id)
    except Exception as exc:
        log.error("job run not queued", extra={"job": run.job, "run_id": str(run.id)})
        run.state, run.outcome, run.finished_at = JobState.FINISHED, JobOutcome.FAILED, utcnow()
        run.detail = (run.detail or {}) | {"error": "the job queue is unavailable"}
        await session.commit()
        if must_queue:
            raise Unavailable("The job could not be queued; try again shortly") from exc
    return run


async def request_run(
    session: AsyncSession,
    job: str,
    requested_by: uuid.UUID,
    send: Send,
    *,
    also: Callable[[JobRun], None] | None = None,
) -> JobRun:
    """Queue a run of `job` asked for by hand; while one this requester asked
    for is still queued or running, that one is returned instead. `also`
    adds to the session what must commit with a new run (an audit row)."""
    if open_run := await active_request(session, job, requested_by):
        return open_run
    run = queue_run(session, job, requested_by)
    if also is not None:
        also(run)
    return await send_run(session, run, send, must_queue=True)


async def _begin(
    session: AsyncSession, job: str, run_id: uuid.UUID | None, now: datetime
) -> JobRun | None:
    """The run marked running (a new row when there is no id or no such row);
    None when a run with that id already finished well. A failed one runs
    again: that is Dramatiq retrying it."""
    run = None
    if run_id is not None:
        run = await session.get(JobRun, run_id, with_for_update=True)
    if run is None:
        trigger = "request" if run_id else "schedule"
        run = JobRun(id=run_id or uuid.uuid4(), job=job, trigger=trigger, queued_at=now)
        session.add(run)
    elif run.state == JobState.FINISHED and run.outcome != JobOutcome.FAILED:
        return None
    run.state, run.started_at, run.outcome = JobState.RUNNING, now, None
    await session.commit()
    return run


async def _end(
    sessions: async_sessionmaker,
    run_id: uuid.UUID,
    outcome: JobOutcome,
    detail: dict,
    now: datetime,
) -> None:
    async with sessions() as session:
        run = await session.get(JobRun, run_id, with_for_update=True)
        if run is None:
            return
        run.state, run.outcome, run.finished_at = JobState.FINISHED, outcome, now
        run.detail = detail
        await session.commit()


def failure(exc: BaseException) -> dict[str, str]:
    """What a failed run's detail says of the error that ended it."""
    return {"error": type(exc).__name__, "message": str(exc)[:_MAX_ERROR_CHARS]}


@asynccontextmanager
async def recorded(
    sessions: async_sessionmaker,
    job: str,
    run_id: uuid.UUID | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> AsyncIterator[RunRecord]:
    async with sessions() as session:
        run = await _begin(session, job, run_id, clock())
    if run is None:
        log.info("job run already finished", extra={"job": job, "run_id": str(run_id)})
        yield RunRecord(id=run_id, done_before=True)  # type: ignore[arg-type]
        return
    record = RunRecord(id=run.id)
    try:
        yield record
    except Exception as exc:
        await _end(sessions, run.id, JobOutcome.FAILED, record.detail | failure(exc), clock())
        raise
    await _end(sessions, run.id, record.outcome, record.detail, clock())
    log.info(
        "job run finished",
        extra={"job": job, "run_id": str(run.id), "outcome": record.outcome.value},
    )


async def get_run(session: AsyncSession, run_id: uuid.UUID) -> JobRun | None:
    return await session.get(JobRun, run_id)


async def active_request(session: AsyncSession, job: str, requested_by: uuid.UUID) -> JobRun | None:
    """The requester's queued or running run of `job`, if any."""
    query = (
        select(JobRun)
        .where(
            JobRun.job == job,
            JobRun.requested_by == requested_by,
            JobRun.state != JobState.FINISHED,
        )
        .order_by(JobRun.queued_at.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def latest_runs(session: AsyncSession, jobs: Sequence[str]) -> dict[str, JobRun]:
    """Each job's most recent run (by queue time), whatever its state."""
    newest = (
        select(JobRun.job, func.max(JobRun.queued_at).label("at"))
        .where(JobRun.job.in_(jobs))
        .group_by(JobRun.job)
        .subquery()
    )
    query = select(JobRun).join(
        newest, (JobRun.job == newest.c.job) & (JobRun.queued_at == newest.c.at)
    )
    return {run.job: run for run in (await session.execute(query)).scalars()}


async def last_success(session: AsyncSession, jobs: Sequence[str]) -> dict[str, datetime]:
    query = (
        select(JobRun.job, func.max(JobRun.finished_at))
        .where(JobRun.job.in_(jobs), JobRun.outcome == JobOutcome.OK)
        .group_by(JobRun.job)
    )
    return {job: at for job, at in (await session.execute(query)).all()}


async def prune(session: AsyncSession, keep: timedelta, now: datetime) -> int:
    """Delete finished runs queued before `now - keep`; the caller commits."""
    result = await session.execute(
        delete(JobRun).where(JobRun.queued_at < now - keep, JobRun.state == JobState.FINISHED)
    )
    return result.rowcount or 0
