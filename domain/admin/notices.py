"""The maintenance notice to every active user, sent by a job in batches.

The request that announces maintenance adds a job run (`job_runs`, job
`maintenance_notice`) holding the notice's text and a cursor, and enqueues one
job message (`Enqueue`). Each message mails the next batch of active users in
id order and, when more are left, enqueues the next message; the batch that
comes up short finishes the run. A user who opted out of system notices gets a
`skipped` email log row instead of mail (the Outbox decides).

One email per user per notice, however often a message is redelivered: a
user's email log row and the cursor moved past that user commit together,
under the run's row lock, so any message resumes after the last user
committed. A transaction per user rather than per batch keeps the Outbox's
contract (the email is dispatched just before its row commits); a batch-wide
transaction would leave a batch's first emails waiting longer for their rows
than the email worker waits.
"""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.accounts.common import Accounts
from domain.accounts.models import User
from domain.admin.audit import Actor
from domain.db.base import utcnow
from domain.jobs.cron import format_ist
from domain.jobs.models import JobOutcome, JobRun, JobState
from domain.jobs.runs import failure, queue_run
from domain.mail.catalog import EmailType
from domain.system import ChatState

log = logging.getLogger("kubera.admin.notices")

NOTICE_JOB = "maintenance_notice"
# Users one job message mails before it hands on to the next message.
DEFAULT_BATCH_SIZE = 200

Enqueue = Callable[[uuid.UUID], None]


class Progress(enum.StrEnum):
    MORE = "more"  # users are left: enqueue the next message
    DONE = "done"  # the run is finished (now or before)
    MISSING = "missing"  # no such run: its request has not committed, or never will


def _stamp(moment: datetime | None) -> str | None:
    """For the email: Indian time, as the users' markets keep it."""
    return format_ist(moment) if moment else None


async def audience(session: AsyncSession) -> int:
    """How many users a notice sent now would go to."""
    query = select(func.count()).select_from(User).where(User.is_active.is_(True))
    return await session.scalar(query) or 0


def new_notice(session: AsyncSession, actor: Actor, state: ChatState) -> JobRun:
    """Add the notice's run to the caller's transaction, which commits it."""
    run = queue_run(session, NOTICE_JOB, actor.admin_id)
    run.detail = {
        "message": state.message,
        "starts_at": _stamp(state.starts_at),
        "ends_at": _stamp(state.ends_at),
        "cursor": None,
        "users": 0,
    }
    return run


async def _locked_run(session: AsyncSession, run_id: uuid.UUID) -> JobRun | None:
    return await session.get(JobRun, run_id, with_for_update=True, populate_existing=True)


def _after(cursor: str | None, user_id: uuid.UUID) -> bool:
    return cursor is None or user_id > uuid.UUID(cursor)


async def _next_batch(
    sessions: async_sessionmaker, run_id: uuid.UUID, size: int
) -> list[uuid.UUID] | Progress:
    """The ids of the next active users, or why there are none to mail."""
    async with sessions() as session:
        run = await _locked_run(session, run_id)
        if run is None:
            return Progress.MISSING
        if run.state == JobState.FINISHED:
            return Progress.DONE
        if run.state == JobState.QUEUED:
            run.state, run.started_at = JobState.RUNNING, utcnow()
        query = select(User.id).where(User.is_active.is_(True)).order_by(User.id).limit(size)
        if (cursor := run.detail.get("cursor")) is not None:
            query = query.where(User.id > uuid.UUID(cursor))
        ids = list((await session.scalars(query)).all())
        await session.commit()
    return ids


async def _mail_one(
    sessions: async_sessionmaker, accounts: Accounts, run_id: uuid.UUID, user_id: uuid.UUID
) -> None:
    """Queue the notice for one user and move the cursor past them, in one
    transaction; nothing when another message got there first."""
    async with sessions() as session:
        run = await _locked_run(session, run_id)
        detail: dict[str, Any] = dict(run.detail) if run else {}
        if run is None or not _after(detail.get("cursor"), user_id):
            return
        user = await session.get(User, user_id)
        if user is not None and user.is_active:
            context = {k: detail.get(k) for k in ("message", "starts_at", "ends_at")}
            await accounts.email(session, EmailType.MAINTENANCE, user, **context)
            detail["users"] = detail.get("users", 0) + 1
        run.detail = detail | {"cursor": str(user_id)}
        await session.commit()


async def _finish(sessions: async_sessionmaker, run_id: uuid.UUID) -> None:
    async with sessions() as session:
        run = await _locked_run(session, run_id)
        if run is not None and run.state != JobState.FINISHED:
            run.state, run.outcome, run.finished_at = JobState.FINISHED, JobOutcome.OK, utcnow()
            users = run.detail.get("users", 0)
            await session.commit()
            log.info("maintenance notice sent", extra={"run_id": str(run_id), "users": users})


async def send_batch(
    sessions: async_sessionmaker,
    accounts: Accounts,
    run_id: uuid.UUID,
    size: int = DEFAULT_BATCH_SIZE,
) -> Progress:
    """Mail the next `size` users of the notice; says whether more are left."""
    ids = await _next_batch(sessions, run_id, size)
    if isinstance(ids, Progress):
        return ids
    for user_id in ids:
        await _mail_one(sessions, accounts, run_id, user_id)
    if len(ids) < size:
        await _finish(sessions, run_id)
        return Progress.DONE
    return Progress.MORE


async def give_up(sessions: async_sessionmaker, run_id: uuid.UUID, error: BaseException) -> None:
    """No retry is left: the run ends failed, keeping how far it got (the
    users mailed and the cursor), with the error, instead of staying running."""
    async with sessions() as session:
        run = await _locked_run(session, run_id)
        if run is None or run.state == JobState.FINISHED:
            return
        run.state, run.outcome, run.finished_at = JobState.FINISHED, JobOutcome.FAILED, utcnow()
        run.detail = dict(run.detail) | failure(error)
        users = run.detail.get("users", 0)
        await session.commit()
    log.error("maintenance notice failed", extra={"run_id": str(run_id), "users": users})
