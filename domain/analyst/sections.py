"""Key-figure rows and tables for one company, one block per kind of tool
result. Rows are (figure, value, source); every value is a result's figure,
formatted, never derived.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain.analyst.fields import figure, label
from domain.analyst.format import count, day, money, number, pct, provenance, table

Row = tuple[str, str, str]
ROW_HEADER = ("Figure", "Value", "Source, as of")
RECENT_PAYMENTS = 4

VALUATION_BRIEF = (
    "market_cap pe_trailing eps_trailing price_to_book roe dividend_yield week52_high week52_low"
).split()
VALUATION_FULL = (
    "price market_cap pe_trailing pe_forward eps_trailing eps_forward price_to_book roe roa "
    "debt_to_equity operating_margin profit_margin revenue_growth dividend_yield payout_ratio "
    "week52_high week52_low beta"
).split()
TECHNICAL_BRIEF = "rsi_14 macd macd_signal sma_50 sma_200".split()
TECHNICAL_FULL = (
    "close rsi_14 macd macd_signal macd_hist sma_20 sma_50 sma_200 ema_12 ema_26 bb_upper "
    "bb_lower atr_14"
).split()
_DIVIDEND = "trailing_12m_dividend trailing_yield price payout_ratio fcf_cover".split()
_STATEMENT_COLUMNS = {
    "fetch_eps_analysis": "eps eps_growth".split(),
    "fetch_historical_financials": "revenue net_income revenue_growth net_margin".split(),
    "fetch_balance_sheet_data": (
        "total_assets total_debt cash_and_equivalents stockholders_equity debt_to_equity".split()
    ),
    "fetch_cash_flow_data": (
        "operating_cash_flow capital_expenditure free_cash_flow dividends_paid "
        "ocf_to_net_income".split()
    ),
}
_STATEMENT_TITLES = {
    "fetch_eps_analysis": "Earnings per share",
    "fetch_historical_financials": "Income statement",
    "fetch_balance_sheet_data": "Balance sheet",
    "fetch_cash_flow_data": "Cash flow",
}
_STATEMENT_NOTES = "eps_trailing eps_forward forward_growth eps_cagr".split()


def rows(result: dict[str, Any], keys: Sequence[str]) -> list[Row]:
    data = result.get("data", {})
    currency, where = data.get("currency"), provenance(result)
    return [(label(key), figure(key, data[key], currency), where) for key in keys if key in data]


def price_rows(result: dict[str, Any]) -> list[Row]:
    data, where = result.get("data", {}), provenance(result)
    currency = data.get("currency")
    found = rows(result, ["price"])
    if "change" in data:
        change = money(data["change"], currency, signed=True)
        if "change_pct" in data:
            change += f" ({pct(data['change_pct'], signed=True)})"
        found.append(("Change since previous close", change, where))
    found += rows(result, ["previous_close", "open"])
    if "day_low" in data and "day_high" in data:
        span = f"{money(data['day_low'], currency)} to {money(data['day_high'], currency)}"
        found.append(("Day's range", span, where))
    if "volume" in data:
        found.append(("Volume", f"{count(data['volume'])} shares", where))
    return found


def sentiment_rows(result: dict[str, Any]) -> list[Row]:
    data, where = result.get("data", {}), provenance(result)
    found: list[Row] = []
    if "label" in data:
        found.append(("News sentiment", str(data["label"]), where))
    if "mean_compound" in data:
        score = f"{number(data['mean_compound'], signed=True)} (scale -1 to +1)"
        found.append((label("mean_compound"), score, where))
    if "headlines" in data:
        moods = [f"{data[k]} {k}" for k in ("positive", "negative", "neutral") if k in data]
        found.append(("Headlines read", f"{data['headlines']} ({', '.join(moods)})", where))
    return found


def headline_lines(result: dict[str, Any]) -> list[str]:
    lines = []
    for item in result.get("data", {}).get("articles", []):
        mood = item.get("label", "unscored")
        if isinstance(item.get("sentiment"), int | float):
            mood += f", {number(item['sentiment'], signed=True)}"
        publisher = f" — {item['publisher']}" if item.get("publisher") else ""
        when, title = day(item.get("published_at")), item.get("title", "")
        lines.append(f"- {when}: {title}{publisher} ({mood})")
    return lines


def dividend_rows(result: dict[str, Any]) -> list[Row]:
    data, where = result.get("data", {}), provenance(result)
    found = rows(result, _DIVIDEND)
    if "payments_last_12m" in data:
        found.insert(1, ("Payments in the last year", str(data["payments_last_12m"]), where))
    if "sustainability" in data:
        found.append(("Sustainability (tool's rating)", str(data["sustainability"]), where))
    return found


def dividend_tables(result: dict[str, Any]) -> list[str]:
    data = result.get("data", {})
    totals = sorted((data.get("annual_totals") or {}).items())
    lines = table(("Year", "Dividends per share"), [(y, money(v)) for y, v in totals])
    payments = data.get("payments", [])[-RECENT_PAYMENTS:]
    if payments:
        latest = [(day(p.get("ex_date")), money(p.get("amount_per_share"))) for p in payments]
        lines += ["", "Latest payments:", "", *table(("Ex-date", "Per share"), latest[::-1])]
    return lines


def statement_block(tool: str, result: dict[str, Any]) -> list[str]:
    """One table per statement: periods down, lines across."""
    data = result.get("data", {})
    columns = [key for key in _STATEMENT_COLUMNS[tool] if isinstance(data.get(key), list)]
    body = [
        (day(period), *(figure(key, _at(data[key], i)) for key in columns))
        for i, period in enumerate(data.get("periods", []))
    ]
    frequency = data.get("frequency", "annual")
    lines = [f"**{_STATEMENT_TITLES[tool]}** ({frequency}; source: {provenance(result)})", ""]
    lines += table(("Period end", *(label(key) for key in columns)), body)
    notes = [f"{label(k)}: {figure(k, data[k])}" for k in _STATEMENT_NOTES if k in data]
    if "trend" in data:
        notes.append(f"trend: {data['trend']}")
    if notes:
        lines += ["", "; ".join(notes) + "."]
    return lines


def _at(values: list[Any], index: int) -> Any:
    return values[index] if index < len(values) else None
