"""`GET /scheduler/status`: every periodic job, the queues and the live workers.

It needs a signed-in user, where the original left it open like `/health`:
it shows job details (counts, error messages, report schedule) that are not
for the whole internet. The admin panel shows the same body.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from litestar import Controller, get
from litestar.datastructures import State
from litestar.di import Provide
from pydantic import BaseModel, Field

from api.deps import CurrentUser, Db, provide_user
from domain import ops
from domain.db.base import utcnow
from domain.jobs.cron import IST
from domain.jobs.schedule import TICK
from domain.jobs.status import JobStatus, job_statuses


class RunOut(BaseModel):
    id: uuid.UUID
    trigger: str
    state: str
    outcome: str | None
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    detail: dict[str, Any]


class JobOut(BaseModel):
    name: str
    queue: str
    schedule: str
    cron: list[str] = Field(description="When the job works, read in IST.")
    trigger: str = Field(description="periodiq's tick, in the scheduler's local time.")
    last_run: RunOut | None
    last_success_at: datetime | None
    next_run: datetime | None = Field(description="From the IST cron; null if none is enabled.")


class WorkersOut(BaseModel):
    by_queue: dict[str, int]
    live: list[dict[str, Any]]


class SchedulerStatusOut(BaseModel):
    timezone: str = "Asia/Kolkata (IST, UTC+05:30)"
    now: datetime
    tick: str = TICK
    jobs: list[JobOut]
    queues: dict[str, dict[str, int]]
    workers: WorkersOut


def job_out(status: JobStatus) -> JobOut:
    run = status.last_run
    last = None
    if run is not None:
        last = RunOut(
            id=run.id,
            trigger=run.trigger,
            state=run.state.value,
            outcome=run.outcome.value if run.outcome else None,
            queued_at=run.queued_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            detail=run.detail or {},
        )
    return JobOut(
        name=status.spec.name,
        queue=status.spec.queue,
        schedule=status.spec.schedule,
        cron=list(status.spec.crons),
        trigger=status.trigger,
        last_run=last,
        last_success_at=status.last_success_at,
        next_run=status.next_run,
    )


class SchedulerController(Controller):
    path = "/scheduler"
    tags = ["root"]
    dependencies = {"user": Provide(provide_user)}
    security = [{"BearerToken": []}]

    @get("/status")
    async def status(self, db: Db, user: CurrentUser, state: State) -> SchedulerStatusOut:
        """Each job's schedule, last run and next run; queue depths; live workers."""
        now = utcnow()
        jobs = [job_out(s) for s in await job_statuses(db, now)]
        workers = await ops.live_workers(state.redis)
        return SchedulerStatusOut(
            now=now.astimezone(IST),
            jobs=jobs,
            queues=await ops.queue_depths(state.redis),
            workers=WorkersOut(by_queue=ops.workers_by_queue(workers), live=workers),
        )
