"""Fundamentals side by side, for the comparison chart and the valuation heatmap."""

from __future__ import annotations

from typing import Literal

from domain.market import MarketSource
from domain.market.models import Fundamentals
from mcp_servers._results import Report, not_reported
from mcp_servers._tooling import fan_out

FundamentalMetric = Literal[
    "pe_trailing",
    "pe_forward",
    "price_to_book",
    "dividend_yield",
    "roe",
    "roa",
    "debt_to_equity",
    "profit_margin",
    "operating_margin",
    "revenue_growth",
    "earnings_growth",
    "beta",
    "market_cap",
]
METRIC_LABELS = {
    "pe_trailing": "P/E (trailing)",
    "pe_forward": "P/E (forward)",
    "price_to_book": "Price / book",
    "dividend_yield": "Dividend yield",
    "roe": "Return on equity",
    "roa": "Return on assets",
    "debt_to_equity": "Debt / equity",
    "profit_margin": "Profit margin",
    "operating_margin": "Operating margin",
    "revenue_growth": "Revenue growth",
    "earnings_growth": "Earnings growth",
    "beta": "Beta",
    "market_cap": "Market cap",
}
PERCENT = frozenset(
    {"dividend_yield", "roe", "roa", "profit_margin", "operating_margin"}
    | {"revenue_growth", "earnings_growth"}
)

Table = dict[str, dict[str, float | None]]  # metric -> symbol -> value


def table(report: Report, market: MarketSource, symbols: list[str], metrics: list[str]) -> Table:
    """Each metric for each company; a missing one is None and listed as
    unavailable under "<SYMBOL>.<metric>"."""

    def one(text: str) -> tuple[str, Fundamentals]:
        inst = market.resolve(text)
        return inst.symbol, market.fundamentals(inst)

    values: Table = {metric: {} for metric in metrics}
    for symbol, facts in fan_out(one, symbols):
        report.seen(facts)
        for metric in metrics:
            value = getattr(facts, metric)
            values[metric][symbol] = value
            if value is None:
                report.missing(f"{symbol}.{metric}", not_reported(facts.source))
    return values


def ranks(
    values: Table, names: list[str], metrics: list[str]
) -> tuple[list[list[float | None]], list[list[str]]]:
    """(rank in 0..1 within each metric, display text), rows = companies."""
    z: list[list[float | None]] = [[] for _ in names]
    text: list[list[str]] = [[] for _ in names]
    for metric in metrics:
        column = values[metric]
        known = sorted(v for v in column.values() if v is not None)
        for row, name in enumerate(names):
            value = column.get(name)
            z[row].append(_rank(value, known))
            text[row].append(_label(metric, value))
    return z, text


def _rank(value: float | None, known: list[float]) -> float | None:
    if value is None:
        return None
    if len(known) < 2:
        return 0.5
    return known.index(value) / (len(known) - 1)


def _label(metric: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    if metric in PERCENT:
        return f"{value:.1%}"
    if metric == "market_cap":
        return f"{value / 1e7:,.0f} cr"
    return f"{value:.2f}"
