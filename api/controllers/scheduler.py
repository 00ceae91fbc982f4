"""`GET /scheduler/status`: every periodic job, the queues and the live workers;
and, for admins, running a job by hand and polling that run.

The status needs a signed-in user, where the original left it open like
`/health`: it shows job details (counts, error messages, report schedule) that
are not for the whole internet. The admin panel shows the same body. A run
asked for by hand works at once, whatever the job's schedule: the report job
then sends each user the report of the period it is in (still one per user
and period), the refresh prices every listing held or watched.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import FromPath
from pydantic import BaseModel, Field

from api.controllers.admin.guard import AdminActor, admin_guard, provide_actor
from api.deps import CurrentUser, Db, provide_user
from domain import ops
from domain.admin import audit
from domain.admin.audit import AdminAction
from domain.db.base import utcnow
from domain.errors import NotFound
from domain.jobs.cron import IST
from domain.jobs.models import JobRun
from domain.jobs.runs import Send, get_run, request_run
from domain.jobs.schedule import ALL_JOBS, TICK
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


class RequestedRunOut(RunOut):
    job: str
    poll_url: str


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


def _run_fields(run: JobRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "trigger": run.trigger,
        "state": run.state.value,
        "outcome": run.outcome.value if run.outcome else None,
        "queued_at": run.queued_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "detail": run.detail or {},
    }


def requested_out(run: JobRun) -> RequestedRunOut:
    return RequestedRunOut(**_run_fields(run), job=run.job, poll_url=f"/scheduler/runs/{run.id}")


def job_enqueuer(job: str) -> Send:
    # Imported on use: the broker connects to Redis when its module loads.
    from workers.jobs import enqueue_job

    return lambda run_id: enqueue_job(job, run_id)


def job_out(status: JobStatus) -> JobOut:
    run = status.last_run
    last = None if run is None else RunOut(**_run_fields(run))
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

    @post(
        "/jobs/{job:str}/runs",
        status_code=202,
        guards=[admin_guard],
        dependencies={"actor": Provide(provide_actor, sync_to_thread=False)},
    )
    async def run_job(self, job: FromPath[str], db: Db, actor: AdminActor) -> RequestedRunOut:
        """Admins: run a job now, whatever its schedule; poll `poll_url`. While
        a run of it you asked for is still queued or running, that one is returned."""
        if job not in ALL_JOBS:
            raise NotFound(f"No job called {job!r}; the jobs are {', '.join(ALL_JOBS)}")

        def audited(run: JobRun) -> None:
            audit.record(db, actor, AdminAction.JOB_RUN, ("job_run", run.id), after={"job": job})

        run = await request_run(db, job, actor.admin_id, job_enqueuer(job), also=audited)
        return requested_out(run)

    @get("/runs/{run_id:uuid}", guards=[admin_guard])
    async def run_status(self, run_id: FromPath[uuid.UUID], db: Db) -> RequestedRunOut:
        """Admins: one job run: queued, running or finished, with its outcome and detail."""
        run = await get_run(db, run_id)
        if run is None:
            raise NotFound("No job run with this id")
        return requested_out(run)
