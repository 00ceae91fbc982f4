"""Which tools answer an intent, with arguments matching the MCP tools'
schemas (mcp_servers). Only tools the turn offers are called.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from domain.analyst.intents import Intent
from domain.llm.base import ToolCall, ToolSpec
from domain.market.instruments import Instrument

Planned = list[tuple[str, dict[str, Any]]]

# Single-company requests naming more companies answer for the first few.
MAX_COMPANIES = 3
# fetch_comparative_performance accepts ten; a readable table holds fewer.
MAX_COMPARED = 5
DEFAULT_HEADLINES = 5
DEFAULT_DIVIDEND_YEARS = 5
PORTFOLIO_CHART = "generate_portfolio_composition_chart"
OVERVIEW_CHART = "generate_price_volume_chart"
OVERVIEW_CHART_PERIOD = "6mo"


def plan(intent: Intent, tools: Sequence[ToolSpec]) -> tuple[ToolCall, ...]:
    """The calls for one model step, ids "call_1", "call_2", ... in order."""
    offered = {spec.name for spec in tools}
    if intent.kind == "portfolio":
        wanted = _portfolio(intent, tools)
    else:
        planner = _PLANNERS.get(intent.kind)
        wanted = planner(intent) if planner is not None else []
    kept = [(name, args) for name, args in wanted if name in offered]
    return tuple(ToolCall(f"call_{n}", name, args) for n, (name, args) in enumerate(kept, 1))


def tool_symbol(inst: Instrument) -> str:
    """What the tools are given: "INFY" on NSE, the Yahoo ticker on BSE."""
    return inst.symbol if inst.exchange == "NSE" else inst.yahoo_symbol


def _each(intent: Intent, calls: Callable[[str, dict[str, Any]], Planned]) -> Planned:
    planned: Planned = []
    for inst in intent.instruments[:MAX_COMPANIES]:
        planned += calls(tool_symbol(inst), intent.extras)
    return planned


def _overview(intent: Intent) -> Planned:
    def calls(symbol: str, extras: dict[str, Any]) -> Planned:
        return [
            ("fetch_current_price_data", {"symbol": symbol}),
            ("fetch_company_fundamentals", {"symbol": symbol}),
            ("fetch_technical_indicators", {"symbol": symbol, "period": "1y"}),
            ("fetch_overall_news_sentiment", {"symbol": symbol}),
        ]

    planned = _each(intent, calls)
    if len(intent.instruments) == 1:  # one company: its price chart belongs to the story
        symbol = tool_symbol(intent.instruments[0])
        planned.append((OVERVIEW_CHART, {"symbol": symbol, "period": OVERVIEW_CHART_PERIOD}))
    return planned


def _price(intent: Intent) -> Planned:
    return _each(intent, lambda symbol, _: [("fetch_current_price_data", {"symbol": symbol})])


def _technicals(intent: Intent) -> Planned:
    def calls(symbol: str, extras: dict[str, Any]) -> Planned:
        period = extras.get("period", "1y")
        return [("fetch_technical_indicators", {"symbol": symbol, "period": period})]

    return _each(intent, calls)


def _fundamentals(intent: Intent) -> Planned:
    def calls(symbol: str, extras: dict[str, Any]) -> Planned:
        topics = extras.get("topics", [])
        frequency = extras.get("frequency", "annual")
        planned: Planned = [("fetch_company_fundamentals", {"symbol": symbol})]
        for topic, tool in _STATEMENT_TOOLS:
            if topic in topics:
                planned.append((tool, {"symbol": symbol, "frequency": frequency}))
        return planned

    return _each(intent, calls)


_STATEMENT_TOOLS = (
    ("eps", "fetch_eps_analysis"),
    ("financials", "fetch_historical_financials"),
    ("balance_sheet", "fetch_balance_sheet_data"),
    ("cash_flow", "fetch_cash_flow_data"),
)


def _news(intent: Intent) -> Planned:
    def calls(symbol: str, extras: dict[str, Any]) -> Planned:
        return [
            ("fetch_overall_news_sentiment", {"symbol": symbol}),
            ("fetch_news_articles", {"symbol": symbol, "limit": DEFAULT_HEADLINES}),
        ]

    return _each(intent, calls)


def _dividends(intent: Intent) -> Planned:
    def calls(symbol: str, extras: dict[str, Any]) -> Planned:
        return [("fetch_dividend_history", {"symbol": symbol, "years": DEFAULT_DIVIDEND_YEARS})]

    return _each(intent, calls)


def _compare(intent: Intent) -> Planned:
    symbols = [tool_symbol(inst) for inst in intent.instruments[:MAX_COMPARED]]
    period = intent.extras.get("period", "1y")
    planned: Planned = [("fetch_comparative_performance", {"symbols": symbols, "period": period})]
    planned += [("fetch_company_fundamentals", {"symbol": s}) for s in symbols]
    if "technicals" in intent.extras.get("topics", []):
        planned += [("fetch_technical_indicators", {"symbol": s, "period": "1y"}) for s in symbols]
    return planned


def _chart(intent: Intent) -> Planned:
    topics = set(intent.extras.get("topics", []))
    period = intent.extras.get("period")
    if len(intent.instruments) > 1:
        symbols = [tool_symbol(inst) for inst in intent.instruments[:MAX_COMPARED]]
        if "valuation" in topics:
            return [("generate_fundamental_comparison_chart", {"symbols": symbols})]
        return [("generate_risk_return_scatter", {"symbols": symbols, "period": period or "1y"})]
    symbol = tool_symbol(intent.instruments[0])
    return [_single_chart(symbol, topics, period, intent.extras)]


def _single_chart(
    symbol: str, topics: set[str], period: str | None, extras: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    if "candlestick" in topics:
        return "generate_candlestick_chart", {"symbol": symbol, "period": period or "3mo"}
    if "technicals" in topics:
        args: dict[str, Any] = {"symbol": symbol, "period": period or "1y"}
        if extras.get("indicators"):
            args["indicators_shown"] = list(extras["indicators"])
        return "generate_technical_indicators_chart", args
    if "dividend" in topics:
        return "generate_dividend_timeline_chart", {"symbol": symbol}
    if "benchmark" in topics:
        return "generate_performance_vs_benchmark_chart", {
            "symbol": symbol,
            "period": period or "1y",
        }
    if topics & {"financials", "cash_flow", "eps"}:
        frequency = extras.get("frequency", "annual")
        return "generate_financial_trend_chart", {"symbol": symbol, "frequency": frequency}
    return "generate_price_volume_chart", {"symbol": symbol, "period": period or "6mo"}


def _portfolio(intent: Intent, tools: Sequence[ToolSpec]) -> Planned:
    holdings = intent.extras.get("holdings", [])
    if holdings:
        positions = [{"symbol": tool_symbol(inst), "quantity": qty} for inst, qty in holdings]
        group_by = intent.extras.get("group_by", "symbol")
        return [(PORTFOLIO_CHART, {"holdings": positions, "group_by": group_by})]
    # A tool that reads the user's own holdings, should one be added, needs no input.
    return [(spec.name, {}) for spec in tools if is_portfolio_reader(spec)][:1]


def is_portfolio_reader(spec: ToolSpec) -> bool:
    return (
        "portfolio" in spec.name
        and spec.name != PORTFOLIO_CHART
        and not spec.parameters.get("required")
    )


_PLANNERS: dict[str, Callable[[Intent], Planned]] = {
    "overview": _overview,
    "price": _price,
    "technicals": _technicals,
    "fundamentals": _fundamentals,
    "news": _news,
    "dividends": _dividends,
    "compare": _compare,
    "chart": _chart,
}
