"""visualization: Plotly charts of prices, indicators, fundamentals, dividends,
portfolios and risk. Each chart is stored (see context.set_chart_store) and
returned as figure JSON with its id and URL; demo charts carry a visible notice.

Run alone: `python -m mcp_servers.visualization` (stdio) or `--http --port N`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

import pandas as pd
from pydantic import BaseModel, Field

from domain.market import indicators
from domain.market.source import HISTORY_PERIODS
from mcp_servers import _chart_checks as checks
from mcp_servers import _figures as figures
from mcp_servers import _prices as prices
from mcp_servers import _statements as st
from mcp_servers._args import ChartPeriod, Frequency, Symbol, Symbols, Years
from mcp_servers._charts import publish
from mcp_servers._portfolio import composition
from mcp_servers._results import Report
from mcp_servers._run import main
from mcp_servers._tooling import dedupe, market_tool, new_server, optional, resolved
from mcp_servers._valuation import METRIC_LABELS, PERCENT, FundamentalMetric, ranks, table
from mcp_servers.context import get_market, market_settings

server = new_server(
    "visualization",
    "Interactive Plotly charts for NSE/BSE stocks. Each answer has chart_id, chart_url "
    "and the figure JSON; mention the chart_url to the user.",
)
tool = market_tool(server, read_only=False)

ChartIndicator = Literal["sma", "ema", "bollinger", "rsi", "macd"]
TrendItem = Literal[
    "revenue",
    "gross_profit",
    "operating_income",
    "net_income",
    "diluted_eps",
    "operating_cash_flow",
    "free_cash_flow",
]
_TREND_LINES = {**st.INCOME_LINES, **st.CASH_FLOW_LINES}
_TREND_LABELS = {item: _TREND_LINES[item] for item in get_args(TrendItem)}
# Indicator charts read this much more history first, so long averages are warm.
_WARM_UP = {"5d": "1y", "1mo": "1y", "3mo": "2y", "6mo": "2y", "1y": "2y", "2y": "5y", "5y": "max"}


class Holding(BaseModel):
    symbol: Symbol
    quantity: Annotated[float, Field(gt=0, description="Number of shares held.")]


@tool
def generate_price_volume_chart(symbol: Symbol, period: ChartPeriod = "6mo") -> dict[str, Any]:
    """Line chart of daily closing prices with a volume panel below."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    history = report.seen(market.history(inst, period))
    report.data.update(
        period=period, bars=len(history.frame), total_return=prices.total_return(history.frame)
    )
    fig = figures.price_volume(history.frame, inst.symbol)
    return publish(
        report,
        "price_volume",
        f"{inst.name} ({inst.symbol}) price and volume, {period}",
        fig,
        [inst.symbol],
    )


@tool
def generate_candlestick_chart(symbol: Symbol, period: ChartPeriod = "3mo") -> dict[str, Any]:
    """Daily candlestick (open, high, low, close) chart with a volume panel."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    history = report.seen(market.history(inst, period))
    report.data.update(period=period, bars=len(history.frame))
    fig = figures.candlestick(history.frame, inst.symbol)
    return publish(
        report,
        "candlestick",
        f"{inst.name} ({inst.symbol}) candlesticks, {period}",
        fig,
        [inst.symbol],
    )


@tool
def generate_technical_indicators_chart(
    symbol: Symbol,
    period: ChartPeriod = "1y",
    indicators_shown: Annotated[
        list[ChartIndicator],
        Field(
            min_length=1,
            description=(
                "Indicators to draw: sma (20/50/200), ema (12/26), bollinger (20, 2), "
                "rsi (14), macd (12, 26, 9)."
            ),
        ),
    ] = ["sma", "bollinger", "rsi", "macd"],  # noqa: B006 - never mutated
) -> dict[str, Any]:
    """Price chart with chosen TA-Lib indicators overlaid, and RSI / MACD panels."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    history = report.seen(market.history(inst, _WARM_UP.get(period, period)))
    series = indicators.technical_series(history)
    days = HISTORY_PERIODS[period]
    if days is not None:
        series = series[series.index > series.index[-1] - pd.Timedelta(days=days)]
    report.data.update(
        period=period, bars=len(series), indicators=list(dict.fromkeys(indicators_shown))
    )
    fig = figures.technical(series, indicators_shown)
    return publish(
        report,
        "technical_indicators",
        f"{inst.name} ({inst.symbol}) technical indicators, {period}",
        fig,
        [inst.symbol],
        method="TA-Lib indicators computed over earlier history too, so long averages "
        "are filled, then cut to the period",
    )


