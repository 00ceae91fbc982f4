"""The `jobs` queue's portfolio actors: price refresh (with alert checks) and
report emails, plus `enqueue_refresh`, the web process's way to ask for one.

Both actors are periodic on the scheduler's tick (see domain.jobs.schedule)
and decide from the tick's IST time whether to work. An `at` argument (an ISO
instant) stands in for the tick: tests and replays pass one to control the
clock. A message sent with a `run_id` was requested (by a user for a refresh,
by an operator for either) and works whatever the time.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime

import dramatiq
from periodiq import cron

from domain.accounts.common import Accounts
from domain.alerts.checks import email_notifier
from domain.db.base import utcnow
from domain.jobs.models import JobOutcome
from domain.jobs.runs import recorded
from domain.jobs.schedule import (
    JOBS_BY_NAME,
    PORTFOLIO_REPORTS,
    REFRESH_PRICES,
    TICK,
    market_closed_reason,
)
from domain.mail.outbox import Outbox
from domain.market.source import MarketSource
from domain.portfolio.refresh import run_refresh, text_key
from domain.portfolio.reports import current_periods, due_periods, run_reports
from domain.reports.settings import get_report_schedule
from domain.settings import get_settings
from workers import db
from workers.broker import broker
from workers.jobs import tick_time

log = logging.getLogger("kubera.workers.portfolio")

# Requested refreshes retry a few times; a periodic tick's retry is dropped by
# periodiq once it is 30 s late, and the next tick does the work instead.
DEFAULT_JOB_RETRIES = 3
# "auto" picks Yahoo or demo once; a worker asks again after this long, so a
# Yahoo outage at start-up does not leave it on demo data for good.
DEFAULT_SOURCE_TTL_S = 60 * 60
_market: tuple[MarketSource, float] | None = None


def market() -> MarketSource:
    """This process's market source (MARKET_DATA_SOURCE behind the Redis cache)."""
    global _market
    if _market is None or time.monotonic() > _market[1]:
        from domain.market import cached_source, get_source

        settings = get_settings()
        source = get_source(settings.market.data_source, deadline_s=settings.market.deadline_s)
        expires = time.monotonic() + DEFAULT_SOURCE_TTL_S
        _market = cached_source(source, settings.redis.url), expires
    return _market[0]


def accounts() -> Accounts:
    from workers.email import dispatch

    return Accounts(settings=get_settings(), outbox=Outbox(dispatch))


async def _skip_turn(when: datetime) -> None:
    async with recorded(db.sessions(), REFRESH_PRICES) as record:
        record.skip(market_closed_reason(when), at=when.isoformat())


async def _refresh(run_id: uuid.UUID | None, symbols: list[str] | None, when: datetime) -> None:
    async with recorded(db.sessions(), REFRESH_PRICES, run_id) as record:
        if record.done_before:
            return
        record.detail["at"] = when.isoformat()
        keys = None if symbols is None else {text_key(s) for s in symbols}
        if keys == set():
            record.skip("nothing to refresh: no holdings or alerts")
            return
        notify = email_notifier(accounts())
        counts = await run_refresh(db.sessions(), market(), keys, utcnow(), notify)
        record.detail.update(counts)
        if counts["symbols"] == 0:
            record.skip("nothing to refresh: no holdings or alerts")
        elif counts["refreshed"] == 0:
            record.outcome = JobOutcome.FAILED


@dramatiq.actor(queue_name="jobs", periodic=cron(TICK), max_retries=DEFAULT_JOB_RETRIES)
def refresh_prices(
    run_id: str | None = None, symbols: list[str] | None = None, at: str | None = None
) -> None:
    """Refresh snapshots and check alerts: on the IST schedule, or on request."""
    when = tick_time(at)
    if run_id is None:
        spec = JOBS_BY_NAME[REFRESH_PRICES]
        if spec.skipped_turn(when):
            db.run(_skip_turn(when))
            return
        if not spec.due(when):
            log.debug("refresh tick not due", extra={"at": when.isoformat()})
            return
    db.run(_refresh(uuid.UUID(run_id) if run_id else None, symbols, when))


async def _reports(when: datetime, run_id: uuid.UUID | None) -> None:
    async with db.sessions()() as session:
        schedule = await get_report_schedule(session)
    periods = current_periods(schedule, when) if run_id else due_periods(schedule, when)
    if not periods and run_id is None:
        log.debug("no report period due", extra={"at": when.isoformat()})
        return
    async with recorded(db.sessions(), PORTFOLIO_REPORTS, run_id) as record:
        if record.done_before:
            return
        sent = await run_reports(db.sessions(), accounts(), periods, when)
        record.detail.update(at=when.isoformat(), periods=sent)
        if not periods:
            record.skip("the operators switched every report frequency off")
        elif any(p["failed"] for p in sent.values()):
            record.outcome = JobOutcome.FAILED
        elif not any(p["sent"] for p in sent.values()):
            record.skip("every user due has had this period's report")


@dramatiq.actor(queue_name="jobs", periodic=cron(TICK), max_retries=DEFAULT_JOB_RETRIES)
def send_portfolio_reports(at: str | None = None, run_id: str | None = None) -> None:
    """Email the reports whose period is due under the operator's schedule;
    a run asked for by hand (`run_id`) sends the current periods at once."""
    db.run(_reports(tick_time(at), uuid.UUID(run_id) if run_id else None))


def enqueue_refresh(run_id: uuid.UUID, symbols: list[str] | None) -> None:
    """domain.portfolio.refresh's Enqueue hook for the web process."""
    refresh_prices.send(str(run_id), symbols)


__all__ = ["broker", "enqueue_refresh", "refresh_prices", "send_portfolio_reports"]
