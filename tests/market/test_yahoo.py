import logging
import threading
from datetime import UTC, datetime

import pandas as pd
import pytest
import yfinance

from domain.market import get_source
from domain.market.demo import DemoSource
from domain.market.errors import (
    MarketError,
    RateLimitedUpstream,
    SourceTimeout,
    SourceUnavailable,
    UnknownSymbol,
)
from domain.market.models import OHLCV
from domain.market.yahoo import YahooSource
from tests.market import yahoo_fakes as fakes


@pytest.fixture
def yahoo(monkeypatch):
    """A YahooSource whose yfinance.Ticker is the healthy fake."""
    monkeypatch.setattr(yfinance, "Ticker", fakes.FakeTicker)
    fakes.FakeTicker.calls.clear()
    return YahooSource(deadline_s=5)


@pytest.fixture
def infy(yahoo):
    return yahoo.resolve("infosys")


@pytest.fixture
def records():
    """Log records of the kubera.market tree, whatever the root logger does."""
    caught: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = caught.append
    logger = logging.getLogger("kubera.market")
    logger.addHandler(handler)
    yield caught
    logger.removeHandler(handler)


def test_history_becomes_naive_dated_ohlcv(yahoo, infy):
    history = yahoo.history(infy, "1mo")

    assert history.source == "yfinance"
    assert history.symbol == "INFY.NS"
    assert fakes.FakeTicker.calls == ["INFY.NS"]
    assert list(history.frame.columns) == OHLCV
    assert history.frame.index.tz is None
    assert history.frame.index[0] == pd.Timestamp("2026-10-01")
    assert (history.frame.dtypes == "float64").all()


def test_every_result_names_yfinance_and_an_aware_utc_time(yahoo, infy):
    results = [
        yahoo.quote(infy),
        yahoo.history(infy),
        yahoo.index_history(),
        yahoo.fundamentals(infy),
        yahoo.financials(infy),
        yahoo.corporate_actions(infy),
        yahoo.holders(infy),
        yahoo.insider_transactions(infy),
        yahoo.analyst_view(infy),
        yahoo.news(infy),
        yahoo.governance(infy),
    ]

    for result in results:
        assert result.source == "yfinance"
        assert result.as_of.tzinfo is UTC


def test_quote_reads_regular_market_fields(yahoo, infy):
    quote = yahoo.quote(infy)

    assert (quote.price, quote.previous_close, quote.volume) == (1500.0, 1480.0, 6_500_000)
    assert quote.exchange == "NSE" and quote.currency == "INR"
    assert quote.market_time == datetime.fromtimestamp(1_764_754_200, UTC)


def test_fundamentals_turn_yahoo_percent_fields_into_fractions(yahoo, infy):
    f = yahoo.fundamentals(infy)

    assert f.name == "Infosys Limited"
    assert f.pe_trailing == 23.1 and f.price_to_book == 6.98
    assert f.debt_to_equity == pytest.approx(0.094)
    assert f.dividend_yield == pytest.approx(43.0 / 1500.0)
    assert f.earnings_growth is None  # NaN upstream stays unknown
    assert f.raw["auditRisk"] == 7


def test_dividend_yield_falls_back_to_yahoos_percent(monkeypatch, yahoo, infy):
    class NoRate(fakes.FakeTicker):
        @property
        def info(self):
            return {**fakes.INFO, "dividendRate": None}

    monkeypatch.setattr(yfinance, "Ticker", NoRate)

    assert yahoo.fundamentals(infy).dividend_yield == pytest.approx(0.0287)


def test_statements_are_numeric_newest_first_and_empty_when_missing(yahoo, infy):
    statements = yahoo.financials(infy)

    assert list(statements.income.columns) == [
        pd.Timestamp("2025-03-31"),
        pd.Timestamp("2024-03-31"),
    ]
    assert statements.income.loc["Net Income"].tolist() == [2.7e11, 2.6e11]
    assert pd.isna(statements.income.loc["Diluted EPS", pd.Timestamp("2025-03-31")])
    assert statements.cash_flow.empty


def test_missing_quarterly_statements_are_unavailable(yahoo, infy):
    with pytest.raises(SourceUnavailable, match="quarterly"):
        yahoo.financials(infy, "quarterly")