@tool
def generate_fundamental_comparison_chart(
    symbols: Symbols,
    metrics: Annotated[
        list[FundamentalMetric],
        Field(min_length=1, max_length=6, description="Fundamentals to compare, one panel each."),
    ] = ["pe_trailing", "price_to_book", "roe", "dividend_yield"],  # noqa: B006
) -> dict[str, Any]:
    """Bar panels comparing companies on chosen fundamentals (P/E, P/B, ROE...)."""
    market = get_market()
    report = Report(market)
    values = table(report, market, dedupe(symbols), list(dict.fromkeys(metrics)))
    report.data["values"] = values
    fig = figures.metric_panels(values, METRIC_LABELS, PERCENT)
    names = list(next(iter(values.values())))
    return publish(
        report, "fundamental_comparison", "Fundamentals compared: " + ", ".join(names), fig, names
    )


@tool
def generate_financial_trend_chart(
    symbol: Symbol,
    frequency: Frequency = "annual",
    items: Annotated[
        list[TrendItem],
        Field(min_length=1, max_length=5, description="Statement lines to chart, one panel each."),
    ] = ["revenue", "net_income", "free_cash_flow"],  # noqa: B006
) -> dict[str, Any]:
    """Bar panels of income and cash-flow lines over the reported periods."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    statements = report.seen(market.financials(inst, frequency))
    periods = st.periods(statements.income)
    lines: dict[str, list[float | None]] = {}
    for item in dict.fromkeys(items):
        frame = statements.income if item in st.INCOME_LINES else statements.cash_flow
        values = st.aligned(statements.income, frame, _TREND_LINES[item])
        if values is None or all(v is None for v in values):
            report.missing(item, f"{statements.source} reports no '{_TREND_LINES[item]}' line")
        else:
            lines[item] = values
    if not lines:
        report.missing("chart", "none of the requested lines is reported")
        return report.build()
    report.data.update(frequency=frequency, periods=periods, values=lines)
    fig = figures.trend(
        periods, lines, {k: f"{_TREND_LABELS[k]} (reported currency)" for k in lines}
    )
    return publish(
        report,
        "financial_trend",
        f"{inst.name} ({inst.symbol}) {frequency} financials",
        fig,
        [inst.symbol],
    )


@tool
def generate_performance_vs_benchmark_chart(
    symbol: Symbol, period: ChartPeriod = "1y"
) -> dict[str, Any]:
    """A stock's price against the NIFTY 50, both rebased to 100 at the start."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    stock = report.seen(market.history(inst, period)).frame["Close"]
    index = report.seen(market.index_history(period=period)).frame["Close"]
    both = pd.concat([stock, index], axis=1, join="inner").dropna()
    lines = {
        inst.symbol: prices.rebased(both.iloc[:, 0]),
        prices.NIFTY_LABEL: prices.rebased(both.iloc[:, 1]),
    }
    returns = {
        label: indicators.clean(series.iloc[-1] / 100 - 1) if len(series) else None
        for label, series in lines.items()
    }
    report.data.update(period=period, returns=returns)
    if None not in returns.values():
        report.data["excess_return"] = returns[inst.symbol] - returns[prices.NIFTY_LABEL]
    fig = figures.versus(lines)
    return publish(
        report,
        "performance_vs_benchmark",
        f"{inst.name} ({inst.symbol}) vs NIFTY 50, {period}",
        fig,
        [inst.symbol],
        method="closes on dates both traded, each divided by its first and x 100",
    )


@tool
def generate_valuation_heatmap(
    symbols: Annotated[
        list[str],
        Field(
            min_length=2, max_length=15, description="Two to fifteen companies (tickers or names)."
        ),
    ],
    metrics: Annotated[
        list[FundamentalMetric],
        Field(min_length=1, max_length=8, description="Valuation metrics, one column each."),
    ] = ["pe_trailing", "pe_forward", "price_to_book", "dividend_yield", "roe", "debt_to_equity"],  # noqa: B006
) -> dict[str, Any]:
    """Heatmap of companies (rows) by valuation metrics (columns), coloured by
    rank within the set and labelled with the values."""
    market = get_market()
    report = Report(market)
    chosen = list(dict.fromkeys(metrics))
    values = table(report, market, dedupe(symbols), chosen)
    names = list(next(iter(values.values())))
    z, text = ranks(values, names, chosen)
    report.data["values"] = values
    fig = figures.heatmap(names, [METRIC_LABELS[m] for m in chosen], z, text)
    return publish(
        report,
        "valuation_heatmap",
        "Valuation heatmap",
        fig,
        names,
        method="colour = rank of the value within the set for that metric (0 lowest, "
        "1 highest); blank = unavailable",
    )


