"""The interface every market-data source implements.

Methods are synchronous and may block for the length of a network call; async
callers run them in a thread. Arguments are an Instrument plus plain values and
results are the immutable models of `domain.market.models`, so a caching source
can wrap any other one: subclass MarketSource, key on
(method, instrument.yahoo_symbol, args) and delegate on a miss.
"""

from __future__ import annotations

import abc

from domain.errors import InvalidInput
from domain.market.instruments import Instrument, resolve
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
    SourceName,
)
from domain.market.nifty50 import NIFTY_INDEX_SYMBOL

# Look-back windows accepted by history(), in calendar days; "max" is all the
# source has. The names are yfinance's so they pass straight through.
HISTORY_PERIODS: dict[str, int | None] = {
    "5d": 7,
    "1mo": 31,
    "3mo": 92,
    "6mo": 183,
    "1y": 366,
    "2y": 731,
    "5y": 1827,
    "max": None,
}
DEFAULT_PERIOD = "1y"
# Yahoo's ncp endpoint returns at most this many items without paging.
DEFAULT_NEWS_LIMIT = 10


def check_period(period: str) -> str:
    if period not in HISTORY_PERIODS:
        allowed = ", ".join(HISTORY_PERIODS)
        raise InvalidInput(f"unknown period {period!r}; use one of {allowed}", field="period")
    return period


class MarketSource(abc.ABC):
    """One market-data provider. Failures raise domain.market.errors types."""

    name: SourceName

    def resolve(self, text: str) -> Instrument:
        """Resolve user text to an instrument this source can serve."""
        return resolve(text)

    @abc.abstractmethod
    def quote(self, instrument: Instrument) -> Quote: ...

    @abc.abstractmethod
    def history(self, instrument: Instrument, period: str = DEFAULT_PERIOD) -> PriceHistory:
        """Daily OHLCV bars over a HISTORY_PERIODS window ending today."""

    @abc.abstractmethod
    def index_history(
        self, index_symbol: str = NIFTY_INDEX_SYMBOL, period: str = DEFAULT_PERIOD
    ) -> PriceHistory:
        """Daily bars of an index by Yahoo symbol, the benchmark for beta."""

    @abc.abstractmethod
    def fundamentals(self, instrument: Instrument) -> Fundamentals: ...

    @abc.abstractmethod
    def financials(
        self, instrument: Instrument, frequency: Frequency = "annual"
    ) -> FinancialStatements: ...

    @abc.abstractmethod
    def corporate_actions(self, instrument: Instrument) -> CorporateActions: ...

    @abc.abstractmethod
    def holders(self, instrument: Instrument) -> Holders: ...

    @abc.abstractmethod
    def insider_transactions(self, instrument: Instrument) -> InsiderTransactions: ...

    @abc.abstractmethod
    def analyst_view(self, instrument: Instrument) -> AnalystView: ...

    @abc.abstractmethod
    def news(self, instrument: Instrument, limit: int = DEFAULT_NEWS_LIMIT) -> NewsFeed: ...

    @abc.abstractmethod
    def governance(self, instrument: Instrument) -> Governance: ...
