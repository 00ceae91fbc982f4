"""DemoSource: a deterministic synthetic market for the NIFTY 50, for offline use.

Same symbol and end date, same numbers, on any machine. Every figure is made
up (consistently: P/E = price / EPS, market cap = price × shares, and so on)
and every result says `source="demo"`. Only NIFTY 50 constituents and the
^NSEI index exist here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import cached_property, lru_cache

import pandas as pd

from domain.market import _demo_company as company
from domain.market import _demo_prices as prices
from domain.market import _demo_text as text
from domain.market.errors import UnknownSymbol
from domain.market.instruments import Instrument, suggest
from domain.market.models import (
    AnalystView,
    CorporateActions,
    FinancialStatements,
    Frequency,
    Fundamentals,
    Governance,
    Holders,
    InsiderTransactions,
    NewsFeed,
    PriceHistory,
    Quote,
)
from domain.market.nifty50 import NIFTY_INDEX_BASE_LEVEL, NIFTY_INDEX_SYMBOL
from domain.market.source import (
    DEFAULT_NEWS_LIMIT,
    DEFAULT_PERIOD,
    HISTORY_PERIODS,
    MarketSource,
    check_period,
)

# NSE's cash session closes at 15:30 IST, which is 10:00 UTC.
_SESSION_CLOSE_UTC = time(10, 0, tzinfo=UTC)


class DemoSource(MarketSource):
    """Synthetic data whose last session is `end` (default: today, UTC), or the
    Friday before it when `end` falls on a weekend."""

    name = "demo"

    def __init__(self, end: date | None = None) -> None:
        self._end = end or datetime.now(UTC).date()

    @cached_property
    def as_of(self) -> datetime:
        """Close of the last demo session: the as_of of every result."""
        last = prices.sessions(self._end)[-1].date()
        return datetime.combine(last, _SESSION_CLOSE_UTC)

    def quote(self, instrument: Instrument) -> Quote:
        bars = self._bars(instrument)
        last, prev = bars.iloc[-1], bars.iloc[-2]
        return Quote(
            source="demo",
            as_of=self.as_of,
            symbol=instrument.yahoo_symbol,
            exchange=instrument.exchange,
            currency="INR",
            price=float(last["Close"]),
            previous_close=float(prev["Close"]),
            open=float(last["Open"]),
            day_high=float(last["High"]),
            day_low=float(last["Low"]),
            volume=float(last["Volume"]),
            market_time=self.as_of,
        )

    def history(self, instrument: Instrument, period: str = DEFAULT_PERIOD) -> PriceHistory:
        frame = _window(self._bars(instrument), period)
        return PriceHistory(
            source="demo", as_of=self.as_of, symbol=instrument.yahoo_symbol, frame=frame
        )

    def index_history(
        self, index_symbol: str = NIFTY_INDEX_SYMBOL, period: str = DEFAULT_PERIOD
    ) -> PriceHistory:
        if index_symbol != NIFTY_INDEX_SYMBOL:
            raise UnknownSymbol(index_symbol, [f"{NIFTY_INDEX_SYMBOL} (NIFTY 50)"])
        frame = _window(_index_bars(self._end), period)
        return PriceHistory(source="demo", as_of=self.as_of, symbol=index_symbol, frame=frame)

    def fundamentals(self, instrument: Instrument) -> Fundamentals:
        fields = company.fundamentals_fields(self._listed(instrument), self._bars(instrument))
        return Fundamentals(
            source="demo", as_of=self.as_of, symbol=instrument.yahoo_symbol, **fields
        )  # type: ignore[arg-type]

    def financials(
        self, instrument: Instrument, frequency: Frequency = "annual"
    ) -> FinancialStatements:
        income, balance, cash = company.statements(
            self._listed(instrument), self._end, quarterly=frequency == "quarterly"
        )
        return FinancialStatements(
            source="demo",
            as_of=self.as_of,
            symbol=instrument.yahoo_symbol,
            frequency=frequency,
            income=income,
            balance_sheet=balance,
            cash_flow=cash,
        )

    def corporate_actions(self, instrument: Instrument) -> CorporateActions:
        bars = self._bars(instrument)
        splits = pd.Series(
            [], index=pd.DatetimeIndex([], name="Date"), name="Stock Splits", dtype="float64"
        )
        return CorporateActions(
            source="demo",
            as_of=self.as_of,
            symbol=instrument.yahoo_symbol,
            dividends=company.dividends(instrument, bars.index),
            splits=splits,
        )

    def holders(self, instrument: Instrument) -> Holders:
        price = float(self._bars(instrument)["Close"].iloc[-1])
        fields = text.holders(self._listed(instrument), price, self.as_of)
        return Holders(source="demo", as_of=self.as_of, symbol=instrument.yahoo_symbol, **fields)  # type: ignore[arg-type]

    def insider_transactions(self, instrument: Instrument) -> InsiderTransactions:
        frame = text.insider_transactions(instrument, self._bars(instrument))
        return InsiderTransactions(
            source="demo", as_of=self.as_of, symbol=instrument.yahoo_symbol, frame=frame
        )

    def analyst_view(self, instrument: Instrument) -> AnalystView:
        price = float(self._bars(instrument)["Close"].iloc[-1])
        fields = text.analyst_fields(instrument, price)
        return AnalystView(
            source="demo", as_of=self.as_of, symbol=instrument.yahoo_symbol, **fields
        )  # type: ignore[arg-type]

    def news(self, instrument: Instrument, limit: int = DEFAULT_NEWS_LIMIT) -> NewsFeed:
        items = text.news(self._listed(instrument), self.as_of, limit)
        return NewsFeed(
            source="demo", as_of=self.as_of, symbol=instrument.yahoo_symbol, items=items
        )

    def governance(self, instrument: Instrument) -> Governance:
        fields = text.governance_fields(self._listed(instrument), self.as_of)
        return Governance(source="demo", as_of=self.as_of, symbol=instrument.yahoo_symbol, **fields)  # type: ignore[arg-type]

    def _listed(self, instrument: Instrument) -> Instrument:
        """The instrument, if the demo market has it; the demo cannot invent an
        unlisted company (one a Yahoo resolver let through)."""
        if not instrument.in_nifty50:
            raise UnknownSymbol(instrument.symbol, suggest(instrument.symbol))
        return instrument

    def _bars(self, instrument: Instrument) -> pd.DataFrame:
        listed = self._listed(instrument)
        assert listed.base_price is not None
        return _stock_bars(listed.symbol, listed.base_price, listed.shares, self._end)


def _window(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    days = HISTORY_PERIODS[check_period(period)]
    if days is None:
        return frame.copy()
    start = frame.index[-1] - pd.Timedelta(days=days)
    return frame.loc[frame.index > start].copy()


# Cached frames are shared: methods here only read them and history() hands
# out copies, so no caller can alter another's data.
@lru_cache(maxsize=8)
def _index_bars(end: date) -> pd.DataFrame:
    dates = prices.sessions(end)
    close = prices.closes(
        prices.index_returns(NIFTY_INDEX_SYMBOL), NIFTY_INDEX_BASE_LEVEL, NIFTY_INDEX_SYMBOL
    )
    return prices.bars(close, dates, NIFTY_INDEX_SYMBOL, shares=None)


@lru_cache(maxsize=128)
def _stock_bars(symbol: str, base_price: float, shares: int | None, end: date) -> pd.DataFrame:
    beta = company.Profile.of(symbol).beta
    returns = prices.stock_returns(prices.index_returns(NIFTY_INDEX_SYMBOL), symbol, beta)
    close = prices.closes(returns, base_price, symbol)
    return prices.bars(close, prices.sessions(end), symbol, shares)