@tool
def generate_portfolio_composition_chart(
    holdings: Annotated[
        list[Holding],
        Field(min_length=1, max_length=50, description="Positions: symbol and quantity."),
    ],
    group_by: Annotated[
        Literal["symbol", "sector"], Field(description="Slice by company or by sector.")
    ] = "symbol",
    chart_type: Annotated[
        Literal["pie", "treemap"], Field(description="Pie chart or treemap.")
    ] = "pie",
) -> dict[str, Any]:
    """Pie or treemap of a portfolio's current market value by company or sector."""
    return composition(get_market(), holdings, group_by, chart_type)


@tool
def generate_dividend_timeline_chart(symbol: Symbol, years: Years = 10) -> dict[str, Any]:
    """Per-share dividends by ex-date with calendar-year totals."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    actions = report.seen(market.corporate_actions(inst))
    since = pd.Timestamp(actions.as_of.date()) - pd.DateOffset(years=years)
    points = actions.dividends.dropna()
    points = points[points.index > since]
    if points.empty:
        report.missing(
            "dividends", f"{actions.source} lists no cash dividends in the last {years} years"
        )
        return report.build()
    annual = points.groupby(points.index.year).sum()
    report.data.update(
        years=years,
        payments=len(points),
        annual_totals={str(y): float(v) for y, v in annual.items()},
    )
    fig = figures.dividend_timeline(points, annual)
    return publish(
        report,
        "dividend_timeline",
        f"{inst.name} ({inst.symbol}) dividends, last {years} years",
        fig,
        [inst.symbol],
    )


@tool
def generate_risk_return_scatter(symbols: Symbols, period: ChartPeriod = "1y") -> dict[str, Any]:
    """Scatter of annualised return against annualised volatility for several
    stocks, with the NIFTY 50 for reference."""
    market = get_market()
    report = Report(market)
    rate = market_settings().risk_free_rate

    histories = prices.histories(market, dedupe(symbols), period)
    # The index is only a reference point: without it the chart still stands.
    index = optional(report, prices.NIFTY_LABEL, lambda: market.index_history(period=period))
    if index is not None:
        histories.append((prices.NIFTY_LABEL, index))
    points: dict[str, tuple[float, float]] = {}
    for label, history in histories:
        row = prices.performance(report.seen(history), rate)
        if row["annual_volatility"] is None or row["annual_return"] is None:
            report.missing(label, "too few bars for annualised figures; choose a longer period")
        else:
            points[label] = (row["annual_volatility"], row["annual_return"])
    report.data.update(
        period=period,
        points={k: {"annual_volatility": v[0], "annual_return": v[1]} for k, v in points.items()},
    )
    fig = figures.risk_return(points, prices.NIFTY_LABEL)
    names = [label for label, _ in histories if label != prices.NIFTY_LABEL]
    return publish(
        report,
        "risk_return",
        f"Risk and return, {period}",
        fig,
        names,
        method=prices.PERFORMANCE_METHOD,
    )


@tool
def validate_chart_data(
    chart_type: Annotated[
        Literal["line", "bar", "scatter", "candlestick", "pie", "heatmap"],
        Field(description="Chart the data is meant for."),
    ],
    series: Annotated[
        dict[str, list[float | str | None]],
        Field(description="Named value lists; candlesticks need open, high, low and close."),
    ],
    x: Annotated[
        list[str | float] | None,
        Field(description="Shared x values (ISO dates or categories); optional."),
    ] = None,
) -> dict[str, Any]:
    """Check data before charting it: matching lengths, numeric values, gaps,
    date order, and rules of the chart type; lists every problem found."""
    report = Report(source="input")
    report.data.update(chart_type=chart_type, **checks.check(chart_type, x, series))
    return report.build()


if __name__ == "__main__":
    main(server, default_port=8105)
