"""Market benchmarks for `make bench`: the indicator set of one symbol against
TA-Lib itself, and a cached tool call against a bare FastMCP echo tool.

Ours and the baseline alternate sample by sample, so a neighbour's burst of
load hits both alike.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

BARS = 2_500
INDICATOR_ROUNDS = 1_000
TOOL_ROUNDS = 300


def _p(samples: list[float], q: int) -> float:
    return round(statistics.quantiles(samples, n=100, method="inclusive")[q - 1], 4)


def _alternate(ours: Callable[[], object], base: Callable[[], object], rounds: int):
    """(ours, base) samples in ms, taken turn about."""
    mine, theirs = [], []
    for _ in range(rounds):
        for fn, samples in ((ours, mine), (base, theirs)):
            started = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - started) * 1000)
    return mine, theirs


def _history(bars: int):
    """`bars` daily bars for INFY, as a tool gets them: through the cache codec."""
    import numpy as np
    import pandas as pd

    from domain.market import codec
    from domain.market.models import PriceHistory

    rng = np.random.default_rng(2_500)
    close = 1500 * np.exp(np.cumsum(rng.normal(0.0004, 0.015, bars)))
    spread = np.abs(rng.normal(0, 0.01, bars))
    frame = pd.DataFrame(
        {
            "Open": close * (1 + rng.normal(0, 0.004, bars)),
            "High": close * (1 + spread),
            "Low": close * (1 - spread),
            "Close": close,
            "Volume": rng.integers(1e5, 1e7, bars).astype(np.float64),
        },
        index=pd.bdate_range(end="2026-12-03", periods=bars, name="Date"),
    ).round(2)
    as_of = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    history = PriceHistory(source="demo", as_of=as_of, symbol="INFY.NS", frame=frame)
    return codec.loads(codec.dumps(history))


def bench_indicators_one_symbol() -> dict:
    """`technicals` (what fetch_technical_indicators computes) vs the same
    TA-Lib calls on ready numpy arrays."""
    import numpy as np
    import talib

    from domain.market import indicators

    history = _history(BARS)
    frame = history.frame
    close, high, low, volume = (
        frame[c].to_numpy(np.float64) for c in ("Close", "High", "Low", "Volume")
    )

    def raw() -> tuple:
        macd, signal, hist = talib.MACD(close, 12, 26, 9)
        upper, middle, lower = talib.BBANDS(close, 20, 2.0, 2.0, 0)
        return (
            *(talib.SMA(close, n) for n in (20, 50, 200)),
            *(talib.EMA(close, n) for n in (12, 26)),
            talib.RSI(close, 14),
            *(macd, signal, hist, upper, middle, lower),
            talib.ATR(high, low, close, 14),
            talib.OBV(close, volume),
        )

    snap = indicators.technicals(history)
    ours_values = [v for k, v in vars(snap).items() if k not in ("date", "close")]
    if ours_values != [float(a[-1]) for a in raw()]:
        raise AssertionError("technicals() no longer equals TA-Lib's last values")
    ours, base = _alternate(lambda: indicators.technicals(history), raw, INDICATOR_ROUNDS)
    return {
        "bench": "indicators_one_symbol",
        "bars": len(frame),
        "series": len(ours_values),
        "p50_ms": _p(ours, 50),
        "p99_ms": _p(ours, 99),
        "talib_p50_ms": _p(base, 50),
        "vs_talib_x": round(_p(ours, 50) / _p(base, 50), 2),
    }


def bench_tool_call_cached() -> dict:
    """fetch_current_price_data(INFY), demo source behind a warm Redis cache,
    through FastMCP's in-memory client, vs a bare echo tool the same way."""
    from scripts.services import start_valkey

    with tempfile.TemporaryDirectory() as folder:
        server, url = start_valkey(Path(folder), persist=False)
        try:
            return asyncio.run(_tool_calls(url))
        finally:
            server.stop()


async def _tool_calls(redis_url: str) -> dict:
    from fastmcp import Client, FastMCP

    from domain.market import DemoSource, cached_source
    from mcp_servers import market_tech
    from mcp_servers.combined import server
    from mcp_servers.context import set_market

    echo_server = FastMCP("echo")

    # Sync, like our tools: FastMCP runs both on a worker thread.
    @echo_server.tool
    def echo(text: str) -> str:
        return text

    market = cached_source(DemoSource(), redis_url)
    set_market(market)
    args = {"symbol": "INFY"}
    try:
        # The combined server as the chat worker calls it; market_tech alone
        # shows what mounting five servers into one adds.
        async with (
            Client(server) as combined,
            Client(market_tech.server) as alone,
            Client(echo_server) as bare,
        ):
            calls = {
                "combined": lambda: combined.call_tool("fetch_current_price_data", args),
                "alone": lambda: alone.call_tool("fetch_current_price_data", args),
                "echo": lambda: bare.call_tool("echo", {"text": "INFY"}),
            }
            for call in calls.values():
                await call()  # the first fills the cache
            hits = market.stats()["hits"]
            samples: dict[str, list[float]] = {name: [] for name in calls}
            for _ in range(TOOL_ROUNDS):
                for name, call in calls.items():
                    started = time.perf_counter()
                    await call()
                    samples[name].append((time.perf_counter() - started) * 1000)
            hit_pct = (market.stats()["hits"] - hits) / (2 * TOOL_ROUNDS) * 100
        body, get = _tool_body_ms(market, redis_url)
    finally:
        set_market(None)
    ours, bare_echo = samples["combined"], samples["echo"]
    return {
        "bench": "tool_call_cached",
        "rounds": TOOL_ROUNDS,
        "cache_hit_pct": round(hit_pct, 1),
        "p50_ms": _p(ours, 50),
        "p99_ms": _p(ours, 99),
        "echo_p50_ms": _p(bare_echo, 50),
        "echo_p99_ms": _p(bare_echo, 99),
        "vs_echo_x": round(_p(ours, 50) / _p(bare_echo, 50), 2),
        "unmounted_p50_ms": _p(samples["alone"], 50),
        "tool_body_p50_ms": body,
        "redis_get_p50_ms": get,
    }


def _tool_body_ms(market, redis_url: str) -> tuple[float, float]:
    """The tool's own function called directly (cache hit included), and one
    GET of the cached quote, the floor under a hit."""
    from domain.market.cache import redis_client
    from domain.market.instruments import resolve
    from mcp_servers import market_tech

    client = redis_client(redis_url)
    key = market.key("quote", resolve("INFY").yahoo_symbol)
    body, get = _alternate(
        lambda: market_tech.fetch_current_price_data("INFY"),
        lambda: client.get(key),
        TOOL_ROUNDS,
    )
    client.close()
    return _p(body, 50), _p(get, 50)
