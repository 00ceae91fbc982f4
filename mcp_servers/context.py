"""What the MCP servers share: the market source and the chart store.

Both are process-wide and replaceable. The chat worker and tests install their
own with `set_market` and `set_chart_store`. A server run on its own uses the
source named by MARKET_DATA_SOURCE and keeps charts in memory, unless
`use_deployment_services` finds REDIS_URL / DATABASE_URL: then it shares the
deployment's market cache and chart table, so its chart URLs resolve.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any, Protocol

from domain.market import MarketSource, cached_source, get_source
from domain.settings import AppSettings, DatabaseSettings, MarketSettings, RedisSettings

log = logging.getLogger("kubera.mcp.context")

# Enough for a long standalone session; the oldest chart goes first beyond it.
DEFAULT_MAX_CHARTS = 500


class ChartStore(Protocol):
    # A store without `serves_urls = False` is one the web process reads from.

    def save(
        self, kind: str, title: str, figure: dict[str, Any], symbols: list[str], source: str
    ) -> str:
        """Keep a figure (Plotly JSON) and return its chart id."""
        ...


@dataclass(frozen=True)
class StoredChart:
    id: str
    kind: str
    title: str
    figure: dict[str, Any]
    symbols: list[str]
    source: str
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class MemoryChartStore:
    """Charts in a dict, for a server running on its own or a test; lost on exit."""

    serves_urls = False  # the web process cannot see this process's memory

    def __init__(self, max_charts: int = DEFAULT_MAX_CHARTS) -> None:
        self.max_charts = max_charts
        self._charts: OrderedDict[str, StoredChart] = OrderedDict()
        self._lock = threading.Lock()

    def save(
        self, kind: str, title: str, figure: dict[str, Any], symbols: list[str], source: str
    ) -> str:
        chart = StoredChart(uuid.uuid4().hex, kind, title, figure, list(symbols), source)
        with self._lock:
            self._charts[chart.id] = chart
            while len(self._charts) > self.max_charts:
                self._charts.popitem(last=False)
        return chart.id

    def get(self, chart_id: str) -> StoredChart | None:
        with self._lock:
            return self._charts.get(chart_id)

    def __len__(self) -> int:
        return len(self._charts)


_lock = threading.Lock()
_market: MarketSource | None = None
_store: ChartStore | None = None


def get_market() -> MarketSource:
    """The installed source, else the one MARKET_DATA_SOURCE names (built once:
    "auto" probes Yahoo, which can take a few seconds)."""
    global _market
    with _lock:
        if _market is None:
            settings = market_settings()
            _market = get_source(settings.data_source, deadline_s=settings.deadline_s)
            log.info("mcp market source ready", extra={"source": _market.name})
        return _market


def set_market(source: MarketSource | None) -> None:
    """Install a source for every server in this process; None restores the default."""
    global _market
    with _lock:
        _market = source


def get_chart_store() -> ChartStore:
    global _store
    with _lock:
        if _store is None:
            _store = MemoryChartStore()
        return _store


def set_chart_store(store: ChartStore | None) -> None:
    """Install a store (e.g. database-backed); None restores an in-memory one."""
    global _store
    with _lock:
        _store = store


def use_deployment_services() -> list[str]:
    """For a server run on its own: the shared Redis cache when REDIS_URL is set,
    the database chart store when DATABASE_URL is set. Returns what it used."""
    used = []
    redis_url = RedisSettings().url
    if redis_url:
        set_market(cached_source(get_market(), redis_url))
        used.append("redis_cache")
    database = DatabaseSettings()
    if database.url:
        from domain.charts.store import DbChartStore  # SQLAlchemy only when needed

        set_chart_store(DbChartStore(database))
        used.append("database_charts")
    return used


def chart_url(chart_id: str) -> str:
    """Where the web process serves a stored chart (APP_BASE_URL + /charts/<id>)."""
    return f"{AppSettings().base_url.rstrip('/')}/charts/{chart_id}"


@cache
def market_settings() -> MarketSettings:
    return MarketSettings()
