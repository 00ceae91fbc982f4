"""The one shape every tool answers with, and the JSON conversion behind it.

{"symbol", "exchange", "name"   (when about one company)
 "source", "as_of",             (the market source; the oldest input's time)
 "data": {...},                 (figures the source had, or derived from them)
 "unavailable": {field: why},   (figures it lacks; never filled in)
 "method": "...",               (how a derived figure was computed)
 "notice": "..."}               (only for demo data)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from domain.market import Instrument, MarketSource
from domain.market.models import Sourced

DEMO_NOTICE = "Synthetic demo data, not real market figures"
STALE_NOTICE = "The source failed; this is the last cached copy, fetched at as_of"

T = TypeVar("T", bound=Sourced)


def not_reported(source: str) -> str:
    return f"not reported by {source}"


class Report:
    """Collects one tool's answer: figures, missing figures and their sources."""

    def __init__(
        self,
        market: MarketSource | None = None,
        instrument: Instrument | None = None,
        *,
        source: str | None = None,
    ) -> None:
        self.identity: dict[str, Any] = {}
        if instrument is not None:
            self.identity = {
                "symbol": instrument.symbol,
                "exchange": instrument.exchange,
                "name": instrument.name,
            }
        self.data: dict[str, Any] = {}
        self.unavailable: dict[str, str] = {}
        self.source = source or (market.name if market is not None else "kubera")
        self._as_of: datetime | None = None
        self._stale = False

    def seen(self, result: T) -> T:
        """Record a source result's provenance and hand it back."""
        self.source = result.source
        self._stale = self._stale or getattr(result, "stale", False)
        if self._as_of is None or result.as_of < self._as_of:
            self._as_of = result.as_of
        return result

    def put(self, key: str, value: Any, reason: str) -> None:
        """Store `value`, or record `reason` when the source had none."""
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            self.unavailable[key] = reason
        else:
            self.data[key] = value

    def missing(self, key: str, reason: str) -> None:
        self.unavailable[key] = reason

    def build(self, method: str | None = None, **extra: Any) -> dict[str, Any]:
        as_of = self._as_of or datetime.now(UTC)
        answer: dict[str, Any] = {
            **self.identity,
            **jsonable(extra),
            "source": self.source,
            "as_of": as_of.isoformat(),
            "data": jsonable(self.data),
            "unavailable": dict(self.unavailable),
        }
        if method:
            answer["method"] = method
        if self._stale:
            answer["stale"] = True
            answer["stale_notice"] = STALE_NOTICE
        if self.source == "demo":
            answer["notice"] = DEMO_NOTICE
        return answer


def jsonable(value: Any) -> Any:
    """Plain JSON types: NaN and ±inf become None, dates ISO 8601 strings."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    if value is pd.NaT:
        return None
    if isinstance(value, datetime | date):  # pd.Timestamp is a datetime
        return _iso(value)
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable({f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
    if isinstance(value, Iterable):
        return [jsonable(item) for item in value]
    return str(value)


def records(frame: pd.DataFrame, columns: dict[str, str]) -> list[dict[str, Any]]:
    """Rows as dicts, renaming `columns` (source name → ours); absent ones skipped."""
    present = {src: ours for src, ours in columns.items() if src in frame.columns}
    renamed = frame[list(present)].rename(columns=present)
    return jsonable(renamed.to_dict(orient="records"))


def iso_dates(index: pd.Index) -> list[str]:
    return [stamp.date().isoformat() for stamp in pd.DatetimeIndex(index)]


def _iso(value: date) -> str:
    """Midnight timestamps (daily bars, period ends) read better as plain dates."""
    if isinstance(value, datetime):
        if value.tzinfo is None and value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat()
    return value.isoformat()
