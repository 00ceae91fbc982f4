"""fin_data: company fundamentals, financial statements, dividends and EPS.

Run alone: `python -m mcp_servers.fin_data` (stdio) or `--http --port N`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

from domain.market.models import Fundamentals
from mcp_servers import _dividends as dividends
from mcp_servers import _statements as st
from mcp_servers._args import Frequency, Symbol, Years
from mcp_servers._results import Report, not_reported
from mcp_servers._run import main
from mcp_servers._symbols import validation
from mcp_servers._tooling import market_tool, new_server, optional, resolved
from mcp_servers.context import get_market

server = new_server(
    "fin_data",
    "Fundamentals, financial statements, dividends and EPS for NSE/BSE companies. "
    "Ratios are fractions (0.25 = 25 %); money is in the reported currency.",
)
tool = market_tool(server)

_FUNDAMENTAL_FIELDS = tuple(
    f.name
    for f in dataclasses.fields(Fundamentals)
    if f.name not in {"source", "as_of", "stale", "symbol", "raw", "name"}
)
_MARGINS = {
    "gross_profit": "gross_margin",
    "operating_income": "operating_margin",
    "net_income": "net_margin",
}


@tool
def fetch_company_fundamentals(symbol: Symbol) -> dict[str, Any]:
    """Valuation (P/E, P/B, market cap), profitability, leverage, dividend and
    52-week figures for one company, as its market-data source reports them."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    facts = report.seen(market.fundamentals(inst))
    report.identity["name"] = facts.name or inst.name
    for key in _FUNDAMENTAL_FIELDS:
        report.put(key, getattr(facts, key), not_reported(facts.source))
    return report.build()


@tool
def fetch_historical_financials(symbol: Symbol, frequency: Frequency = "annual") -> dict[str, Any]:
    """Income-statement history (revenue, profits, EPS) over the last reported
    periods, newest first, with period-on-period growth and margins."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    statements = report.seen(market.financials(inst, frequency))
    found = st.put_lines(report, statements.income, st.INCOME_LINES, statements.source)
    revenue = found.get("revenue")
    for key in ("revenue", "net_income"):
        if key in found:
            report.data[f"{key}_growth"] = st.growth(found[key])
    for key, margin in _MARGINS.items():
        if key in found and revenue:
            report.data[margin] = st.divide(found[key], revenue)
    report.data["frequency"] = frequency
    return report.build(method=st.GROWTH_METHOD + "; margin = line / Total Revenue")


@tool
def fetch_balance_sheet_data(symbol: Symbol, frequency: Frequency = "annual") -> dict[str, Any]:
    """Balance-sheet components (assets, liabilities, equity, debt, cash) per
    reported period, with debt/equity, net debt and current ratio derived."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    statements = report.seen(market.financials(inst, frequency))
    found = st.put_lines(report, statements.balance_sheet, st.BALANCE_LINES, statements.source)
    debt, equity, cash = (
        found.get(k) for k in ("total_debt", "stockholders_equity", "cash_and_equivalents")
    )
    if debt and equity:
        report.data["debt_to_equity"] = st.divide(debt, equity)
    if debt and cash:
        report.data["net_debt"] = [
            None if d is None or c is None else d - c for d, c in zip(debt, cash, strict=True)
        ]
    if "current_assets" in found and "current_liabilities" in found:
        report.data["current_ratio"] = st.divide(
            found["current_assets"], found["current_liabilities"]
        )
    report.data["frequency"] = frequency
    return report.build(
        method="debt_to_equity = Total Debt / Stockholders Equity; net_debt = Total Debt - "
        "Cash And Cash Equivalents; current_ratio = Current Assets / Current Liabilities"
    )


@tool
def fetch_cash_flow_data(symbol: Symbol, frequency: Frequency = "annual") -> dict[str, Any]:
    """Cash-flow statement lines (operating, capex, free cash flow, dividends
    paid) per reported period, with cash conversion against net income."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    statements = report.seen(market.financials(inst, frequency))
    cash = statements.cash_flow
    found = st.put_lines(report, cash, st.CASH_FLOW_LINES, statements.source)
    net_income = st.aligned(cash, statements.income, "Net Income")
    for key, out in (
        ("operating_cash_flow", "ocf_to_net_income"),
        ("free_cash_flow", "fcf_to_net_income"),
    ):
        if key in found and net_income:
            report.data[out] = st.divide(found[key], net_income)
    report.data["frequency"] = frequency
    return report.build(
        method="ocf_to_net_income and fcf_to_net_income = cash-flow line / Net Income of the "
        "same period (cash conversion); capex and dividends paid are negative outflows"
    )


@tool
def fetch_dividend_history(symbol: Symbol, years: Years = 5) -> dict[str, Any]:
    """Cash dividends per share by ex-date and by calendar year, trailing
    12-month yield, and whether statements show the payout is sustainable."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    actions = report.seen(market.corporate_actions(inst))
    dividends.put_history(report, actions, years)
    quote = None
    if "trailing_12m_dividend" in report.data:
        quote = optional(report, "trailing_yield", lambda: market.quote(inst))
    if quote is not None:
        report.data["trailing_yield"] = report.data["trailing_12m_dividend"] / quote.price
        report.data["price"] = quote.price
    statements = optional(report, "sustainability", lambda: market.financials(inst, "annual"))
    if statements is not None:
        dividends.put_sustainability(report, statements)
    return report.build(method=dividends.METHOD)


@tool
def fetch_eps_analysis(symbol: Symbol, frequency: Frequency = "annual") -> dict[str, Any]:
    """Earnings per share over the reported periods: trend, period growth,
    compound annual growth, and trailing versus forward EPS."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    statements = report.seen(market.financials(inst, frequency))
    income = statements.income
    eps = st.first_line(income, "Diluted EPS", "Basic EPS")
    report.data["frequency"] = frequency
    report.data["periods"] = st.periods(income)
    if eps is None:
        report.missing("eps", f"{statements.source} reports no Diluted or Basic EPS line")
    else:
        report.data["eps"] = eps
        report.data["eps_growth"] = st.growth(eps)
        report.put("trend", st.trend(eps), "fewer than two reported EPS values")
        span = _years_spanned(income.columns)
        report.put("eps_cagr", st.cagr(eps, span), "needs positive first and last EPS")
    facts = optional(report, "forward_eps", lambda: market.fundamentals(inst))
    if facts is not None:
        reason = not_reported(facts.source)
        report.put("eps_trailing", facts.eps_trailing, reason)
        report.put("eps_forward", facts.eps_forward, reason)
        report.put(
            "forward_growth",
            st.ratio(facts.eps_forward, facts.eps_trailing, minus_one=True),
            reason,
        )
    return report.build(
        method=f"EPS = Diluted EPS line (Basic if absent); {st.GROWTH_METHOD}; eps_cagr over "
        "the years between the oldest and newest period ends; forward_growth = forward / "
        "trailing EPS - 1; trend = rising/falling only if every step goes that way"
    )


@tool
def validate_stock_symbol(symbol: Symbol) -> dict[str, Any]:
    """Check whether a ticker or company name is a listed NSE/BSE stock the data
    source serves; gives its canonical symbol, exchange and sector, or the
    closest matches when it is not."""
    return validation(get_market(), symbol)


def _years_spanned(columns: pd.Index) -> float:
    dates = pd.DatetimeIndex(columns)
    if dates.size < 2:
        return 0.0
    return (dates.max() - dates.min()).days / 365.25


if __name__ == "__main__":
    main(server, default_port=8101)
