"""Synthetic daily prices for the demo market.

The index follows geometric Brownian motion. Each stock's daily log return is
`alpha + beta * index_return + noise`, so betas measured on demo data land near
the generating beta. Every path is then scaled so its last close sits within
±15 % of the constituent's base price: a stock's level stays plausible whatever
its drift. Sessions are business days; NSE holidays are not modelled.
"""

from __future__ import annotations

import hashlib
from datetime import date

import numpy as np
import pandas as pd

from domain.market.models import OHLCV

# Six years of sessions, so "5y" and "max" windows are full.
DEMO_SESSIONS = 6 * 261
_TRADING_DAYS = 252
_INDEX_DRIFT = 0.11 / _TRADING_DAYS  # ~11 %/yr, near NIFTY's long-run return
_INDEX_SIGMA = 0.14 / np.sqrt(_TRADING_DAYS)  # NIFTY's realised vol is mid-teens


def rng_for(*parts: str) -> np.random.Generator:
    """A generator seeded from text, stable across runs (unlike hash())."""
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def sessions(end: date) -> pd.DatetimeIndex:
    return pd.bdate_range(end=pd.Timestamp(end), periods=DEMO_SESSIONS, name="Date")


def index_returns(key: str) -> np.ndarray:
    """Daily log returns of the index; the first is 0 (no prior session)."""
    # Stream name chosen among a few so the latest year is ordinary (~+16 %),
    # not a 4-sigma rally that would make every 52-week range look odd.
    draws = rng_for(key, "nifty").normal(_INDEX_DRIFT, _INDEX_SIGMA, DEMO_SESSIONS)
    draws[0] = 0.0
    return draws


def stock_returns(index: np.ndarray, symbol: str, beta: float) -> np.ndarray:
    rng = rng_for(symbol, "returns")
    idio_sigma = rng.uniform(0.006, 0.013)  # 10-20 %/yr on top of the index
    alpha = rng.uniform(-0.04, 0.08) / _TRADING_DAYS
    returns = alpha + beta * index + rng.normal(0.0, idio_sigma, index.size)
    returns[0] = 0.0
    return returns


def closes(returns: np.ndarray, base_price: float, key: str) -> np.ndarray:
    """Cumulate returns into closes ending within ±15 % of `base_price`."""
    path = np.exp(np.cumsum(returns))
    last = base_price * rng_for(key, "level").uniform(0.85, 1.15)
    return path * (last / path[-1])


def bars(close: np.ndarray, dates: pd.DatetimeIndex, key: str, shares: int | None) -> pd.DataFrame:
    """OHLCV around the closes. Volume scales with share count and with the size
    of the day's move; an index (no share count) gets NaN volume."""
    rng = rng_for(key, "bars")
    sigma = float(np.std(np.diff(np.log(close))))
    prev = np.concatenate(([close[0]], close[:-1]))
    open_ = prev * np.exp(rng.normal(0.0, 0.3 * sigma, close.size))
    wick_up = np.exp(np.abs(rng.normal(0.0, 0.5 * sigma, close.size)))
    wick_down = np.exp(-np.abs(rng.normal(0.0, 0.5 * sigma, close.size)))
    high = np.maximum(open_, close) * wick_up
    low = np.minimum(open_, close) * wick_down
    if shares is None:
        volume = np.full(close.size, np.nan)
    else:
        turnover = rng.uniform(0.0008, 0.004)
        move = np.abs(np.log(close / prev))
        noise = rng.lognormal(0.0, 0.35, close.size)
        volume = np.round(shares * turnover * noise * (1.0 + 25.0 * move))
    columns = [open_, high, low, close, volume]
    frame = pd.DataFrame(dict(zip(OHLCV, columns, strict=True)), index=dates)
    frame[OHLCV[:4]] = frame[OHLCV[:4]].round(2)
    return frame.astype("float64")
