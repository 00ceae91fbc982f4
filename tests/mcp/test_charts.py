"""Visualization tools: stored figures with real traces, and data checks."""

import pytest

from domain.market import resolve
from domain.market.indicators import to_list
from mcp_servers._results import DEMO_NOTICE

pytestmark = pytest.mark.asyncio


async def test_chart_is_stored_and_its_figure_has_the_price_data(call, charts, demo):
    answer = await call("generate_candlestick_chart", symbol="TCS", period="1mo")

    stored = charts.get(answer["chart_id"])
    assert stored is not None
    assert stored.figure == answer["figure"]
    assert (stored.kind, stored.symbols, stored.source) == ("candlestick", ["TCS"], "demo")
    candles = answer["figure"]["data"][0]
    assert candles["type"] == "candlestick"
    assert candles["close"] == to_list(demo.history(resolve("TCS"), "1mo").frame["Close"])


async def test_chart_url_points_at_the_web_process(call, monkeypatch):
    monkeypatch.setenv("APP_BASE_URL", "https://kubera.example/")

    answer = await call("generate_price_volume_chart", symbol="INFY")

    assert answer["chart_url"] == f"https://kubera.example/charts/{answer['chart_id']}"


async def test_demo_charts_carry_a_visible_notice(call):
    answer = await call("generate_dividend_timeline_chart", symbol="ITC")

    subtitle = answer["figure"]["layout"]["title"]["subtitle"]["text"]
    assert DEMO_NOTICE in subtitle
    assert answer["notice"] == DEMO_NOTICE


async def test_technical_chart_draws_the_chosen_indicators(call):
    answer = await call(
        "generate_technical_indicators_chart",
        symbol="INFY",
        period="6mo",
        indicators_shown=["sma", "rsi"],
    )

    names = {trace["name"] for trace in answer["figure"]["data"]}
    assert {"Close", "SMA 20", "SMA 200", "RSI 14"} <= names
    assert "MACD" not in names
    sma_200 = next(t for t in answer["figure"]["data"] if t["name"] == "SMA 200")
    assert None not in sma_200["y"]  # warmed up on earlier history


async def test_portfolio_chart_values_positions_at_current_prices(call, demo):
    holdings = [
        {"symbol": "INFY", "quantity": 10},
        {"symbol": "Infosys", "quantity": 5},
        {"symbol": "ITC", "quantity": 100},
    ]

    answer = await call("generate_portfolio_composition_chart", holdings=holdings)

    rows = {row["symbol"]: row for row in answer["data"]["holdings"]}
    assert rows["INFY"]["quantity"] == 15
    assert rows["INFY"]["value"] == pytest.approx(15 * demo.quote(resolve("INFY")).price)
    assert sum(row["weight"] for row in rows.values()) == pytest.approx(1)
    assert answer["figure"]["data"][0]["type"] == "pie"


async def test_valuation_heatmap_has_a_row_per_company(call):
    answer = await call(
        "generate_valuation_heatmap",
        symbols=["INFY", "TCS", "WIPRO"],
        metrics=["pe_trailing", "roe"],
    )

    heatmap = answer["figure"]["data"][0]
    assert heatmap["y"] == ["INFY", "TCS", "WIPRO"]
    assert len(heatmap["z"]) == 3 and all(len(row) == 2 for row in heatmap["z"])


async def test_validate_chart_data_lists_length_and_type_problems(call):
    answer = await call(
        "validate_chart_data",
        chart_type="line",
        x=["2026-01-01", "2026-01-02", "2026-01-03"],
        series={"close": [1.0, "abc", 3.0], "volume": [10, 20]},
    )

    problems = " | ".join(answer["data"]["problems"])
    assert answer["data"]["valid"] is False
    assert "'close' has 1 non-numeric" in problems
    assert "'volume' has 2 values but x has 3" in problems


async def test_validate_chart_data_accepts_a_clean_candlestick(call):
    answer = await call(
        "validate_chart_data",
        chart_type="candlestick",
        x=["2026-01-01", "2026-01-02"],
        series={"open": [10, 11], "high": [12, 12], "low": [9, 10], "close": [11, 10.5]},
    )

    assert answer["data"]["valid"] is True
    assert answer["data"]["problems"] == []


async def test_a_chart_kept_in_this_processs_memory_says_its_url_is_not_served(call):
    answer = await call("generate_candlestick_chart", symbol="INFY")

    assert "DATABASE_URL" in answer["chart_notice"]
    assert answer["figure"]["data"]
