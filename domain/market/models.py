"""What a market source returns. Every result names its `source` and `as_of`.

Conventions shared by both sources:

- `as_of` is an aware UTC datetime: when Yahoo data was fetched, or the close of
  the last demo session.
- Ratios and percentages are fractions (0.012 means 1.2 %); money is in the
  instrument's currency (INR for NSE/BSE) unless a field says otherwise.
- A figure the source does not have is None; none is estimated or filled in.
- Tabular data keeps yfinance's shape so code and people can read both alike:
  statements have line items as rows and period-end dates as columns, newest
  first; price frames have Open/High/Low/Close/Volume columns (float64) on a
  tz-naive, ascending DatetimeIndex named "Date".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import pandas as pd

SourceName = Literal["yfinance", "demo"]
OHLCV = ["Open", "High", "Low", "Close", "Volume"]


@dataclass(frozen=True, kw_only=True)
class Sourced:
    source: SourceName
    as_of: datetime
    # True when a cache served this copy because the source failed; `as_of`
    # still says when it was fetched.
    stale: bool = False


@dataclass(frozen=True, kw_only=True)
class Quote(Sourced):
    symbol: str
    exchange: str
    currency: str | None
    price: float
    previous_close: float | None = None
    open: float | None = None
    day_high: float | None = None
    day_low: float | None = None
    volume: float | None = None
    market_time: datetime | None = None

    @property
    def change(self) -> float | None:
        if self.previous_close is None:
            return None
        return self.price - self.previous_close

    @property
    def change_pct(self) -> float | None:
        """Fractional change since the previous close."""
        if not self.previous_close:
            return None
        return self.price / self.previous_close - 1.0


@dataclass(frozen=True, kw_only=True)
class PriceHistory(Sourced):
    """Daily bars; `frame` follows the OHLCV convention in the module docstring."""

    symbol: str
    frame: pd.DataFrame

    @property
    def close(self) -> pd.Series:
        return self.frame["Close"]


@dataclass(frozen=True, kw_only=True)
class Fundamentals(Sourced):
    """Valuation and profitability; `raw` keeps the upstream record for the rare
    field not typed here (Yahoo's info dict, or the demo's generator inputs)."""

    symbol: str
    name: str | None = None
    sector: str | None = None
    industry: str | None = None
    currency: str | None = None
    price: float | None = None
    market_cap: float | None = None
    shares_outstanding: float | None = None
    pe_trailing: float | None = None
    pe_forward: float | None = None
    eps_trailing: float | None = None
    eps_forward: float | None = None
    book_value_per_share: float | None = None
    price_to_book: float | None = None
    dividend_rate: float | None = None  # per share per year
    dividend_yield: float | None = None
    payout_ratio: float | None = None
    roe: float | None = None
    roa: float | None = None
    debt_to_equity: float | None = None  # a ratio: 0.45, not Yahoo's 45.0
    revenue: float | None = None
    net_income: float | None = None
    gross_margin: float | None = None
    operating_margin: float | None = None
    profit_margin: float | None = None
    revenue_growth: float | None = None
    earnings_growth: float | None = None
    week52_high: float | None = None
    week52_low: float | None = None
    beta: float | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


Frequency = Literal["annual", "quarterly"]


@dataclass(frozen=True, kw_only=True)
class FinancialStatements(Sourced):
    """Income, balance sheet and cash flow, each rows = line items (yfinance's
    names such as "Total Revenue", "Net Income", "Stockholders Equity",
    "Free Cash Flow"), columns = period-end Timestamps, newest first. A
    statement the source lacks is an empty frame."""

    symbol: str
    frequency: Frequency
    income: pd.DataFrame
    balance_sheet: pd.DataFrame
    cash_flow: pd.DataFrame


@dataclass(frozen=True, kw_only=True)
class CorporateActions(Sourced):
    """Per-share cash dividends and split ratios on tz-naive ex-dates. An empty
    series means the source reported none."""

    symbol: str
    dividends: pd.Series
    splits: pd.Series


@dataclass(frozen=True, kw_only=True)
class Holders(Sourced):
    """Ownership breakdown, fractions of shares outstanding. For Indian listings
    Yahoo's "insiders" figure is where promoter holdings show up.

    `institutional` columns: Date Reported, Holder, pctHeld, Shares, Value,
    pctChange (yfinance's)."""

    symbol: str
    insiders_pct: float | None = None
    institutions_pct: float | None = None
    institutions_float_pct: float | None = None
    institutions_count: int | None = None
    institutional: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass(frozen=True, kw_only=True)
class InsiderTransactions(Sourced):
    """`frame` columns: Start Date, Insider, Position, Transaction, Text, Shares,
    Value, Ownership (yfinance's), newest first."""

    symbol: str
    frame: pd.DataFrame


@dataclass(frozen=True, kw_only=True)
class PriceTargets:
    current: float | None = None
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    median: float | None = None


@dataclass(frozen=True, kw_only=True)
class AnalystView(Sourced):
    """`recommendations` has one row per month back from now: columns period
    ("0m", "-1m", ...), strongBuy, buy, hold, sell, strongSell (analyst counts)."""

    symbol: str
    recommendations: pd.DataFrame
    targets: PriceTargets
    recommendation_key: str | None = None  # Yahoo's summary, e.g. "buy"
    analyst_count: int | None = None


@dataclass(frozen=True, kw_only=True)
class NewsItem:
    title: str
    publisher: str | None
    link: str | None
    published_at: datetime | None
    summary: str | None = None


@dataclass(frozen=True, kw_only=True)
class NewsFeed(Sourced):
    symbol: str
    items: tuple[NewsItem, ...]


@dataclass(frozen=True, kw_only=True)
class Officer:
    name: str
    title: str | None = None
    age: int | None = None
    year_born: int | None = None
    total_pay: float | None = None
    fiscal_year: int | None = None


@dataclass(frozen=True, kw_only=True)
class Governance(Sourced):
    """Officers and Yahoo's governance risk deciles: 1 is lowest risk, 10 highest."""

    symbol: str
    officers: tuple[Officer, ...] = ()
    audit_risk: int | None = None
    board_risk: int | None = None
    compensation_risk: int | None = None
    shareholder_rights_risk: int | None = None
    overall_risk: int | None = None
    scores_as_of: datetime | None = None
