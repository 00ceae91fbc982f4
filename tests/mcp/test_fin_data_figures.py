"""fin_data's seven tools through the MCP client, against figures computed here."""

import dataclasses
import itertools

import pandas as pd
import pytest

from domain.market import resolve
from tests.mcp import expected as ex

pytestmark = pytest.mark.asyncio


async def test_fundamentals_are_consistent_with_the_last_close(call, demo):
    tcs = resolve("TCS")

    answer = await call("fetch_company_fundamentals", symbol="tcs.ns")

    data, close = answer["data"], ex.bars(demo, "TCS", "max")
    price = close["Close"].iloc[-1]
    year = close.tail(252)
    assert (answer["source"], answer["as_of"]) == ("demo", ex.AS_OF)
    assert data["price"] == price
    assert data["market_cap"] == pytest.approx(price * tcs.shares, rel=1e-12)
    assert data["pe_trailing"] == pytest.approx(price / data["eps_trailing"], rel=1e-12)
    assert data["pe_forward"] == pytest.approx(price / data["eps_forward"], rel=1e-12)
    assert data["price_to_book"] == pytest.approx(price / data["book_value_per_share"])
    assert data["dividend_yield"] == pytest.approx(data["dividend_rate"] / price)
    assert data["roe"] == pytest.approx(data["eps_trailing"] / data["book_value_per_share"])
    assert (data["week52_high"], data["week52_low"]) == (year["High"].max(), year["Low"].min())
    assert answer["unavailable"] == {}


async def test_historical_financials_give_growth_and_margins_per_period(call, demo):
    income = demo.financials(resolve("TCS"), "quarterly").income

    answer = await call("fetch_historical_financials", symbol="TCS", frequency="quarterly")

    data = answer["data"]
    revenue = income.loc["Total Revenue"].to_list()
    net = income.loc["Net Income"].to_list()
    assert data["periods"] == ex.iso(income.columns)
    assert data["revenue"] == revenue and data["net_income"] == net
    assert data["revenue_growth"][:3] == pytest.approx(
        [revenue[i] / revenue[i + 1] - 1 for i in range(3)]
    )
    assert data["revenue_growth"][3] is None
    assert data["net_margin"] == pytest.approx([n / r for n, r in zip(net, revenue, strict=True)])
    gross = income.loc["Gross Profit"].to_list()
    assert data["gross_margin"] == pytest.approx(
        [g / r for g, r in zip(gross, revenue, strict=True)]
    )


async def test_balance_sheet_derives_leverage_and_lists_missing_lines(call, demo):
    sheet = demo.financials(resolve("SBIN")).balance_sheet

    answer = await call("fetch_balance_sheet_data", symbol="State Bank of India")

    debt, equity = sheet.loc["Total Debt"], sheet.loc["Stockholders Equity"]
    cash = sheet.loc["Cash And Cash Equivalents"]
    assert answer["data"]["debt_to_equity"] == pytest.approx((debt / equity).to_list())
    assert answer["data"]["net_debt"] == pytest.approx((debt - cash).to_list())
    assert answer["data"]["total_assets"] == sheet.loc["Total Assets"].to_list()
    assert "current_ratio" not in answer["data"]
    assert "Current Assets" in answer["unavailable"]["current_assets"]


async def test_cash_flow_conversion_is_against_the_same_periods_net_income(call, demo):
    statements = demo.financials(resolve("ITC"))
    ocf = statements.cash_flow.loc["Operating Cash Flow"]
    fcf = statements.cash_flow.loc["Free Cash Flow"]
    net = statements.income.loc["Net Income"]

    answer = await call("fetch_cash_flow_data", symbol="ITC")

    assert answer["data"]["ocf_to_net_income"] == pytest.approx((ocf / net).to_list())
    assert answer["data"]["fcf_to_net_income"] == pytest.approx((fcf / net).to_list())
    assert answer["data"]["free_cash_flow"] == fcf.to_list()


async def test_dividend_history_sums_by_year_and_over_the_last_twelve_months(call, demo):
    itc = resolve("ITC")
    dividends = demo.corporate_actions(itc).dividends
    statements = demo.financials(itc)
    end = ex.bars(demo, "ITC").index[-1]
    window = dividends[dividends.index > end - pd.DateOffset(years=3)]
    trailing = dividends[dividends.index > end - pd.Timedelta(days=365)].sum()
    paid = -statements.cash_flow.loc["Cash Dividends Paid"].iloc[0]

    answer = await call("fetch_dividend_history", symbol="ITC", years=3)

    data = answer["data"]
    assert [p["amount_per_share"] for p in data["payments"]] == window.to_list()
    assert [p["ex_date"] for p in data["payments"]] == ex.iso(window.index)
    assert data["annual_totals"] == {
        str(year): pytest.approx(total)
        for year, total in window.groupby(window.index.year).sum().items()
    }
    assert data["trailing_12m_dividend"] == pytest.approx(trailing)
    assert data["trailing_yield"] == pytest.approx(trailing / demo.quote(itc).price)
    assert data["payout_ratio"] == pytest.approx(paid / statements.income.loc["Net Income"].iloc[0])
    fcf = statements.cash_flow.loc["Free Cash Flow"].iloc[0]
    assert data["fcf_cover"] == pytest.approx(fcf / paid)


async def test_no_dividends_in_the_window_leaves_the_yield_unavailable_not_zero(
    call, demo, monkeypatch
):
    real = demo.corporate_actions

    def none_paid(instrument):
        actions = real(instrument)
        return dataclasses.replace(actions, dividends=actions.dividends.iloc[:0])

    monkeypatch.setattr(demo, "corporate_actions", none_paid)

    answer = await call("fetch_dividend_history", symbol="ITC")

    assert "trailing_yield" not in answer["data"]
    assert "no cash dividends" in answer["unavailable"]["trailing_yield"]
    assert "no cash dividends" in answer["unavailable"]["trailing_12m_dividend"]


async def test_eps_analysis_gives_growth_cagr_and_forward_growth(call, demo):
    reliance = resolve("RELIANCE")
    income = demo.financials(reliance).income
    eps = income.loc["Diluted EPS"].to_list()
    years = (income.columns[0] - income.columns[-1]).days / 365.25
    facts = demo.fundamentals(reliance)

    answer = await call("fetch_eps_analysis", symbol="Reliance Industries")

    data = answer["data"]
    assert data["eps"] == eps
    assert data["eps_cagr"] == pytest.approx((eps[0] / eps[-1]) ** (1 / years) - 1)
    assert data["forward_growth"] == pytest.approx(facts.eps_forward / facts.eps_trailing - 1)
    steps = [later - earlier for earlier, later in itertools.pairwise(list(reversed(eps)))]
    trend = "rising" if min(steps) > 0 else "falling" if max(steps) < 0 else "mixed"
    assert data["trend"] == trend


async def test_validate_stock_symbol_gives_the_listing_and_its_last_price(call, demo):
    answer = await call("validate_stock_symbol", symbol="Tata Consultancy Services")

    assert answer["data"]["valid"] is True
    assert (answer["symbol"], answer["exchange"]) == ("TCS", "NSE")
    assert answer["data"]["yahoo_symbol"] == "TCS.NS"
    assert answer["data"]["last_price"] == ex.bars(demo, "TCS")["Close"].iloc[-1]
    assert answer["data"]["sector"] == "Technology"