def test_corporate_actions_drop_the_time_zone(yahoo, infy):
    actions = yahoo.corporate_actions(infy)

    assert actions.dividends.tolist() == [22.0, 23.0]
    assert actions.dividends.index.tz is None
    assert actions.splits.empty


def test_holders_read_the_breakdown_and_institutions(yahoo, infy):
    holders = yahoo.holders(infy)

    assert holders.insiders_pct == 0.1433
    assert holders.institutions_count == 1131
    assert holders.institutional["Holder"].tolist() == ["Example Fund A", "Example Fund B"]


def test_insider_transactions_come_newest_first(yahoo, infy):
    frame = yahoo.insider_transactions(infy).frame

    assert frame["Insider"].tolist() == ["OTHER PERSON", "EXAMPLE PERSON"]


def test_analyst_view_combines_trend_targets_and_summary(yahoo, infy):
    view = yahoo.analyst_view(infy)

    assert view.recommendations.loc[0, "buy"] == 20
    assert view.targets.mean == 1750.5 and view.targets.low == 1200.0
    assert view.recommendation_key == "buy" and view.analyst_count == 38


def test_news_reads_nested_and_flat_payloads_and_skips_untitled(yahoo, infy):
    items = yahoo.news(infy).items

    assert [item.title for item in items] == ["Infosys wins a large deal", "Infosys faces a probe"]
    assert items[0].publisher == "Example Wire"
    assert items[0].link == "https://example.com/a1"
    assert items[0].published_at == datetime(2026, 12, 1, 4, 30, tzinfo=UTC)
    assert items[1].published_at == datetime.fromtimestamp(1_764_500_000, UTC)


def test_governance_maps_officers_and_risk_scores(yahoo, infy):
    gov = yahoo.governance(infy)

    assert (
        gov.audit_risk,
        gov.board_risk,
        gov.compensation_risk,
        gov.shareholder_rights_risk,
        gov.overall_risk,
    ) == (7, 3, 2, 1, 2)
    assert gov.officers[0].total_pay == 150_000_000
    assert gov.officers[1].age is None  # Yahoo left it out; so do we
    assert gov.scores_as_of == datetime.fromtimestamp(1_761_955_200, UTC)


def test_yahoo_resolves_tickers_outside_the_nifty(yahoo):
    assert yahoo.resolve("IRCTC.BO").yahoo_symbol == "IRCTC.BO"


def test_unknown_ticker_answers_are_unavailable(monkeypatch, yahoo, infy):
    monkeypatch.setattr(yfinance, "Ticker", fakes.EmptyTicker)

    for call in (
        yahoo.quote,
        yahoo.fundamentals,
        yahoo.history,
        yahoo.insider_transactions,
        yahoo.holders,
    ):
        with pytest.raises(SourceUnavailable):
            call(infy)


def test_a_stalled_call_raises_source_timeout_at_our_deadline(monkeypatch, infy, records):
    monkeypatch.setattr(fakes, "RELEASE", threading.Event())
    monkeypatch.setattr(yfinance, "Ticker", fakes.BlockingTicker)
    source = YahooSource(deadline_s=0.2)

    try:
        with pytest.raises(SourceTimeout) as caught:
            source.fundamentals(infy)
    finally:
        fakes.RELEASE.set()  # let the pool thread finish so the process can exit

    assert caught.value.deadline_s == 0.2
    assert isinstance(caught.value, MarketError)
    assert [r.getMessage() for r in records] == ["yahoo call passed its deadline"]
    assert records[0].symbol == "INFY.NS"


@pytest.mark.parametrize("call", ["quote", "history"])
def test_too_many_requests_becomes_rate_limited_upstream(monkeypatch, yahoo, infy, call):
    monkeypatch.setattr(yfinance, "Ticker", fakes.RateLimitedTicker)

    with pytest.raises(RateLimitedUpstream) as caught:
        getattr(yahoo, call)(infy)

    assert caught.value.__cause__ is not None


@pytest.mark.parametrize("call", ["quote", "history"])
def test_network_failures_become_source_unavailable(monkeypatch, yahoo, infy, call):
    monkeypatch.setattr(yfinance, "Ticker", fakes.OfflineTicker)

    with pytest.raises(SourceUnavailable) as caught:
        getattr(yahoo, call)(infy)

    assert not isinstance(caught.value, RateLimitedUpstream | SourceTimeout)
    assert "query2" not in caught.value.message  # upstream detail goes to logs only


