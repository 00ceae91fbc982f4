from datetime import UTC, date

import pandas as pd
import pytest

from domain.errors import InvalidInput
from domain.market import indicators
from domain.market._demo_company import Profile
from domain.market.demo import DemoSource
from domain.market.errors import UnknownSymbol
from domain.market.instruments import nifty50, resolve
from domain.market.models import OHLCV
from domain.market.sentiment import score_text

END = date(2026, 12, 3)  # a Thursday


@pytest.fixture(scope="module")
def demo():
    return DemoSource(end=END)


@pytest.fixture(scope="module")
def infy():
    return resolve("INFY")


def test_same_inputs_give_same_outputs(infy):
    first, second = DemoSource(end=END), DemoSource(end=END)

    pd.testing.assert_frame_equal(first.history(infy, "5y").frame, second.history(infy, "5y").frame)
    assert first.fundamentals(infy) == second.fundamentals(infy)
    assert first.news(infy) == second.news(infy)
    assert first.governance(infy) == second.governance(infy)
    pd.testing.assert_frame_equal(first.financials(infy).income, second.financials(infy).income)


def test_symbols_get_different_paths(demo, infy):
    tcs = resolve("TCS")

    assert not demo.history(infy).frame["Close"].equals(demo.history(tcs).frame["Close"])


def test_every_result_is_labelled_demo_with_aware_utc_as_of(demo, infy):
    results = [
        demo.quote(infy),
        demo.history(infy),
        demo.index_history(),
        demo.fundamentals(infy),
        demo.financials(infy),
        demo.financials(infy, "quarterly"),
        demo.corporate_actions(infy),
        demo.holders(infy),
        demo.insider_transactions(infy),
        demo.analyst_view(infy),
        demo.news(infy),
        demo.governance(infy),
    ]

    for result in results:
        assert result.source == "demo"
        assert result.as_of.tzinfo is UTC
        assert result.as_of.date() == END


def test_history_has_business_days_only_ending_on_the_end_date(demo, infy):
    frame = demo.history(infy, "1y").frame

    assert list(frame.columns) == OHLCV
    assert frame.index.name == "Date"
    assert frame.index.tz is None
    assert frame.index.is_monotonic_increasing
    assert frame.index[-1] == pd.Timestamp(END)
    assert (frame.index.day_of_week < 5).all()
    assert (
        (frame["High"] >= frame[["Open", "Close"]].max(axis=1))
        & (frame["Low"] <= frame[["Open", "Close"]].min(axis=1))
    ).all()


def test_weekend_end_date_stops_at_friday(infy):
    saturday = DemoSource(end=date(2026, 12, 5))

    assert saturday.history(infy).frame.index[-1] == pd.Timestamp(2026, 12, 4)
    assert saturday.quote(infy).as_of.date() == date(2026, 12, 4)


def test_longer_periods_cover_more_sessions(demo, infy):
    lengths = [len(demo.history(infy, period).frame) for period in ("1mo", "1y", "5y", "max")]

    assert lengths == sorted(lengths) and len(set(lengths)) == 4


def test_unknown_period_is_invalid_input(demo, infy):
    with pytest.raises(InvalidInput):
        demo.history(infy, "7y")


def test_quote_is_the_last_bar(demo, infy):
    quote, frame = demo.quote(infy), demo.history(infy).frame

    assert quote.price == frame["Close"].iloc[-1]
    assert quote.previous_close == frame["Close"].iloc[-2]
    assert quote.change_pct == pytest.approx(quote.price / quote.previous_close - 1)


@pytest.mark.parametrize("inst", nifty50()[::5], ids=lambda inst: inst.symbol)
def test_fundamentals_agree_with_price_and_each_other(demo, inst):
    f = demo.fundamentals(inst)

    assert f.price == demo.quote(inst).price
    assert f.market_cap == pytest.approx(f.price * inst.shares)
    assert f.pe_trailing == pytest.approx(f.price / f.eps_trailing)
    assert f.price_to_book == pytest.approx(f.price / f.book_value_per_share)
    assert f.dividend_yield == pytest.approx(f.dividend_rate / f.price)
    assert f.roe == pytest.approx(f.eps_trailing / f.book_value_per_share)
    assert f.net_income == pytest.approx(f.eps_trailing * inst.shares)
    assert f.week52_low <= f.price <= f.week52_high
    assert f.gross_margin > f.operating_margin > f.profit_margin > 0


