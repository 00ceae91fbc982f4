"""visualization's eleven tools through the MCP client: the figures' traces
hold the numbers computed here from the demo data."""

import pandas as pd
import pytest
import talib

from domain.market import resolve
from tests.mcp import expected as ex

pytestmark = pytest.mark.asyncio


def _trace(answer, name):
    return next(t for t in answer["figure"]["data"] if t.get("name") == name)


def _stored(answer, charts):
    chart = charts.get(answer["chart_id"])
    assert chart is not None and chart.figure == answer["figure"]
    return chart


async def test_price_volume_chart_plots_closes_and_volumes(call, charts, demo):
    frame = ex.bars(demo, "INFY", "1mo")

    answer = await call("generate_price_volume_chart", symbol="INFY", period="1mo")

    price, volume = answer["figure"]["data"]
    assert price["x"] == ex.iso(frame.index) and price["y"] == frame["Close"].to_list()
    assert volume["y"] == frame["Volume"].to_list()
    assert answer["data"]["total_return"] == pytest.approx(ex.total_return(frame["Close"]))
    assert _stored(answer, charts).kind == "price_volume"


async def test_candlestick_chart_plots_each_bar(call, charts, demo):
    frame = ex.bars(demo, "MARUTI", "3mo")

    answer = await call("generate_candlestick_chart", symbol="MARUTI")

    candles = answer["figure"]["data"][0]
    for key in ("open", "high", "low", "close"):
        assert candles[key] == frame[key.title()].to_list(), key
    assert answer["data"]["bars"] == len(frame)
    assert _stored(answer, charts).symbols == ["MARUTI"]


async def test_technical_chart_draws_ta_lib_series_warmed_up_on_earlier_bars(call, demo):
    warm = ex.bars(demo, "TCS", "2y")
    close = warm["Close"].to_numpy()
    shown = warm.index > warm.index[-1] - pd.Timedelta(days=183)
    upper, _, lower = talib.BBANDS(close, 20, 2.0, 2.0, 0)
    macd, signal, _ = talib.MACD(close, 12, 26, 9)

    answer = await call(
        "generate_technical_indicators_chart",
        symbol="TCS",
        period="6mo",
        indicators_shown=["sma", "bollinger", "rsi", "macd"],
    )

    assert _trace(answer, "Close")["x"] == ex.iso(warm.index[shown])
    for name, values in {
        "SMA 50": talib.SMA(close, 50),
        "SMA 200": talib.SMA(close, 200),
        "BB upper": upper,
        "BB lower": lower,
        "RSI 14": talib.RSI(close, 14),
        "MACD": macd,
        "Signal": signal,
    }.items():
        assert _trace(answer, name)["y"] == values[shown].tolist(), name
    assert answer["data"]["bars"] == int(shown.sum())


async def test_fundamental_comparison_plots_each_companys_metric(call, demo):
    facts = {s: demo.fundamentals(resolve(s)) for s in ("INFY", "TCS", "WIPRO")}

    answer = await call(
        "generate_fundamental_comparison_chart",
        symbols=["INFY", "TCS", "WIPRO"],
        metrics=["pe_trailing", "roe"],
    )

    pe, roe = answer["figure"]["data"]
    assert pe["x"] == ["INFY", "TCS", "WIPRO"]
    assert pe["y"] == pytest.approx([f.price / f.eps_trailing for f in facts.values()])
    roe_values = [f.eps_trailing / f.book_value_per_share for f in facts.values()]
    assert roe["y"] == pytest.approx(roe_values)
    assert answer["data"]["values"]["roe"] == {s: f.roe for s, f in facts.items()}


async def test_financial_trend_chart_runs_oldest_to_newest(call, demo):
    statements = demo.financials(resolve("LT"))
    revenue = statements.income.loc["Total Revenue"]
    fcf = statements.cash_flow.loc["Free Cash Flow"]

    answer = await call(
        "generate_financial_trend_chart", symbol="LT", items=["revenue", "free_cash_flow"]
    )

    revenue_bars, fcf_bars = answer["figure"]["data"]
    assert revenue_bars["x"] == ex.iso(revenue.index[::-1])
    assert revenue_bars["y"] == revenue.to_list()[::-1]
    assert fcf_bars["y"] == fcf.to_list()[::-1]
    assert answer["data"]["values"]["revenue"] == revenue.to_list()