def test_auto_falls_back_to_demo_with_a_warning(monkeypatch, records):
    monkeypatch.setattr(yfinance, "Ticker", fakes.OfflineTicker)

    source = get_source("auto", probe_deadline_s=1)

    assert isinstance(source, DemoSource)
    warnings = [r for r in records if r.name == "kubera.market"]
    assert [r.getMessage() for r in warnings] == ["yahoo unreachable, using demo market data"]
    assert warnings[0].levelno == logging.WARNING


def test_auto_keeps_yahoo_when_it_answers(monkeypatch):
    monkeypatch.setattr(yfinance, "Ticker", fakes.FakeTicker)

    source = get_source("auto", deadline_s=7)

    assert isinstance(source, YahooSource) and source.deadline_s == 7


def test_nan_bars_are_dropped_and_a_missing_volume_stays_missing(monkeypatch, yahoo, infy):
    monkeypatch.setattr(yfinance, "Ticker", fakes.GappyTicker)

    frame = yahoo.history(infy, "1mo").frame

    raw = fakes.GappyTicker("INFY.NS").history()
    assert len(frame) == len(raw) - 1
    assert raw.index[3].tz_localize(None).normalize() not in frame.index
    assert frame["Close"].notna().all()
    assert frame["Volume"].isna().sum() == 1


def test_keys_missing_from_info_become_none_never_a_guess(monkeypatch, yahoo, infy):
    monkeypatch.setattr(yfinance, "Ticker", fakes.GappyTicker)

    facts = yahoo.fundamentals(infy)
    gov = yahoo.governance(infy)

    assert facts.price == 1500.0 and facts.eps_trailing == 64.9
    assert (facts.pe_trailing, facts.pe_forward, facts.price_to_book, facts.beta) == (
        None,
        None,
        None,
        None,
    )
    assert facts.book_value_per_share is None and facts.eps_forward is None
    assert gov.officers == () and gov.overall_risk is None and gov.scores_as_of is None


def test_an_all_nan_statement_line_is_kept_as_nan(monkeypatch, yahoo, infy):
    monkeypatch.setattr(yfinance, "Ticker", fakes.GappyTicker)

    income = yahoo.financials(infy).income

    assert income.loc["Diluted EPS"].isna().all()
    assert income.loc["Net Income"].tolist() == [2.7e11, 2.6e11]


def test_an_unknown_ticker_outside_the_nifty_is_an_unknown_symbol(monkeypatch, yahoo):
    monkeypatch.setattr(yfinance, "Ticker", fakes.EmptyTicker)
    nosuch = yahoo.resolve("NOSUCHCO")

    for call in (yahoo.quote, yahoo.history, yahoo.fundamentals, yahoo.governance):
        with pytest.raises(UnknownSymbol) as caught:
            call(nosuch)
        assert caught.value.query == "NOSUCHCO"


def test_a_typo_of_a_nifty_name_is_looked_up_and_gets_the_closest_match(monkeypatch, yahoo):
    monkeypatch.setattr(yfinance, "Ticker", fakes.EmptyTicker)

    for typo in ("INFYY", "Infosis"):
        with pytest.raises(UnknownSymbol) as caught:
            yahoo.resolve(typo)
        assert "INFY (Infosys Ltd)" in caught.value.suggestions
    assert fakes.FakeTicker.calls == ["INFYY.NS", "INFOSIS.NS"]


def test_a_listed_ticker_resembling_a_nifty_name_is_looked_up_once(yahoo):
    first = yahoo.resolve("ADANIPOWER")
    again = yahoo.resolve("adanipower.ns")

    assert first == again and first.yahoo_symbol == "ADANIPOWER.NS"
    assert fakes.FakeTicker.calls == ["ADANIPOWER.NS"]


def test_a_ticker_unlike_any_nifty_name_needs_no_look_up(yahoo):
    assert yahoo.resolve("TATAPOWER").yahoo_symbol == "TATAPOWER.NS"
    assert fakes.FakeTicker.calls == []
