"""What `/scheduler/status` shows of each job: its schedule, last run and next run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.jobs.models import JobRun
from domain.jobs.runs import last_success, latest_runs
from domain.jobs.schedule import FIXED_JOBS, TICK, JobSpec, report_spec
from domain.reports.settings import get_report_schedule


@dataclass(frozen=True)
class JobStatus:
    spec: JobSpec
    last_run: JobRun | None
    last_success_at: datetime | None
    next_run: datetime | None
    trigger: str = TICK


async def job_statuses(session: AsyncSession, now: datetime) -> list[JobStatus]:
    reports = report_spec(await get_report_schedule(session))
    specs = [FIXED_JOBS[0], reports, *FIXED_JOBS[1:]]
    names = [spec.name for spec in specs]
    latest = await latest_runs(session, names)
    succeeded = await last_success(session, names)
    return [
        JobStatus(spec, latest.get(spec.name), succeeded.get(spec.name), spec.next_run(now))
        for spec in specs
    ]
