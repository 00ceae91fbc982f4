"""What the tools answer, on the demo market."""

import dataclasses
from datetime import datetime

import pytest

from domain.market import indicators, resolve
from mcp_servers._results import DEMO_NOTICE

pytestmark = pytest.mark.asyncio

REPRESENTATIVES = [
    ("fetch_company_fundamentals", {}),
    ("fetch_technical_indicators", {"period": "1y"}),
    ("fetch_governance_score", {}),
    ("fetch_overall_news_sentiment", {}),
    ("generate_price_volume_chart", {"period": "3mo"}),
]


@pytest.mark.parametrize(("tool", "extra"), REPRESENTATIVES)
async def test_a_tool_of_each_server_labels_demo_data_as_synthetic(call, tool, extra):
    answer = await call(tool, symbol="INFY", **extra)

    assert answer["source"] == "demo"
    assert answer["notice"] == DEMO_NOTICE
    assert datetime.fromisoformat(answer["as_of"]).tzinfo is not None
    assert answer["data"]
    assert isinstance(answer["unavailable"], dict)
    assert (answer["symbol"], answer["exchange"], answer["name"]) == ("INFY", "NSE", "Infosys Ltd")


async def test_pe_in_fundamentals_is_price_over_eps_from_the_same_source(call, demo):
    data = (await call("fetch_company_fundamentals", symbol="Infosys"))["data"]

    assert data["pe_trailing"] == pytest.approx(data["price"] / data["eps_trailing"], rel=1e-12)
    assert data["price"] == demo.quote(resolve("INFY")).price


async def test_technical_indicators_are_the_market_layers_ta_lib_values(call, demo):
    answer = await call("fetch_technical_indicators", symbol="INFY", period="1y")

    expected = indicators.technicals(demo.history(resolve("INFY"), "1y"))
    for key, value in dataclasses.asdict(expected).items():
        if key == "date":
            assert answer["data"]["date"] == value.isoformat()
        else:
            assert answer["data"][key] == value, key
    assert "TA-Lib" in answer["method"]


async def test_indicators_a_short_window_cannot_fill_are_unavailable_not_zero(call):
    answer = await call("fetch_technical_indicators", symbol="INFY", period="3mo")

    assert "sma_200" not in answer["data"]
    assert "longer period" in answer["unavailable"]["sma_200"]
    assert answer["data"]["sma_20"] > 0


async def test_dividend_sustainability_comes_from_the_statements(call, demo):
    answer = await call("fetch_dividend_history", symbol="INFY")

    statements = demo.financials(resolve("INFY"))
    paid = -statements.cash_flow.loc["Cash Dividends Paid"].iloc[0]
    income = statements.income.loc["Net Income"].iloc[0]
    assert answer["data"]["payout_ratio"] == pytest.approx(paid / income)
    assert answer["data"]["sustainability"] in {"sustainable", "watch", "stretched"}
    assert "Cash Dividends Paid" in answer["method"]


async def test_eps_analysis_reads_eps_from_the_income_statement(call, demo):
    answer = await call("fetch_eps_analysis", symbol="INFY")

    eps = demo.financials(resolve("INFY")).income.loc["Diluted EPS"].to_list()
    assert answer["data"]["eps"] == eps
    assert answer["data"]["eps_growth"][0] == pytest.approx(eps[0] / eps[1] - 1)
    assert answer["data"]["eps_growth"][-1] is None


@pytest.mark.parametrize(
    ("tool", "missing"),
    [
        ("fetch_promoter_holding_data", {"promoter_pledged_pct", "pledged_shares"}),
        ("fetch_board_composition", {"board_size", "independent_directors", "independence_pct"}),
        ("fetch_related_party_transactions", {"related_party_transactions", "rpt_value"}),
        ("fetch_audit_quality", {"auditor", "audit_opinion", "audit_fees"}),
        ("fetch_regulatory_compliance", {"sebi_orders", "exchange_penalties"}),
    ],
)
async def test_governance_figures_no_source_publishes_are_unavailable_with_a_reason(
    call, tool, missing
):
    answer = await call(tool, symbol="INFY")

    assert missing <= set(answer["unavailable"])
    assert not missing & set(answer["data"])
    for key in missing:
        assert "no NSE/BSE filings source" in answer["unavailable"][key]


async def test_governance_score_is_derived_from_the_risk_deciles(call, demo):
    answer = await call("fetch_governance_score", symbol="INFY")

    overall = demo.governance(resolve("INFY")).overall_risk
    assert answer["data"]["deciles"]["overall_risk"] == overall
    assert answer["data"]["score"] == pytest.approx(100 * (10 - overall) / 9, abs=0.05)
    assert "decile" in answer["method"]


async def test_social_sentiment_is_unavailable_rather_than_made_up(call):
    answer = await call("fetch_social_sentiment", symbol="TCS")

    assert answer["data"] == {}
    assert "social_sentiment" in answer["unavailable"]


async def test_sentiment_score_is_positive_for_good_news_and_negative_for_bad(call):
    good = await call(
        "calculate_sentiment_score", text="Infosys beats estimates and raises guidance"
    )
    bad = await call("calculate_sentiment_score", text="Regulator opens fraud probe; shares plunge")

    assert good["data"]["compound"] > 0.05 and good["data"]["label"] == "positive"
    assert bad["data"]["compound"] < -0.05 and bad["data"]["label"] == "negative"
    assert "notice" not in good  # text scoring is not market data


async def test_competitor_sentiment_compares_same_sector_peers(call):
    answer = await call("fetch_competitor_sentiment", symbol="INFY", max_peers=3)

    companies = answer["data"]["companies"]
    assert "INFY" in companies and len(companies) == 4
    assert answer["data"]["sector"] == "Technology"
    assert set(answer["data"]["ranking"]) == set(companies)


async def test_news_impact_measures_the_close_across_each_headline(call, demo):
    answer = await call("fetch_news_impact_analysis", symbol="INFY")

    close = demo.history(resolve("INFY"), "6mo").frame["Close"]
    measured = [row for row in answer["data"]["headlines"] if "move" in row]
    assert measured
    for row in measured:
        before, after = close[row["session_before"]], close[row["session_after"]]
        assert row["move"] == pytest.approx(after / before - 1)
        assert row["abnormal_move"] == pytest.approx(row["move"] - row["nifty_move"])


async def test_comparative_performance_ranks_stocks_against_the_nifty(call):
    answer = await call(
        "fetch_comparative_performance", symbols=["INFY", "Tata Consultancy", "WIPRO"]
    )

    stocks = answer["data"]["stocks"]
    assert answer["symbols"] == ["INFY", "TCS", "WIPRO"]
    assert answer["data"]["benchmark"]["name"] == "NIFTY 50"
    returns = [stocks[s]["total_return"] for s in answer["data"]["ranking"]]
    assert returns == sorted(returns, reverse=True)


async def test_institutional_data_says_fii_and_dii_split_is_unavailable(call):
    answer = await call("fetch_institutional_holding_data", symbol="HDFCBANK")

    assert 0 < answer["data"]["institutions_pct"] < 1
    assert {"fii_pct", "dii_pct"} <= set(answer["unavailable"])


async def test_a_stale_cached_input_is_flagged_in_the_answer(call, demo, monkeypatch):
    fresh = demo.quote

    def stale_quote(instrument):
        return dataclasses.replace(fresh(instrument), stale=True)

    monkeypatch.setattr(demo, "quote", stale_quote)

    answer = await call("fetch_current_price_data", symbol="INFY")

    assert answer["stale"] is True
    assert "cached" in answer["stale_notice"]
