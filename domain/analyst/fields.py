"""How each result field is named and written: its label for readers and
its style (rupees, crore, percentage, signed change, multiple, plain number).
"""

from __future__ import annotations

from typing import Any

from domain.analyst.format import big_money, money, number, pct, ratio

_LABELS = {
    "price": "Last price",
    "previous_close": "Previous close",
    "open": "Open",
    "volume": "Volume",
    "market_cap": "Market cap",
    "pe_trailing": "P/E (trailing)",
    "pe_forward": "P/E (forward)",
    "eps_trailing": "EPS (trailing)",
    "eps_forward": "EPS (forward)",
    "price_to_book": "P/B",
    "roe": "Return on equity",
    "roa": "Return on assets",
    "debt_to_equity": "Debt/equity",
    "dividend_yield": "Dividend yield",
    "dividend_rate": "Dividend per share (annual)",
    "payout_ratio": "Payout ratio",
    "operating_margin": "Operating margin",
    "profit_margin": "Net profit margin",
    "gross_margin": "Gross margin",
    "revenue_growth": "Revenue growth",
    "earnings_growth": "Earnings growth",
    "week52_high": "1-year high",
    "week52_low": "1-year low",
    "beta": "Beta",
    "rsi_14": "RSI",
    "macd": "MACD",
    "macd_signal": "MACD signal line",
    "macd_hist": "MACD histogram",
    "sma_20": "SMA20",
    "sma_50": "SMA50",
    "sma_200": "SMA200",
    "ema_12": "EMA12",
    "ema_26": "EMA26",
    "bb_upper": "Bollinger upper band",
    "bb_lower": "Bollinger lower band",
    "atr_14": "ATR",
    "close": "Close",
    "total_return": "Total return",
    "annual_return": "Annualised return",
    "annual_volatility": "Annualised volatility",
    "sharpe_ratio": "Sharpe ratio",
    "max_drawdown": "Maximum drawdown",
    "excess_return": "Excess return vs benchmark",
    "mean_compound": "Mean sentiment score",
    "trailing_yield": "Trailing dividend yield",
    "trailing_12m_dividend": "Dividends in the last year (per share)",
    "fcf_cover": "Free-cash-flow cover",
    "eps": "EPS",
    "eps_growth": "EPS growth",
    "eps_cagr": "EPS growth per year (CAGR)",
    "forward_growth": "Forward EPS growth",
    "revenue": "Revenue",
    "net_income": "Net income",
    "net_margin": "Net margin",
    "total_assets": "Total assets",
    "total_debt": "Total debt",
    "cash_and_equivalents": "Cash",
    "stockholders_equity": "Equity",
    "operating_cash_flow": "Operating cash flow",
    "capital_expenditure": "Capex",
    "free_cash_flow": "Free cash flow",
    "dividends_paid": "Dividends paid",
    "ocf_to_net_income": "Operating cash flow / net income",
    "net_debt": "Net debt",
}


# Field styles; a field in none of them is a plain number (P/E, RSI, beta).
_RUPEES = frozenset(
    "price previous_close open close eps eps_trailing eps_forward week52_high week52_low "
    "sma_20 sma_50 sma_200 ema_12 ema_26 bb_upper bb_lower atr_14 trailing_12m_dividend "
    "dividend_rate diluted_eps".split()
)
_CRORE = frozenset(
    "market_cap revenue net_income total_assets total_debt cash_and_equivalents "
    "stockholders_equity operating_cash_flow capital_expenditure free_cash_flow "
    "dividends_paid net_debt gross_profit operating_income".split()
)
_PERCENT = frozenset(
    "roe roa dividend_yield trailing_yield payout_ratio operating_margin profit_margin "
    "gross_margin net_margin annual_volatility".split()
)
_CHANGE = frozenset(
    "change_pct revenue_growth earnings_growth eps_growth eps_cagr forward_growth "
    "total_return annual_return max_drawdown excess_return".split()
)
_MULTIPLE = frozenset("fcf_cover ocf_to_net_income fcf_to_net_income".split())


def label(key: str) -> str:
    """A reader's name for a result field ("pe_trailing" -> "P/E (trailing)")."""
    if key in _LABELS:
        return _LABELS[key]
    words = key.replace("_", " ")
    return words[:1].upper() + words[1:]


def figure(key: str, value: Any, currency: str | None = None) -> str:
    """`value` of field `key` written in the field's style."""
    if key in _RUPEES:
        return money(value, currency)
    if key in _CRORE:
        return big_money(value, currency)
    if key in _PERCENT:
        return pct(value)
    if key in _CHANGE:
        return pct(value, signed=True)
    if key in _MULTIPLE:
        return ratio(value)
    return number(value)
