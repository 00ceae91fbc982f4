"""Price-history figures shared by market_tech and the charts."""

from __future__ import annotations

from typing import Any

import pandas as pd

from domain.market import MarketSource, indicators
from domain.market.indicators import clean
from domain.market.models import PriceHistory
from mcp_servers._tooling import fan_out

NIFTY_LABEL = "NIFTY 50"

PERFORMANCE_METHOD = (
    "total_return = last close / first close - 1 over the window; annual_volatility = "
    "stdev of daily log returns x sqrt(252); sharpe from daily simple returns over the "
    "risk-free rate; max_drawdown = worst peak-to-trough fall of closes"
)


def total_return(frame: pd.DataFrame) -> float | None:
    close = frame["Close"].dropna()
    if close.size < 2 or close.iloc[0] <= 0:
        return None
    return clean(close.iloc[-1] / close.iloc[0] - 1)


def performance(history: PriceHistory, risk_free_rate: float) -> dict[str, Any]:
    """Return and risk over the whole window of `history`."""
    risk = indicators.volatility(history, risk_free_rate=risk_free_rate)
    frame = history.frame
    return {
        "first_date": frame.index[0].date() if len(frame) else None,
        "last_date": frame.index[-1].date() if len(frame) else None,
        "total_return": total_return(frame),
        "annual_return": risk.annual_return,
        "annual_volatility": risk.annual_volatility,
        "sharpe_ratio": risk.sharpe_ratio,
        "max_drawdown": risk.max_drawdown,
    }


def histories(
    market: MarketSource, texts: list[str], period: str
) -> list[tuple[str, PriceHistory]]:
    """(symbol, bars) per company named in `texts`, fetched concurrently; the
    first unknown name fails the call."""

    def one(text: str) -> tuple[str, PriceHistory]:
        inst = market.resolve(text)
        return inst.symbol, market.history(inst, period)

    return fan_out(one, texts)


def bars(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            "date": day.date(),
            "open": clean(row.Open),
            "high": clean(row.High),
            "low": clean(row.Low),
            "close": clean(row.Close),
            "volume": clean(row.Volume),
        }
        for day, row in zip(frame.index, frame.itertuples(index=False), strict=True)
    ]


def rebased(close: pd.Series, base: float = 100.0) -> pd.Series:
    """`close` scaled so its first value is `base`."""
    first = close.dropna()
    if first.empty or first.iloc[0] == 0:
        return close * float("nan")
    return close / first.iloc[0] * base
