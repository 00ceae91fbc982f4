"""Market data for NSE/BSE: instruments, sources, indicators and sentiment.

Pick a source with `get_source("demo" | "yfinance" | "auto")`, resolve what the
user typed with `source.resolve(text)`, then call the source's methods. Every
result names its `source` and `as_of`; see `models` for the shared conventions.
"""

from __future__ import annotations

import logging

from domain.errors import InvalidInput
from domain.market.demo import DemoSource
from domain.market.errors import (
    MarketError,
    RateLimitedUpstream,
    SourceTimeout,
    SourceUnavailable,
    UnknownSymbol,
)
from domain.market.instruments import Instrument, nifty50, resolve
from domain.market.source import MarketSource
from domain.market.yahoo import DEFAULT_DEADLINE_S, YahooSource

log = logging.getLogger("kubera.market")

# "auto" decides with one small request; a healthy Yahoo answers in well under this.
DEFAULT_PROBE_DEADLINE_S = 3.0

__all__ = [
    "DemoSource",
    "Instrument",
    "MarketError",
    "MarketSource",
    "RateLimitedUpstream",
    "SourceTimeout",
    "SourceUnavailable",
    "UnknownSymbol",
    "YahooSource",
    "get_source",
    "nifty50",
    "resolve",
]


def get_source(
    name: str,
    *,
    deadline_s: float = DEFAULT_DEADLINE_S,
    probe_deadline_s: float = DEFAULT_PROBE_DEADLINE_S,
) -> MarketSource:
    """The source called `name`: "demo", "yfinance", or "auto".

    "auto" asks Yahoo for five days of NIFTY within `probe_deadline_s` and falls
    back to demo data, with a warning, if that fails. The choice holds for the
    returned object's lifetime; callers that live long should ask again later.
    """
    if name == "demo":
        return DemoSource()
    if name == "yfinance":
        return YahooSource(deadline_s=deadline_s)
    if name != "auto":
        raise InvalidInput(
            f"unknown market source {name!r}; use demo, yfinance or auto", field="data_source"
        )
    try:
        YahooSource(deadline_s=probe_deadline_s).probe()
    except MarketError as exc:
        log.warning(
            "yahoo unreachable, using demo market data",
            extra={"error_type": type(exc).__name__, "reason": exc.message},
        )
        return DemoSource()
    log.info("using yahoo market data", extra={"deadline_s": deadline_s})
    return YahooSource(deadline_s=deadline_s)


def cached_source(source: MarketSource, redis_url: str) -> MarketSource:
    """`source` behind the Redis cache that every process shares (see `cache`)."""
    from domain.market.cache import CachedSource, redis_client

    return CachedSource(source, redis_client(redis_url))