@pytest.mark.parametrize("inst", nifty50()[::7], ids=lambda inst: inst.symbol)
def test_statements_agree_with_fundamentals(demo, inst):
    f, statements = demo.fundamentals(inst), demo.financials(inst)
    latest = statements.income.columns[0]
    income, balance = statements.income[latest], statements.balance_sheet[latest]

    assert len(statements.income.columns) == 4
    assert all(day.month == 3 and day.day == 31 for day in statements.income.columns)
    assert statements.income.columns.is_monotonic_decreasing
    assert income["Net Income"] == pytest.approx(f.eps_trailing * inst.shares)
    assert income["Diluted EPS"] == pytest.approx(f.eps_trailing, abs=0.01)
    assert income["Total Revenue"] == pytest.approx(f.revenue)
    assert balance["Stockholders Equity"] == pytest.approx(f.book_value_per_share * inst.shares)
    assert balance["Total Assets"] == pytest.approx(
        balance["Total Liabilities Net Minority Interest"] + balance["Stockholders Equity"]
    )
    assert (statements.income.loc["Net Income"] / inst.shares).round(2).tolist() == pytest.approx(
        statements.income.loc["Diluted EPS"].tolist(), abs=0.01
    )


def test_quarterly_statements_end_on_quarter_ends(demo, infy):
    quarters = demo.financials(infy, "quarterly").income.columns

    assert len(quarters) == 4
    assert all(day.is_quarter_end for day in quarters)


def test_dividends_are_quarterly_and_sum_to_the_annual_rate(demo, infy):
    dividends = demo.corporate_actions(infy).dividends
    gaps = dividends.index.to_series().diff().dropna().dt.days

    assert gaps.between(85, 95).all()
    assert dividends.tail(4).sum() == pytest.approx(demo.fundamentals(infy).dividend_rate, abs=0.02)


def test_measured_beta_is_near_the_generating_beta(demo, infy):
    metrics = indicators.volatility(demo.history(infy, "2y"), demo.index_history(period="2y"))

    assert metrics.beta == pytest.approx(Profile.of("INFY").beta, abs=0.25)


def test_headlines_vary_in_tone_across_the_index(demo):
    labels = set()
    for inst in nifty50():
        items = demo.news(inst).items
        assert 4 <= len(items) <= 6
        assert len({item.title for item in items}) == len(items)
        assert all(item.link.startswith("https://example.com/") for item in items)
        labels |= {score_text(item.title).label for item in items}

    assert labels == {"positive", "negative", "neutral"}


def test_holders_analysts_and_governance_are_within_their_ranges(demo, infy):
    holders, view, gov = demo.holders(infy), demo.analyst_view(infy), demo.governance(infy)
    counts = view.recommendations[["strongBuy", "buy", "hold", "sell", "strongSell"]]

    assert holders.insiders_pct + holders.institutions_pct <= 1
    assert holders.institutions_float_pct == pytest.approx(
        holders.institutions_pct / (1 - holders.insiders_pct)
    )
    assert (counts.sum(axis=1) == view.analyst_count).all()
    assert view.targets.low < view.targets.mean < view.targets.high
    assert all(
        1 <= score <= 10
        for score in (
            gov.audit_risk,
            gov.board_risk,
            gov.compensation_risk,
            gov.shareholder_rights_risk,
            gov.overall_risk,
        )
    )
    assert all(officer.name.startswith("Demo ") for officer in gov.officers)


def test_insider_trades_are_valued_at_that_days_close(demo, infy):
    trades = demo.insider_transactions(infy).frame
    closes = demo.history(infy).frame["Close"]

    assert trades["Start Date"].is_monotonic_decreasing
    for _, trade in trades.iterrows():
        assert trade["Value"] == pytest.approx(trade["Shares"] * closes[trade["Start Date"]])


def test_demo_cannot_serve_a_ticker_outside_the_nifty(demo):
    unlisted = resolve("IRCTC", allow_unlisted=True)

    with pytest.raises(UnknownSymbol):
        demo.quote(unlisted)
    with pytest.raises(UnknownSymbol):
        demo.index_history("^BSESN")
