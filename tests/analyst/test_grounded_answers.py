"""End to end through the real MCP servers on the demo market: every number in
the offline analyst's answer is traceable to a tool result."""

from __future__ import annotations

import pytest

from domain.chat.grounding import unverified_numbers

pytestmark = pytest.mark.asyncio

QUESTIONS = [
    ("Analyse INFY", "Infosys Ltd"),
    ("How is HDFC Bank doing today?", "HDFC Bank Ltd"),
    ("compare INFY and TCS", "Tata Consultancy Services Ltd"),
    ("RSI of ITC over 3 months", "ITC Ltd"),
    ("P/E, EPS, revenue, balance sheet and cash flow of Reliance", "Reliance Industries Ltd"),
    ("news and sentiment on Adani Ports", "Adani Ports and Special Economic Zone Ltd"),
    ("dividend history of ITC", "ITC Ltd"),
    ("candlestick chart of Wipro", "Wipro Ltd"),
    ("RSI chart of TCS", "Tata Consultancy Services Ltd"),
    ("chart INFY against the nifty", "Infosys Ltd"),
    ("chart my portfolio: 10 INFY, 5 TCS and 20 ITC", "Infosys Ltd"),
]


@pytest.mark.parametrize(("question", "company"), QUESTIONS)
async def test_every_number_in_the_answer_comes_from_a_tool_result(ask, question, company):
    turn = await ask(question)

    assert turn.first.calls, "the first step should plan tool calls"
    assert all("error" not in result for result in turn.results)
    assert company in turn.answer
    assert "Demo data" in turn.answer
    assert "not investment advice" in turn.answer
    assert unverified_numbers(turn.answer, turn.results) == []


async def test_a_chart_answer_links_the_stored_chart(ask):
    turn = await ask("chart of INFY")

    chart_url = turn.results[0]["chart_url"]
    assert f"]({chart_url})" in turn.answer


async def test_indicators_a_short_window_cannot_fill_are_reported_with_the_reason(ask):
    turn = await ask("technical analysis of INFY over 3 months")

    assert "SMA200 (technical indicators for INFY): too few bars" in turn.answer


async def test_a_ticker_the_demo_market_lacks_is_reported_as_not_fetched(ask):
    turn = await ask("price of IRCTC.NS")

    assert "Could not be fetched" in turn.answer
    assert "Unknown symbol or company 'IRCTC'" in turn.answer
    assert unverified_numbers(turn.answer, turn.results) == []