async def test_performance_chart_rebases_stock_and_nifty_to_100(call, demo):
    both = pd.concat(
        [ex.bars(demo, "BEL", "6mo")["Close"], ex.nifty(demo, "6mo")["Close"]],
        axis=1,
        join="inner",
    )
    stock, index = both.iloc[:, 0], both.iloc[:, 1]

    answer = await call("generate_performance_vs_benchmark_chart", symbol="BEL", period="6mo")

    assert _trace(answer, "BEL")["y"] == pytest.approx((stock / stock.iloc[0] * 100).to_list())
    assert _trace(answer, "NIFTY 50")["y"][0] == 100
    returns = answer["data"]["returns"]
    assert returns["BEL"] == pytest.approx(ex.total_return(stock))
    assert returns["NIFTY 50"] == pytest.approx(ex.total_return(index))
    assert answer["data"]["excess_return"] == pytest.approx(
        ex.total_return(stock) - ex.total_return(index)
    )


async def test_valuation_heatmap_colours_by_rank_and_labels_with_values(call, demo):
    symbols = ["SBIN", "HDFCBANK", "ICICIBANK", "AXISBANK"]
    pe = {s: demo.fundamentals(resolve(s)).pe_trailing for s in symbols}
    order = sorted(pe.values())

    answer = await call("generate_valuation_heatmap", symbols=symbols, metrics=["pe_trailing"])

    heatmap = answer["figure"]["data"][0]
    assert heatmap["y"] == symbols
    assert [row[0] for row in heatmap["z"]] == [order.index(pe[s]) / 3 for s in symbols]
    assert [row[0] for row in heatmap["text"]] == [f"{pe[s]:.2f}" for s in symbols]


async def test_portfolio_chart_groups_market_value_by_sector(call, demo):
    holdings = {"INFY": 10, "TCS": 4, "ITC": 200}
    values = {s: q * demo.quote(resolve(s)).price for s, q in holdings.items()}

    answer = await call(
        "generate_portfolio_composition_chart",
        holdings=[{"symbol": s, "quantity": q} for s, q in holdings.items()],
        group_by="sector",
    )

    pie = answer["figure"]["data"][0]
    by_sector = dict(zip(pie["labels"], pie["values"], strict=True))
    assert by_sector == pytest.approx(
        {"Technology": values["INFY"] + values["TCS"], "Consumer Defensive": values["ITC"]}
    )
    assert answer["data"]["total_value"] == pytest.approx(sum(values.values()))
    weights = {row["symbol"]: row["weight"] for row in answer["data"]["holdings"]}
    assert weights == pytest.approx({s: v / sum(values.values()) for s, v in values.items()})


async def test_dividend_timeline_plots_the_payments_and_yearly_totals(call, demo):
    dividends = demo.corporate_actions(resolve("COALINDIA")).dividends
    window = dividends[dividends.index > pd.Timestamp("2024-12-03")]
    totals = window.groupby(window.index.year).sum()

    answer = await call("generate_dividend_timeline_chart", symbol="COALINDIA", years=2)

    payments, annual = answer["figure"]["data"]
    assert payments["x"] == ex.iso(window.index) and payments["y"] == window.to_list()
    assert annual["y"] == pytest.approx(totals.to_list())
    assert answer["data"]["payments"] == len(window)


async def test_risk_return_scatter_places_each_stock_and_the_nifty(call, demo):
    closes = {s: ex.bars(demo, s)["Close"] for s in ("INFY", "ITC")}
    closes["NIFTY 50"] = ex.nifty(demo)["Close"]

    answer = await call("generate_risk_return_scatter", symbols=["INFY", "ITC"])

    for label, close in closes.items():
        point = _trace(answer, label)
        assert point["x"] == [pytest.approx(ex.annual_volatility(close))], label
        assert point["y"] == [pytest.approx(ex.annual_return(close))], label
    assert set(answer["data"]["points"]) == set(closes)


async def test_validate_chart_data_counts_points_gaps_and_ranges(call):
    series = {
        "open": [10, 11, None],
        "high": [12, 9, 13],
        "low": [9, 10, 11],
        "close": [11, 10, 12],
    }

    answer = await call(
        "validate_chart_data",
        chart_type="candlestick",
        x=["2026-12-01", "2026-12-02", "2026-12-03"],
        series=series,
    )

    data = answer["data"]
    assert data["points"] == 3
    for name, values in series.items():
        known = [v for v in values if v is not None]
        assert data["series"][name] == {
            "count": 3,
            "missing": 3 - len(known),
            "min": min(known),
            "max": max(known),
        }
    # Day 2: high 9 is below open 11 and close 10; day 3 has no open to judge.
    assert data["problems"] == ["1 bars have high/low not bracketing open and close"]
    assert data["valid"] is False and answer["source"] == "input"
