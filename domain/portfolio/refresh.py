"""A price refresh from start to end, and asking for one from the web process.

`run_refresh` is the job's body: fetch (outside any transaction: a slow
source holds no database connection), then store the snapshots and check
the alerts in one transaction. `request_refresh` records a queued run, commits
it (with whatever the caller added to the session), then hands the run's id
to the queue; the id is what the client polls.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.alerts.checks import Notify, check_alerts
from domain.jobs.models import JobRun
from domain.jobs.runs import active_request, queue_run, send_run
from domain.jobs.schedule import REFRESH_PRICES
from domain.market.source import MarketSource
from domain.portfolio.holdings import snapshots_for
from domain.portfolio.prices import Key, fetch_all, indicator_keys, store, universe

# The queue's hook: (run id, listings as "NSE:INFY", or None for all of them).
Enqueue = Callable[[uuid.UUID, list[str] | None], None]


def key_text(key: Key) -> str:
    return f"{key[1]}:{key[0]}"


def text_key(text: str) -> Key:
    exchange, _, symbol = text.partition(":")
    return symbol, exchange


async def run_refresh(
    sessions: async_sessionmaker,
    source: MarketSource,
    keys: set[Key] | None,
    now: datetime,
    notify: Notify,
) -> dict[str, Any]:
    """Refresh `keys` (None: every listing held or watched); returns counts."""
    async with sessions() as session:
        keys = await universe(session) if keys is None else keys
        wanted = await indicator_keys(session, keys)
    fetched = await fetch_all(source, keys, wanted)
    # Alerts are checked on this run's prices only: a listing whose fetch
    # failed keeps an older price, which must not fire an alert set since.
    fresh = {f.key for f in fetched if f.price is not None}
    async with sessions() as session:
        await store(session, fetched, now)
        snapshots = await snapshots_for(session, fresh)
        alerts = await check_alerts(session, snapshots, now, notify)
        await session.commit()
    errors = {key_text(f.key): f.error for f in fetched if f.error}
    return {
        "symbols": len(keys),
        "refreshed": sum(1 for f in fetched if f.price is not None),
        "failed": sum(1 for f in fetched if f.price is None),
        "errors": errors,
        "alerts_checked": alerts.checked,
        "alerts_fired": alerts.fired,
        "alerts_rearmed": alerts.rearmed,
    }


async def request_refresh(
    session: AsyncSession,
    user_id: uuid.UUID,
    keys: set[Key],
    enqueue: Enqueue,
    *,
    reuse_open: bool = False,
    must_queue: bool = True,
) -> JobRun:
    """Commit a queued refresh run for `keys` and send it. With `reuse_open`,
    a run this user asked for that has not finished is returned instead.
    A queue that refuses is handled as `domain.jobs.runs.send_run` says."""
    if reuse_open and (open_run := await active_request(session, REFRESH_PRICES, user_id)):
        await session.commit()
        return open_run
    run = queue_run(session, REFRESH_PRICES, user_id)
    symbols = sorted(key_text(k) for k in keys)
    run.detail = {"symbols": len(symbols), "requested": symbols}
    return await send_run(
        session, run, lambda run_id: enqueue(run_id, symbols), must_queue=must_queue
    )
