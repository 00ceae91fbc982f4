"""Code run in child processes by the cross-process single-flight test: each
process builds its own CachedSource and Redis client, as API and worker
processes do, and only Redis connects them."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from typing import Any

import redis

from domain.market.cache import CachedSource
from domain.market.demo import DemoSource
from domain.market.instruments import resolve

UPSTREAM_COUNTER = "test:upstream:quote"
_THURSDAY_10_IST = datetime(2026, 12, 3, 10, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
# Long enough that every other process asks while the first fetch is running.
_SLOW_FETCH_S = 1.5


class SlowCountingSource(DemoSource):
    def __init__(self, client: redis.Redis) -> None:
        super().__init__(end=date(2026, 12, 3))
        self._client = client

    def quote(self, instrument):
        self._client.incr(UPSTREAM_COUNTER)
        time.sleep(_SLOW_FETCH_S)
        return super().quote(instrument)


def ask_for_a_quote(url: str, start: Any, results: Any) -> None:
    """Wait for the other processes at `start`, then ask for INFY's quote."""
    client = redis.Redis.from_url(url)
    cache = CachedSource(SlowCountingSource(client), client, now=lambda: _THURSDAY_10_IST)
    infy = resolve("INFY")
    start.wait(timeout=60)
    quote = cache.quote(infy)
    results.put((quote.price, quote.stale, cache.stats()))
    client.close()
