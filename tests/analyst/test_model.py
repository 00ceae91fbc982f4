"""The ChatModel contract: two steps, streamed text, usage, tool-free answers."""

from __future__ import annotations

import pytest

from domain.analyst import MODEL_NAME, OfflineAnalyst
from domain.chat.grounding import unverified_numbers
from domain.llm.base import TextDelta, ToolCallsReady
from tests.analyst.conftest import conversation, specs_named, step, with_results

pytestmark = pytest.mark.asyncio

PRICE_TOOLS = specs_named("fetch_current_price_data", "fetch_technical_indicators")
QUOTE = {
    "symbol": "TCS",
    "exchange": "NSE",
    "name": "Tata Consultancy Services Ltd",
    "source": "yfinance",
    "as_of": "2026-12-03T10:00:00+00:00",
    "data": {
        "price": 3012.5,
        "currency": "INR",
        "previous_close": 2990.0,
        "change": 22.5,
        "change_pct": 0.0075250836,
        "volume": 2345678.0,
    },
    "unavailable": {"day_high": "not reported by yfinance", "day_low": "not reported by yfinance"},
}


async def test_the_first_step_yields_tool_calls_then_finishes():
    result = await step(conversation("price of TCS"), PRICE_TOOLS)

    assert isinstance(result.events[0], ToolCallsReady)
    assert [(c.id, c.name, c.arguments) for c in result.calls] == [
        ("call_1", "fetch_current_price_data", {"symbol": "TCS"}),
    ]
    assert result.finished.model == MODEL_NAME
    assert result.text == ""


async def test_the_second_step_streams_an_answer_in_several_deltas():
    messages = conversation("price of TCS")
    first = await step(messages, PRICE_TOOLS)

    second = await step(with_results(messages, first.calls, [QUOTE]), PRICE_TOOLS)

    deltas = [e for e in second.events if isinstance(e, TextDelta)]
    assert len(deltas) > 5
    assert not second.calls
    assert "Tata Consultancy Services Ltd" in second.text
    assert "₹3,012.50" in second.text
    assert "+0.75%" in second.text
    assert "yfinance, 2026-12-03" in second.text
    assert "not investment advice" in second.text
    assert "Demo data" not in second.text
    assert unverified_numbers(second.text, [QUOTE]) == []


async def test_usage_estimates_four_characters_a_token():
    messages = conversation("price of TCS")
    first = await step(messages, PRICE_TOOLS)
    extended = with_results(messages, first.calls, [QUOTE])

    second = await step(extended, PRICE_TOOLS)

    usage = second.finished.usage
    assert usage.completion_tokens == len(second.text) // 4
    prompt_chars = sum(len(m.content or "") for m in extended)
    assert prompt_chars // 4 <= usage.prompt_tokens <= prompt_chars // 4 + 100


async def test_unavailable_figures_are_named_with_the_sources_reason():
    messages = conversation("price of TCS")
    first = await step(messages, PRICE_TOOLS)

    answer = (await step(with_results(messages, first.calls, [QUOTE]), PRICE_TOOLS)).text

    assert "Not available from the source" in answer
    assert "Day high (price for TCS): not reported by yfinance" in answer


async def test_a_failed_tool_is_reported_as_not_fetched():
    messages = conversation("Analyse TCS")
    tools = specs_named("fetch_current_price_data", "fetch_technical_indicators")
    first = await step(messages, tools)
    results = [QUOTE, {"error": "fetch_technical_indicators took longer than 30 s"}]

    answer = (await step(with_results(messages, first.calls, results), tools)).text

    assert "Could not be fetched" in answer
    assert "technical indicators for TCS" in answer
    assert "took longer than 30 s" in answer
    assert "₹3,012.50" in answer
    assert unverified_numbers(answer, results) == []


async def test_an_unknown_company_gets_suggestions_and_no_tool_call():
    result = await step(conversation("Analyse Infosis"), PRICE_TOOLS)

    assert not result.calls
    assert "couldn't find a listed company matching “Infosis”" in result.text
    assert "INFY (Infosys Ltd)" in result.text


async def test_an_empty_tool_list_gets_an_answer_without_tool_calls():
    result = await step(conversation("Analyse INFY"), [])

    assert not result.calls
    assert "can't fetch data for INFY" in result.text
    assert unverified_numbers(result.text, []) == []


async def test_a_greeting_gets_the_help_text_without_tools():
    result = await step(conversation("hi"), PRICE_TOOLS)

    assert not result.calls
    assert result.text.startswith("Namaste!")
    assert "Compare INFY and TCS" in result.text
    assert unverified_numbers(result.text, []) == []


async def test_asking_for_my_portfolio_explains_that_holdings_are_not_visible():
    result = await step(conversation("how is my portfolio doing?"), PRICE_TOOLS)

    assert not result.calls
    assert "can't see your holdings" in result.text


async def test_only_the_last_user_message_is_answered():
    result = await step(conversation("price of TCS", "Analyse INFY"), PRICE_TOOLS)

    assert [c.arguments for c in result.calls] == [{"symbol": "TCS"}]


async def test_the_model_is_named_for_message_metadata():
    assert OfflineAnalyst().name == "kubera-offline-analyst"
