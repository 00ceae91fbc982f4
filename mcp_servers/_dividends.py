"""Dividend history and its sustainability, from corporate actions and the
latest annual statements."""

from __future__ import annotations

import pandas as pd

from domain.market.models import CorporateActions, FinancialStatements
from mcp_servers import _statements as st
from mcp_servers._results import Report

# Payout at or under 75 % of profit, covered by free cash flow, reads as
# sustainable; over 100 % or not covered by FCF reads as stretched.
SUSTAINABLE_PAYOUT = 0.75
STRETCHED_PAYOUT = 1.0

METHOD = (
    "trailing_12m_dividend = sum of per-share dividends with ex-dates in the 365 days to "
    "as_of; trailing_yield = that / current price; payout_ratio = |Cash Dividends Paid| / "
    "Net Income and fcf_cover = Free Cash Flow / |Cash Dividends Paid|, latest fiscal "
    f"year; sustainable if payout <= {SUSTAINABLE_PAYOUT:.0%} and fcf_cover >= 1, "
    f"stretched if payout > {STRETCHED_PAYOUT:.0%} or fcf_cover < 1, else watch"
)


def put_history(report: Report, actions: CorporateActions, years: int) -> None:
    series = actions.dividends.dropna()
    end = pd.Timestamp(actions.as_of.date())
    window = series[series.index > end - pd.DateOffset(years=years)]
    report.data["years"] = years
    report.data["payments"] = [
        {"ex_date": day, "amount_per_share": float(amount)} for day, amount in window.items()
    ]
    if window.empty:
        # Not 0: yfinance returns the same empty series when its look-up failed.
        note = f"{actions.source} lists no cash dividends in the last {years} years"
        report.data["note"] = note
        for key in ("trailing_12m_dividend", "trailing_yield"):
            report.missing(key, note)
        return
    by_year = window.groupby(window.index.year).sum()
    report.data["annual_totals"] = {str(year): float(total) for year, total in by_year.items()}
    trailing = series[series.index > end - pd.Timedelta(days=365)]
    report.data["trailing_12m_dividend"] = float(trailing.sum())
    report.data["payments_last_12m"] = int(trailing.size)


def put_sustainability(report: Report, statements: FinancialStatements) -> None:
    paid = _latest(statements.cash_flow, "Cash Dividends Paid")
    income = _latest(statements.income, "Net Income")
    fcf = _latest(statements.cash_flow, "Free Cash Flow")
    reason = f"{statements.source} statements lack the lines this needs"
    if paid is None:
        report.missing("payout_ratio", f"{statements.source} reports no Cash Dividends Paid")
        return
    paid = abs(paid)
    payout = st.ratio(paid, income)
    cover = st.ratio(fcf, paid)
    report.put("payout_ratio", payout, reason)
    report.put("fcf_cover", cover, reason)
    report.put("sustainability", _assess(payout, cover), reason)
    report.data["fiscal_year_end"] = statements.cash_flow.columns[0]


def _assess(payout: float | None, cover: float | None) -> str | None:
    if payout is None or cover is None:
        return None
    if payout > STRETCHED_PAYOUT or cover < 1:
        return "stretched"
    if payout <= SUSTAINABLE_PAYOUT:
        return "sustainable"
    return "watch"


def _latest(frame: pd.DataFrame, name: str) -> float | None:
    values = st.line(frame, name)
    return values[0] if values else None
