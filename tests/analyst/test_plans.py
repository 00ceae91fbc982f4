"""From intent to tool calls."""

from __future__ import annotations

from domain.analyst import plan, recognise
from domain.analyst.plans import PORTFOLIO_CHART
from domain.llm.base import ToolSpec
from tests.analyst.conftest import specs_named

ALL_TOOLS = specs_named(
    "fetch_current_price_data",
    "fetch_company_fundamentals",
    "fetch_technical_indicators",
    "fetch_overall_news_sentiment",
    "fetch_news_articles",
    "fetch_comparative_performance",
    "fetch_dividend_history",
    "fetch_eps_analysis",
    "fetch_balance_sheet_data",
    "fetch_cash_flow_data",
    "fetch_historical_financials",
    "generate_price_volume_chart",
    "generate_candlestick_chart",
    "generate_technical_indicators_chart",
    "generate_risk_return_scatter",
    PORTFOLIO_CHART,
)


def planned(text: str, tools: list[ToolSpec] = ALL_TOOLS) -> list[tuple[str, dict]]:
    return [(call.name, call.arguments) for call in plan(recognise(text), tools)]


def test_an_analysis_fetches_price_fundamentals_technicals_sentiment_and_a_chart():
    assert planned("Analyse INFY") == [
        ("fetch_current_price_data", {"symbol": "INFY"}),
        ("fetch_company_fundamentals", {"symbol": "INFY"}),
        ("fetch_technical_indicators", {"symbol": "INFY", "period": "1y"}),
        ("fetch_overall_news_sentiment", {"symbol": "INFY"}),
        ("generate_price_volume_chart", {"symbol": "INFY", "period": "6mo"}),
    ]


def test_an_analysis_of_several_companies_draws_no_chart():
    from domain.analyst.intents import Intent

    infy, tcs = recognise("Analyse INFY").instruments[0], recognise("Analyse TCS").instruments[0]
    names = [call.name for call in plan(Intent("overview", (infy, tcs)), ALL_TOOLS)]

    assert names.count("fetch_current_price_data") == 2
    assert "generate_price_volume_chart" not in names


def test_calls_are_numbered_in_order():
    calls = plan(recognise("Analyse INFY"), ALL_TOOLS)

    assert [call.id for call in calls] == ["call_1", "call_2", "call_3", "call_4", "call_5"]


def test_a_comparison_fetches_performance_once_and_fundamentals_per_company():
    assert planned("compare INFY and TCS over 6 months") == [
        ("fetch_comparative_performance", {"symbols": ["INFY", "TCS"], "period": "6mo"}),
        ("fetch_company_fundamentals", {"symbol": "INFY"}),
        ("fetch_company_fundamentals", {"symbol": "TCS"}),
    ]


def test_technicals_use_the_stated_window():
    assert planned("RSI of TCS over 3 months") == [
        ("fetch_technical_indicators", {"symbol": "TCS", "period": "3mo"}),
    ]


def test_a_bse_listing_is_passed_with_its_yahoo_suffix():
    assert planned("RSI of INFY.BO") == [
        ("fetch_technical_indicators", {"symbol": "INFY.BO", "period": "1y"}),
    ]


def test_charts_pick_the_tool_the_wording_asks_for():
    assert planned("chart of INFY") == [
        ("generate_price_volume_chart", {"symbol": "INFY", "period": "6mo"}),
    ]
    assert planned("candlestick chart of TCS") == [
        ("generate_candlestick_chart", {"symbol": "TCS", "period": "3mo"}),
    ]
    assert planned("RSI chart of ITC") == [
        (
            "generate_technical_indicators_chart",
            {"symbol": "ITC", "period": "1y", "indicators_shown": ["rsi"]},
        ),
    ]
    assert planned("chart INFY and TCS") == [
        ("generate_risk_return_scatter", {"symbols": ["INFY", "TCS"], "period": "1y"}),
    ]


def test_fundamentals_add_the_statements_the_question_names():
    names = [name for name, _ in planned("balance sheet and cash flow of Reliance")]

    assert names == [
        "fetch_company_fundamentals",
        "fetch_balance_sheet_data",
        "fetch_cash_flow_data",
    ]


def test_only_offered_tools_are_called():
    offered = specs_named("fetch_current_price_data")

    assert planned("Analyse INFY", offered) == [("fetch_current_price_data", {"symbol": "INFY"})]
    assert planned("Analyse INFY", []) == []


def test_holdings_in_the_message_become_a_composition_chart():
    assert planned("chart my portfolio: 10 INFY, 5 TCS") == [
        (
            PORTFOLIO_CHART,
            {
                "holdings": [
                    {"symbol": "INFY", "quantity": 10.0},
                    {"symbol": "TCS", "quantity": 5.0},
                ],
                "group_by": "symbol",
            },
        ),
    ]


def test_a_portfolio_without_holdings_calls_nothing_unless_a_reader_exists():
    reader = ToolSpec("fetch_user_portfolio", "", {"type": "object", "properties": {}})

    assert planned("my portfolio") == []
    assert planned("my portfolio", [*ALL_TOOLS, reader]) == [("fetch_user_portfolio", {})]


def test_help_and_unknown_companies_call_no_tool():
    assert planned("hello") == []
    assert planned("Analyse Infosis") == []
