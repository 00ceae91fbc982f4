"""The job catalogue: every periodic job, its schedule in IST, and when it is due.

periodiq sends each periodic actor on `TICK` (every 15 minutes of the
scheduler's own clock, whatever its timezone: every zone India's clock is
compared with is offset by a multiple of 15 minutes). The actor then asks its
spec whether that tick is due in IST. Crons here are IST.

Portfolio reports have no fixed cron: theirs follow the operator's report
schedule (`domain.reports.settings`) and are built by `report_crons`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.jobs.cron import IST, Cron
from domain.reports.settings import ReportSchedule

TICK = "*/15 * * * *"

REFRESH_PRICES = "refresh_prices"
PORTFOLIO_REPORTS = "send_portfolio_reports"
CLEANUP_OTPS = "cleanup_expired_otps"
CLEANUP_TOKENS = "cleanup_refresh_tokens"
CLEANUP_JOB_RUNS = "cleanup_job_runs"

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class JobSpec:
    name: str  # the actor's name and job_runs.job
    schedule: str  # for people
    crons: tuple[str, ...]  # IST: when the job does its work
    queue: str = "jobs"
    # IST cron of the ticks that count as this job's turns: a turn outside
    # `crons` is recorded as a skipped run (the market was closed), where any
    # other tick that is not due passes silently.
    turns: str | None = None

    def due(self, at: datetime) -> bool:
        return any(Cron.parse(c).matches(at, IST) for c in self.crons)

    def skipped_turn(self, at: datetime) -> bool:
        return self.turns is not None and not self.due(at) and Cron.parse(self.turns).matches(at)

    def next_run(self, after: datetime) -> datetime | None:
        times = [Cron.parse(c).next_after(after, IST) for c in self.crons]
        return min(times) if times else None


FIXED_JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        REFRESH_PRICES,
        "Every 30 minutes while NSE is open (09:15-15:15 IST, Monday to Friday), "
        "then once after the 15:30 close (15:45 IST); never at weekends",
        # 09:15, 09:45, ... 15:15 in session, and 15:45 for the closing prices.
        ("15,45 9-15 * * 1-5",),
        turns="15,45 * * * *",
    ),
    JobSpec(CLEANUP_OTPS, "Hourly, on the hour (IST)", ("0 * * * *",)),
    JobSpec(
        CLEANUP_TOKENS,
        "Every 6 hours (05:30, 11:30, 17:30, 23:30 IST)",
        ("30 5,11,17,23 * * *",),
    ),
    JobSpec(CLEANUP_JOB_RUNS, "Daily at 03:30 IST", ("30 3 * * *",)),
)
JOBS_BY_NAME = {spec.name: spec for spec in FIXED_JOBS}
# Every periodic job, as /scheduler/status lists them; each may also be run by hand.
ALL_JOBS = (REFRESH_PRICES, PORTFOLIO_REPORTS, CLEANUP_OTPS, CLEANUP_TOKENS, CLEANUP_JOB_RUNS)


def market_closed_reason(at: datetime) -> str:
    """Why a refresh turn at `at` is skipped, in words."""
    local = at.astimezone(IST)
    if local.weekday() >= 5:
        return "weekend: NSE is closed"
    if (local.hour, local.minute) < (9, 15):
        return "before the NSE open at 09:15 IST"
    return "after the NSE close at 15:30 IST (closing prices taken at 15:45)"


def report_crons(schedule: ReportSchedule) -> dict[str, str]:
    """The IST cron of each enabled report frequency. Daily reports go out on
    trading days only; weekly_day counts Monday as 0, cron counts Sunday as 0."""
    minute, hour = schedule.send_time.minute, schedule.send_time.hour
    crons = {
        "daily": f"{minute} {hour} * * 1-5",
        "weekly": f"{minute} {hour} * * {(schedule.weekly_day + 1) % 7}",
        "monthly": f"{minute} {hour} {schedule.monthly_day} * *",
    }
    return {freq: cron for freq, cron in crons.items() if schedule.enabled(freq)}


def report_spec(schedule: ReportSchedule) -> JobSpec:
    at = schedule.send_time.strftime("%H:%M")
    parts = {
        "daily": "daily (Monday to Friday)",
        "weekly": f"weekly ({_WEEKDAYS[schedule.weekly_day]})",
        "monthly": f"monthly (day {schedule.monthly_day})",
    }
    enabled = [text for freq, text in parts.items() if schedule.enabled(freq)]
    if enabled:
        text = f"At {at} IST: {', '.join(enabled)}, to each user at the frequency they chose"
    else:
        text = "Off: the operators disabled every report frequency"
    return JobSpec(PORTFOLIO_REPORTS, text, tuple(report_crons(schedule).values()))
