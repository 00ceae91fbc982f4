"""Reading yfinance-shaped statements (line items × period ends, newest first)
and the derived figures built from them. A derived value is None whenever an
input is missing or a ratio's base is not positive: nothing is estimated."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import pandas as pd

from domain.market.indicators import clean
from mcp_servers._results import Report, iso_dates

Values = list[float | None]

INCOME_LINES = {
    "revenue": "Total Revenue",
    "gross_profit": "Gross Profit",
    "operating_income": "Operating Income",
    "pretax_income": "Pretax Income",
    "net_income": "Net Income",
    "diluted_eps": "Diluted EPS",
}
BALANCE_LINES = {
    "total_assets": "Total Assets",
    "total_liabilities": "Total Liabilities Net Minority Interest",
    "stockholders_equity": "Stockholders Equity",
    "total_debt": "Total Debt",
    "cash_and_equivalents": "Cash And Cash Equivalents",
    "current_assets": "Current Assets",
    "current_liabilities": "Current Liabilities",
    "shares_outstanding": "Ordinary Shares Number",
}
CASH_FLOW_LINES = {
    "operating_cash_flow": "Operating Cash Flow",
    "capital_expenditure": "Capital Expenditure",
    "free_cash_flow": "Free Cash Flow",
    "dividends_paid": "Cash Dividends Paid",
    "investing_cash_flow": "Investing Cash Flow",
    "financing_cash_flow": "Financing Cash Flow",
}

GROWTH_METHOD = (
    "growth = value / previous period's value - 1 (year on year for annual, "
    "quarter on quarter for quarterly); None when the earlier value is not positive"
)


def line(frame: pd.DataFrame, name: str) -> Values | None:
    """A line item's values, newest period first, or None if the statement lacks it."""
    if frame.empty or name not in frame.index:
        return None
    return [clean(value) for value in frame.loc[name].to_numpy()]


def first_line(frame: pd.DataFrame, *names: str) -> Values | None:
    """The first of `names` the statement has with at least one value."""
    for name in names:
        values = line(frame, name)
        if values is not None and any(v is not None for v in values):
            return values
    return None


def put_lines(
    report: Report, frame: pd.DataFrame, lines: dict[str, str], source: str
) -> dict[str, Values]:
    """Each line into report.data (or report.unavailable); returns those found."""
    found: dict[str, Values] = {}
    report.data.setdefault("periods", periods(frame))
    for key, name in lines.items():
        values = line(frame, name)
        if values is None or all(v is None for v in values):
            report.missing(key, f"{source} reports no '{name}' line")
            continue
        found[key] = values
        report.data[key] = values
    return found


def periods(frame: pd.DataFrame) -> list[str]:
    return iso_dates(frame.columns) if not frame.empty else []


def growth(values: Sequence[float | None]) -> Values:
    """Per-period growth against the next-older period; the oldest has None."""
    out: Values = []
    for newer, older in zip(values, [*values[1:], None], strict=True):
        out.append(ratio(newer, older, minus_one=True))
    return out


def cagr(values: Sequence[float | None], years: float) -> float | None:
    """Compound annual growth from the oldest to the newest value."""
    if len(values) < 2 or years <= 0:
        return None
    newest, oldest = values[0], values[-1]
    if newest is None or oldest is None or newest <= 0 or oldest <= 0:
        return None
    return clean((newest / oldest) ** (1 / years) - 1)


def ratio(top: float | None, bottom: float | None, *, minus_one: bool = False) -> float | None:
    if top is None or bottom is None or bottom <= 0:
        return None
    value = top / bottom - (1 if minus_one else 0)
    return value if math.isfinite(value) else None


def divide(tops: Sequence[float | None], bottoms: Sequence[float | None] | None) -> Values:
    if bottoms is None:
        return [None] * len(tops)
    return [ratio(top, bottom) for top, bottom in zip(tops, bottoms, strict=False)]


def trend(values: Sequence[float | None]) -> str | None:
    """ "rising" / "falling" when every step (oldest to newest) goes one way."""
    known = [v for v in reversed(values) if v is not None]
    if len(known) < 2:
        return None
    steps = [b - a for a, b in itertools.pairwise(known)]
    if all(step > 0 for step in steps):
        return "rising"
    if all(step < 0 for step in steps):
        return "falling"
    return "mixed"


def aligned(frame: pd.DataFrame, other: pd.DataFrame, name: str) -> Values | None:
    """`name` from `other`, on `frame`'s period ends (None where `other` has no column)."""
    if other.empty or name not in other.index or frame.empty:
        return None
    row = other.loc[name]
    return [clean(row[col]) if col in row.index else None for col in frame.columns]
