"""How the MCP edge reports mistakes, outages and bugs."""

import pytest
from fastmcp.exceptions import ToolError

from domain.market import RateLimitedUpstream, SourceTimeout, SourceUnavailable

pytestmark = pytest.mark.asyncio


async def test_unknown_symbol_names_the_closest_match(call):
    with pytest.raises(ToolError) as caught:
        await call("fetch_company_fundamentals", symbol="INFYY")

    assert "INFYY" in str(caught.value)
    assert "INFY (Infosys Ltd)" in str(caught.value)


async def test_symbol_outside_the_demo_market_says_what_the_demo_covers(call):
    with pytest.raises(ToolError, match="NIFTY 50"):
        await call("fetch_current_price_data", symbol="AAPL")


async def test_unknown_symbol_among_several_fails_the_call_with_suggestions(call):
    with pytest.raises(ToolError, match="RELIANCE"):
        await call("fetch_comparative_performance", symbols=["INFY", "RELIANCEE"])


async def test_bad_period_is_refused_with_the_allowed_values(call):
    with pytest.raises(ToolError) as caught:
        await call("fetch_technical_indicators", symbol="INFY", period="7y")

    assert "'1y'" in str(caught.value) and "'max'" in str(caught.value)


async def test_blank_text_is_refused(call):
    with pytest.raises(ToolError, match="empty"):
        await call("calculate_sentiment_score", text="   ")


async def test_validate_stock_symbol_answers_invalid_with_suggestions(call):
    answer = await call("validate_stock_symbol", symbol="Infosis")

    assert answer["data"]["valid"] is False
    assert "INFY (Infosys Ltd)" in answer["data"]["suggestions"]


async def test_validate_stock_symbol_gives_the_canonical_listing(call):
    answer = await call("validate_stock_symbol", symbol="infosys ltd")

    assert answer["data"]["valid"] is True
    assert (answer["symbol"], answer["data"]["yahoo_symbol"]) == ("INFY", "INFY.NS")


@pytest.mark.parametrize(
    ("error", "hint"),
    [
        (
            SourceUnavailable(
                "Yahoo Finance returned no company data for INFY.NS", source="yfinance"
            ),
            "unavailable",
        ),
        (
            SourceTimeout("Yahoo Finance did not answer", source="yfinance", deadline_s=10),
            "retry later",
        ),
        (
            RateLimitedUpstream("Yahoo Finance is rate limiting requests", source="yfinance"),
            "Wait a minute",
        ),
    ],
)
async def test_source_outages_become_tool_errors_the_model_can_act_on(
    call, demo, monkeypatch, error, hint
):
    def fail(instrument):
        raise error

    monkeypatch.setattr(demo, "fundamentals", fail)

    with pytest.raises(ToolError) as caught:
        await call("fetch_company_fundamentals", symbol="INFY")

    assert error.message in str(caught.value)
    assert hint in str(caught.value)


async def test_a_secondary_outage_leaves_the_figure_unavailable_not_the_answer(
    call, demo, monkeypatch
):
    def no_index(*args, **kwargs):
        raise SourceUnavailable(
            "Yahoo Finance returned no price history for ^NSEI", source="yfinance"
        )

    monkeypatch.setattr(demo, "index_history", no_index)

    answer = await call("fetch_volatility_metrics", symbol="INFY")

    assert "beta" not in answer["data"]
    assert "^NSEI" in answer["unavailable"]["beta"]
    assert answer["data"]["annual_volatility"] > 0


async def test_unexpected_errors_are_masked(call, demo, monkeypatch):
    def broken(instrument):
        raise RuntimeError("password=hunter2 at db-internal:5432")

    monkeypatch.setattr(demo, "governance", broken)

    with pytest.raises(ToolError) as caught:
        await call("fetch_governance_score", symbol="INFY")

    assert "hunter2" not in str(caught.value)
    assert "fetch_governance_score" in str(caught.value)
