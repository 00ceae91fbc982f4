"""Tools on the yfinance source, fed yfinance-shaped fakes: what Yahoo lacks is
listed as unavailable with its reason, and outages become actionable errors."""

import threading

import pytest
import yfinance
from fastmcp.exceptions import ToolError

from domain.market import YahooSource
from mcp_servers.context import set_market
from tests.market import yahoo_fakes as fakes

pytestmark = pytest.mark.asyncio


@pytest.fixture
def ticker(monkeypatch, demo):
    """Install a YahooSource; `ticker(FakeClass)` picks what yfinance answers."""
    set_market(YahooSource(deadline_s=5))

    def use(fake):
        monkeypatch.setattr(yfinance, "Ticker", fake)

    use(fakes.FakeTicker)
    return use


async def test_figures_yahoo_has_come_through_named_as_yfinance(call, ticker):
    answer = await call("fetch_company_fundamentals", symbol="INFY")

    assert answer["source"] == "yfinance" and "notice" not in answer
    assert answer["data"]["pe_trailing"] == 23.1
    assert answer["data"]["debt_to_equity"] == pytest.approx(0.094)
    assert answer["unavailable"] == {"earnings_growth": "not reported by yfinance"}


async def test_keys_yahoo_leaves_out_are_unavailable_not_guessed(call, ticker):
    ticker(fakes.GappyTicker)

    facts = await call("fetch_company_fundamentals", symbol="INFY")
    score = await call("fetch_governance_score", symbol="INFY")
    board = await call("fetch_board_composition", symbol="INFY")

    for key in ("pe_trailing", "pe_forward", "price_to_book", "beta", "book_value_per_share"):
        assert facts["unavailable"][key] == "not reported by yfinance"
        assert key not in facts["data"]
    assert score["unavailable"]["score"] == "yfinance reports no governance risk deciles"
    assert board["unavailable"]["key_officers"] == "not reported by yfinance"
    assert board["unavailable"]["board_risk"] == "not reported by yfinance"


async def test_no_insider_trades_from_yahoo_leaves_promoter_trades_unavailable(call, ticker):
    ticker(fakes.EmptyInsidersTicker)

    answer = await call("fetch_promoter_holding_data", symbol="INFY")

    assert answer["data"]["promoter_and_insider_pct"] == 0.1433
    assert answer["unavailable"]["promoter_group_trades"] == (
        "Yahoo Finance returned no insider transactions for INFY.NS"
    )
    with pytest.raises(ToolError, match="returned no insider transactions"):
        await call("fetch_insider_transactions", symbol="INFY")


async def test_a_stalled_yahoo_call_is_an_error_at_the_deadline(call, ticker, monkeypatch):
    monkeypatch.setattr(fakes, "RELEASE", threading.Event())
    ticker(fakes.BlockingTicker)
    set_market(YahooSource(deadline_s=0.2))

    try:
        with pytest.raises(ToolError) as caught:
            await call("fetch_current_price_data", symbol="INFY")
    finally:
        fakes.RELEASE.set()

    assert "did not answer quote for INFY.NS within 0.2 s" in str(caught.value)
    assert "retry later" in str(caught.value)


async def test_an_unknown_ticker_is_an_unknown_symbol_with_the_closest_matches(call, ticker):
    ticker(fakes.EmptyTicker)

    with pytest.raises(ToolError, match=r"Closest matches: INFY \(Infosys Ltd\)"):
        await call("fetch_company_fundamentals", symbol="INFYY")
    with pytest.raises(ToolError, match="Unknown symbol or company 'NOSUCHCO'"):
        await call("fetch_current_price_data", symbol="NOSUCHCO")
    answer = await call("validate_stock_symbol", symbol="Infosis")

    assert answer["data"]["valid"] is False
    assert answer["data"]["suggestions"] == ["INFY (Infosys Ltd)"]


async def test_a_listed_ticker_outside_the_nifty_validates(call, ticker):
    answer = await call("validate_stock_symbol", symbol="IRCTC.BO")

    assert answer["data"]["valid"] is True
    assert (answer["symbol"], answer["exchange"]) == ("IRCTC", "BSE")
    assert answer["unavailable"]["sector"] == "known only for NIFTY 50 members"


async def test_a_bar_without_volume_makes_obv_unavailable_for_that_reason(call, ticker):
    ticker(fakes.GappyTicker)

    technical = await call("fetch_technical_indicators", symbol="INFY", period="1mo")
    volume = await call("fetch_volume_analysis", symbol="INFY", period="1mo")

    for answer in (technical, volume):
        assert "obv" not in answer["data"]
        assert "no volume for 1 bar(s)" in answer["unavailable"]["obv"]
    assert technical["data"]["sma_20"] > 0  # closes are complete, so averages stand
