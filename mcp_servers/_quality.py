"""validate_technical_data's checks on a window of daily OHLCV bars."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from domain.market.models import PriceHistory

# Weekends plus a long NSE holiday (e.g. Diwali around a weekend) stay under this.
MAX_GAP_DAYS = 5
# Beyond the widest NSE price band (20 %), a move suggests an unadjusted split.
EXTREME_MOVE = 0.20
# A last bar older than this (calendar days) before as_of is stale.
STALE_AFTER_DAYS = 4
# Bars an indicator needs before its first value (TA-Lib's look-back + 1).
INDICATOR_BARS = {"rsi_14": 15, "macd": 34, "sma_50": 50, "sma_200": 200}
_LISTED = 10  # most offending dates listed per check

METHOD = (
    f"gaps = consecutive bars more than {MAX_GAP_DAYS} calendar days apart; extreme moves "
    f"= |close-to-close change| > {EXTREME_MOVE:.0%}; stale = last bar more than "
    f"{STALE_AFTER_DAYS} days before as_of; inconsistent = high below open/close/low or "
    "low above open/close"
)


def check(history: PriceHistory) -> dict[str, Any]:
    frame = history.frame
    dates = pd.DatetimeIndex(frame.index)
    findings: dict[str, Any] = {
        "bar_count": len(frame),
        "first_date": dates[0].date() if len(dates) else None,
        "last_date": dates[-1].date() if len(dates) else None,
        "missing_values": {col: int(frame[col].isna().sum()) for col in frame.columns},
        "duplicate_dates": _listed(dates[dates.duplicated()]),
        "ascending": bool(dates.is_monotonic_increasing),
        "non_positive_prices": int((frame[["Open", "High", "Low", "Close"]] <= 0).sum().sum()),
        "inconsistent_bars": _listed(dates[_inconsistent(frame)]),
        "zero_volume_days": int((frame["Volume"] == 0).sum()),
        "gaps": _gaps(dates),
        "extreme_moves": _listed(dates[_extreme(frame["Close"])]),
    }
    stale = None
    if len(dates):
        stale = (history.as_of.date() - dates[-1].date()).days > STALE_AFTER_DAYS
    findings["stale"] = stale
    issues = _issues(findings)
    short = [
        f"{name} needs {n} bars, the window has {len(frame)}"
        for name, n in INDICATOR_BARS.items()
        if len(frame) < n
    ]
    return {"ok": not issues, "issues": issues, "limitations": short, **findings}


def _inconsistent(frame: pd.DataFrame) -> pd.Series:
    top = frame[["Open", "Close"]].max(axis=1)
    bottom = frame[["Open", "Close"]].min(axis=1)
    return (frame["High"] < top) | (frame["Low"] > bottom) | (frame["High"] < frame["Low"])


def _extreme(close: pd.Series) -> np.ndarray:
    moves = (close / close.shift(1) - 1).abs()
    return (moves > EXTREME_MOVE).to_numpy()


def _gaps(dates: pd.DatetimeIndex) -> list[dict[str, Any]]:
    if len(dates) < 2:
        return []
    days = np.diff(dates.values).astype("timedelta64[D]").astype(int)
    where = np.flatnonzero(days > MAX_GAP_DAYS)[:_LISTED]
    return [
        {"after": dates[i].date(), "before": dates[i + 1].date(), "days": int(days[i])}
        for i in where
    ]


def _listed(dates: pd.DatetimeIndex) -> list[str]:
    return [day.date().isoformat() for day in dates[:_LISTED]]


def _issues(f: dict[str, Any]) -> list[str]:
    issues = []
    if f["bar_count"] == 0:
        return ["no bars in the window"]
    if any(f["missing_values"].values()):
        issues.append(f"missing values per column: {f['missing_values']}")
    checks = {
        "duplicate_dates": "duplicate dates",
        "inconsistent_bars": "bars whose high/low do not bracket open and close",
        "gaps": f"gaps longer than {MAX_GAP_DAYS} days",
        "extreme_moves": f"daily moves beyond {EXTREME_MOVE:.0%} (unadjusted split?)",
    }
    issues += [f"{text}: {len(f[key])}" for key, text in checks.items() if f[key]]
    if not f["ascending"]:
        issues.append("dates are not in ascending order")
    if f["non_positive_prices"]:
        issues.append(f"non-positive prices: {f['non_positive_prices']}")
    if f["stale"]:
        issues.append(f"last bar is older than {STALE_AFTER_DAYS} days")
    return issues
