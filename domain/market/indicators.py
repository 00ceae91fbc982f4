"""Technical, volume, volatility and liquidity measures from daily OHLCV bars.

Indicators are TA-Lib's (C, on float64 numpy arrays): the reference other
libraries are checked against, and the fastest measured here. Frames follow
`models.PriceHistory.frame`; a PriceHistory is accepted wherever a frame is.

Summaries are frozen dataclasses whose numbers are float or None: a value that
cannot be computed (too few bars, no volume, zero variance) is None, never NaN
and never a stand-in number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import talib

# India's 10-year government bond yield, roughly; annual, as a fraction.
DEFAULT_RISK_FREE_RATE = 0.065
TRADING_DAYS_PER_YEAR = 252
# Fewer daily returns than this make volatility, beta and Sharpe too noisy to report.
MIN_RETURNS = 20
# A 20-day average volume within ±10 % of the 50-day one counts as flat.
DEFAULT_VOLUME_BAND = 0.10
_CRORE = 1e7  # ₹1 crore, the unit Indian markets quote traded value in


def sma(close: Any, period: int = 20) -> np.ndarray:
    return talib.SMA(_f64(close), timeperiod=period)


def ema(close: Any, period: int = 20) -> np.ndarray:
    return talib.EMA(_f64(close), timeperiod=period)


def rsi(close: Any, period: int = 14) -> np.ndarray:
    """Wilder's RSI, 0-100."""
    return talib.RSI(_f64(close), timeperiod=period)


