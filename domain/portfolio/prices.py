"""The refresh job's half of prices: which listings to fetch, fetching them
from a market source, and writing `price_snapshots`.

A listing is fetched when someone holds it or has an alert on it. Indicators
(RSI 14, SMA 50/200) need a year of bars, so they are fetched only for
listings that an indicator alert watches.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, union
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.alerts.models import AlertMetric, PriceAlert
from domain.market import indicators
from domain.market.errors import MarketError
from domain.market.instruments import resolve
from domain.market.source import MarketSource
from domain.portfolio.models import Holding, PriceSnapshot

log = logging.getLogger("kubera.portfolio.prices")

Key = tuple[str, str]  # (symbol, exchange)
# Parallel source calls per refresh: the Yahoo cache single-flights anyway.
DEFAULT_CONCURRENCY = 8
_INDICATOR_METRICS = (AlertMetric.RSI_14, AlertMetric.SMA_50, AlertMetric.SMA_200)
_MAX_ERROR_CHARS = 300


@dataclass(frozen=True)
class Fetched:
    key: Key
    price: float | None = None
    previous_close: float | None = None
    rsi_14: float | None = None
    sma_50: float | None = None
    sma_200: float | None = None
    source: str | None = None
    as_of: datetime | None = None
    error: str | None = None


async def universe(session: AsyncSession, user_id=None) -> set[Key]:
    """Listings held or watched (by `user_id` alone when given)."""
    held = select(Holding.symbol, Holding.exchange)
    watched = select(PriceAlert.symbol, PriceAlert.exchange)
    if user_id is not None:
        held = held.where(Holding.user_id == user_id)
        watched = watched.where(PriceAlert.user_id == user_id)
    rows = await session.execute(union(held, watched))
    return {(symbol, exchange) for symbol, exchange in rows.all()}


async def indicator_keys(session: AsyncSession, keys: set[Key]) -> set[Key]:
    query = select(PriceAlert.symbol, PriceAlert.exchange).where(
        PriceAlert.metric.in_(_INDICATOR_METRICS)
    )
    rows = (await session.execute(query)).all()
    return {(symbol, exchange) for symbol, exchange in rows if (symbol, exchange) in keys}


def fetch_one(source: MarketSource, key: Key, with_indicators: bool) -> Fetched:
    """Blocking: one quote (and a year of bars if asked). Market errors become
    the result's `error`; the caller keeps the last good price."""
    symbol, exchange = key
    try:
        instrument = resolve(f"{exchange}:{symbol}", allow_unlisted=True)
        quote = source.quote(instrument)
        extra = _indicators(source, instrument) if with_indicators else {}
    except MarketError as exc:
        return Fetched(key, error=f"{type(exc).__name__}: {exc.message}"[:_MAX_ERROR_CHARS])
    stale = "served from cache: the source is unavailable" if quote.stale else None
    return Fetched(
        key,
        price=quote.price,
        previous_close=quote.previous_close,
        source=quote.source,
        as_of=quote.as_of,
        error=stale,
        **extra,
    )


def _indicators(source: MarketSource, instrument) -> dict[str, float | None]:
    close = source.history(instrument, "1y").close
    return {
        "rsi_14": indicators.clean(indicators.rsi(close, 14)[-1]),
        "sma_50": indicators.clean(indicators.sma(close, 50)[-1]),
        "sma_200": indicators.clean(indicators.sma(close, 200)[-1]),
    }


async def fetch_all(
    source: MarketSource,
    keys: set[Key],
    with_indicators: set[Key],
    concurrency: int = DEFAULT_CONCURRENCY,
) -> list[Fetched]:
    gate = asyncio.Semaphore(concurrency)

    async def one(key: Key) -> Fetched:
        async with gate:
            return await asyncio.to_thread(fetch_one, source, key, key in with_indicators)

    return list(await asyncio.gather(*(one(k) for k in sorted(keys))))


async def store(session: AsyncSession, fetched: list[Fetched], now: datetime) -> None:
    """Upsert one snapshot per result. A failed fetch keeps the row's last
    good figures and records the error; the caller commits."""
    for item in fetched:
        symbol, exchange = item.key
        values = {"refreshed_at": now, "error": item.error}
        if item.price is not None:
            values |= {
                "price": item.price,
                "previous_close": item.previous_close,
                "source": item.source,
                "as_of": item.as_of,
            }
            values |= {
                name: getattr(item, name)
                for name in ("rsi_14", "sma_50", "sma_200")
                if getattr(item, name) is not None
            }
        statement = insert(PriceSnapshot).values(symbol=symbol, exchange=exchange, **values)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["symbol", "exchange"],
                set_={name: statement.excluded[name] for name in values},
            )
        )
    if any(item.error for item in fetched):
        failed = [f"{k[0]}.{k[1]}" for k, e in ((i.key, i.error) for i in fetched) if e]
        log.warning("some prices not refreshed", extra={"symbols": failed})