def macd(
    close: Any, fast: int = 12, slow: int = 26, signal: int = 9
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(MACD line, signal line, histogram)."""
    return talib.MACD(_f64(close), fastperiod=fast, slowperiod=slow, signalperiod=signal)


def bollinger(
    close: Any, period: int = 20, width: float = 2.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(upper, middle, lower) bands: SMA ± `width` population standard deviations."""
    return talib.BBANDS(_f64(close), timeperiod=period, nbdevup=width, nbdevdn=width, matype=0)


def atr(high: Any, low: Any, close: Any, period: int = 14) -> np.ndarray:
    """Wilder's average true range, in price units."""
    return talib.ATR(_f64(high), _f64(low), _f64(close), timeperiod=period)


def obv(close: Any, volume: Any) -> np.ndarray:
    return talib.OBV(_f64(close), _f64(volume))


def technical_series(bars: Any) -> pd.DataFrame:
    """Every indicator as a column on the bars' dates (NaN during warm-up), for
    charts; pass a column through `to_list` before it leaves Python."""
    frame = _frame(bars)
    return pd.DataFrame(_indicator_arrays(frame), index=frame.index)


def _indicator_arrays(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The snapshot's fields (after `date`) as full-length TA-Lib arrays."""
    close, high, low, volume = _price_arrays(frame)
    macd_line, macd_signal, macd_hist = macd(close)
    upper, middle, lower = bollinger(close)
    return {
        "close": close,
        "sma_20": sma(close, 20),
        "sma_50": sma(close, 50),
        "sma_200": sma(close, 200),
        "ema_12": ema(close, 12),
        "ema_26": ema(close, 26),
        "rsi_14": rsi(close),
        "macd": macd_line,
        "macd_signal": macd_signal,
        "macd_hist": macd_hist,
        "bb_upper": upper,
        "bb_middle": middle,
        "bb_lower": lower,
        "atr_14": atr(high, low, close),
        "obv": obv(close, volume),
    }


def _price_arrays(frame: pd.DataFrame) -> list[np.ndarray]:
    """Close, high, low and volume as contiguous float64 arrays.

    One `to_numpy` of the whole frame is a view of its single float block
    (~1 µs), and each of its columns is contiguous; selecting four Series costs
    ~15-25 µs each in pandas 3, more than most of the indicators themselves.
    """
    names = ("Close", "High", "Low", "Volume")
    try:
        values = frame.to_numpy(dtype=np.float64)
    except (TypeError, ValueError):  # a non-numeric extra column: go one by one
        return [_f64(frame[name]) for name in names]
    where = frame.columns.get_loc
    return [np.ascontiguousarray(values[:, where(name)]) for name in names]


@dataclass(frozen=True)
class TechnicalSnapshot:
    """Indicator values on the last bar; None where the window is not yet full."""

    date: date | None
    close: float | None
    sma_20: float | None
    sma_50: float | None
    sma_200: float | None
    ema_12: float | None
    ema_26: float | None
    rsi_14: float | None
    macd: float | None
    macd_signal: float | None
    macd_hist: float | None
    bb_upper: float | None
    bb_middle: float | None
    bb_lower: float | None
    atr_14: float | None
    obv: float | None


def technicals(bars: Any) -> TechnicalSnapshot:
    # The arrays' last elements straight into the dataclass: no DataFrame, no
    # row Series (building them was ~80 % of this call's time before).
    frame = _frame(bars)
    if not len(frame):
        return TechnicalSnapshot(None, *([None] * 15))
    values = {name: clean(array[-1]) for name, array in _indicator_arrays(frame).items()}
    return TechnicalSnapshot(date=frame.index[-1].date(), **values)


@dataclass(frozen=True)
class VolumeTrend:
    avg_volume_20: float | None
    avg_volume_50: float | None
    ratio_20_50: float | None
    trend: str | None  # "rising", "falling" or "flat" (20-day vs 50-day average)
    up_day_avg_volume: float | None  # over the last `window_days` sessions
    down_day_avg_volume: float | None
    up_down_ratio: float | None
    window_days: int


def volume_trend(
    bars: Any, window_days: int = 50, band: float = DEFAULT_VOLUME_BAND
) -> VolumeTrend:
    """Whether trading is picking up, and whether it comes on up or down days."""
    frame = _frame(bars)
    volume = frame["Volume"].to_numpy(dtype=np.float64)
    avg_20, avg_50 = _tail_mean(volume, 20), _tail_mean(volume, 50)
    ratio = _ratio(avg_20, avg_50)
    trend = None
    if ratio is not None:
        trend = "rising" if ratio > 1 + band else "falling" if ratio < 1 - band else "flat"
    change = np.diff(frame["Close"].to_numpy(dtype=np.float64))[-window_days:]
    recent = volume[1:][-window_days:]
    up = _mean(recent[change > 0])
    down = _mean(recent[change < 0])
    return VolumeTrend(avg_20, avg_50, ratio, trend, up, down, _ratio(up, down), window_days)


@dataclass(frozen=True)
class VolatilityMetrics:
    annual_volatility: float | None  # σ of daily log returns × √252
    annual_return: float | None  # compound, annualised over the window
    sharpe_ratio: float | None
    beta: float | None  # against the index passed in; None without one
    max_drawdown: float | None  # worst peak-to-trough fall, as a negative fraction
    drawdown_peak: date | None
    drawdown_trough: date | None
    risk_free_rate: float
    observations: int  # daily returns used


def volatility(
    bars: Any, index_bars: Any = None, risk_free_rate: float = DEFAULT_RISK_FREE_RATE
) -> VolatilityMetrics:
    """Risk over the bars' whole window. Sharpe uses daily simple returns in
    excess of the daily-compounded `risk_free_rate` (annual), annualised by √252."""
    close = _frame(bars)["Close"].dropna()
    values = close.to_numpy(dtype=np.float64)
    simple = np.diff(values) / values[:-1] if values.size > 1 else np.array([])
    enough = simple.size >= MIN_RETURNS
    sigma, annual, sharpe = None, None, None
    if enough:
        sigma = clean(np.std(np.diff(np.log(values)), ddof=1) * math.sqrt(TRADING_DAYS_PER_YEAR))
        annual = clean((values[-1] / values[0]) ** (TRADING_DAYS_PER_YEAR / simple.size) - 1)
        excess = simple - ((1 + risk_free_rate) ** (1 / TRADING_DAYS_PER_YEAR) - 1)
        spread = np.std(excess, ddof=1)
        if spread > 0:
            sharpe = clean(np.mean(excess) / spread * math.sqrt(TRADING_DAYS_PER_YEAR))
    drawdown, peak, trough = _max_drawdown(close)
    beta = _beta(close, _frame(index_bars)["Close"]) if index_bars is not None else None
    return VolatilityMetrics(
        sigma, annual, sharpe, beta, drawdown, peak, trough, risk_free_rate, int(simple.size)
    )


@dataclass(frozen=True)
class LiquidityMetrics:
    window_days: int
    avg_daily_volume: float | None  # shares
    avg_daily_traded_value: float | None  # close × volume, in the price currency
    amihud_per_crore: float | None  # mean |daily return| per ₹1 crore traded
    turnover_ratio: float | None  # average daily volume / shares outstanding


def liquidity(
    bars: Any, shares_outstanding: float | None = None, window_days: int = 20
) -> LiquidityMetrics:
    """How easily the stock trades over the last `window_days` sessions. Amihud's
    measure is price impact: higher means a crore moves the price more."""
    frame = _frame(bars).tail(window_days + 1)
    close = frame["Close"].to_numpy(dtype=np.float64)
    volume = frame["Volume"].to_numpy(dtype=np.float64)
    traded = (close * volume)[1:]
    moves = np.abs(np.diff(close) / close[:-1])
    active = traded > 0  # NaN and zero-volume days carry no price-impact signal
    amihud = _mean(moves[active] / traded[active] * _CRORE) if active.any() else None
    avg_volume = _mean(volume[1:])
    turnover = None
    if avg_volume is not None and shares_outstanding:
        turnover = clean(avg_volume / shares_outstanding)
    return LiquidityMetrics(int(traded.size), avg_volume, _mean(traded), amihud, turnover)


def clean(value: Any) -> float | None:
    """A finite float, or None for NaN, ±inf and None."""
    if value is None:
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def to_list(values: Any) -> list[float | None]:
    """A JSON-ready list with None where the input is NaN."""
    return [clean(v) for v in np.asarray(values, dtype=np.float64)]


def _beta(close: pd.Series, index_close: pd.Series) -> float | None:
    """Cov/var of simple daily returns on the dates both series traded."""
    joined = pd.concat([close, index_close.dropna()], axis=1, join="inner").to_numpy()
    if joined.shape[0] <= MIN_RETURNS:
        return None
    returns = np.diff(joined, axis=0) / joined[:-1]
    market_var = np.var(returns[:, 1], ddof=1)
    if market_var == 0:
        return None
    return clean(np.cov(returns[:, 0], returns[:, 1], ddof=1)[0, 1] / market_var)


def _max_drawdown(close: pd.Series) -> tuple[float | None, date | None, date | None]:
    if close.size < 2:
        return None, None, None
    drawdown = close / close.cummax() - 1
    trough = drawdown.idxmin()
    if drawdown[trough] == 0:
        return 0.0, None, None
    peak = close.loc[:trough].idxmax()
    return clean(drawdown[trough]), peak.date(), trough.date()


def _frame(bars: Any) -> pd.DataFrame:
    return bars.frame if hasattr(bars, "frame") else bars


def _f64(values: Any) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(values, dtype=np.float64))


def _tail_mean(values: np.ndarray, n: int) -> float | None:
    return _mean(values[-n:]) if values.size >= n else None


def _mean(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return clean(finite.mean()) if finite.size else None


def _ratio(top: float | None, bottom: float | None) -> float | None:
    return clean(top / bottom) if top is not None and bottom else None
