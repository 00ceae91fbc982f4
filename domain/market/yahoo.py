"""YahooSource: Yahoo Finance through yfinance, every call under our own deadline.

yfinance's timeouts do not bound a call: its cookie, crumb and timezone look-ups
wait 30 s each, and on a stalled link `.info` took 90 s (shared FINDINGS). So
each public method runs its yfinance work in a pooled thread and stops waiting
after `deadline_s`. A thread cannot be killed: a late call finishes in the
background, and the pool's size caps how many can be stuck at once. Calls
still queued when their deadline passes are cancelled, not run.

Failures map to domain.market.errors: deadline → SourceTimeout, HTTP 429 →
RateLimitedUpstream, anything else upstream or an empty answer →
SourceUnavailable. Mapping happens after the fetch, in the caller's thread.
Yahoo has no "no such symbol" error, so an empty quote, history or info for a
ticker outside the NIFTY 50 is taken to mean the ticker does not exist and
becomes UnknownSymbol with the closest NIFTY 50 names.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import UTC, datetime
from typing import Any, TypeVar

import pandas as pd
import yfinance
from pandas.errors import Pandas4Warning
from yfinance.exceptions import YFRateLimitError

from domain.market import _yahoo_mapping as mapping
from domain.market.errors import (
    RateLimitedUpstream,
    SourceTimeout,
    SourceUnavailable,
    UnknownSymbol,
)
from domain.market.instruments import Instrument, resolve, suggest
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
from domain.market.nifty50 import NIFTY_INDEX_SYMBOL
from domain.market.source import DEFAULT_NEWS_LIMIT, DEFAULT_PERIOD, MarketSource, check_period

log = logging.getLogger("kubera.market.yahoo")

# Bounds one public call, all of its upstream requests together.
DEFAULT_DEADLINE_S = 10.0
# Enough for a chat turn's concurrent tool calls; also the most threads a
# stalled Yahoo can hold (each for up to ~130 s) before calls queue instead.
DEFAULT_POOL_SIZE = 16
_POOL = ThreadPoolExecutor(max_workers=DEFAULT_POOL_SIZE, thread_name_prefix="kubera-yahoo")
_RATE_LIMITED = re.compile(r"too many requests|rate limit|\b429\b", re.IGNORECASE)
_SOURCE = "yfinance"
# A ticker this similar to a NIFTY 50 name may be a typo of it ("INFYY"), so
# it is looked up before use; 0.8 spares real ones such as IRCTC or TATAPOWER.
_TYPO_CUTOFF = 0.8
# Tickers confirmed by such a look-up, remembered so each costs one request.
_CONFIRMED_MAX = 1024
# Ticker attributes holding (income, balance sheet, cash flow) per frequency.
_STATEMENTS = {
    "annual": ("income_stmt", "balance_sheet", "cashflow"),
    "quarterly": ("quarterly_income_stmt", "quarterly_balance_sheet", "quarterly_cashflow"),
}

T = TypeVar("T")


class YahooSource(MarketSource):
    """Live data; resolves any well-formed NSE/BSE ticker, not only the NIFTY 50."""

    name = "yfinance"

    def __init__(self, deadline_s: float = DEFAULT_DEADLINE_S) -> None:
        self.deadline_s = deadline_s
        self._confirmed: set[str] = set()

    def resolve(self, text: str) -> Instrument:
        """Any well-formed NSE/BSE ticker. One that looks like a misspelt NIFTY 50
        name ("INFYY", "Infosis") is first looked up on Yahoo, so that a typo
        gets the closest matches rather than an empty answer later."""
        return resolve(text, allow_unlisted=self._listed_unless_typo)

    def _listed_unless_typo(self, yahoo_symbol: str) -> bool:
        ticker = yahoo_symbol.rsplit(".", 1)[0]
        if yahoo_symbol in self._confirmed or not suggest(ticker, _TYPO_CUTOFF):
            return True  # not typo-like; the real call will tell if it is unknown
        info = self._call("resolve", yahoo_symbol, lambda t: t.info) or {}
        if not _has_company_data(info):
            return False
        if len(self._confirmed) < _CONFIRMED_MAX:
            self._confirmed.add(yahoo_symbol)  # set.add is atomic under the GIL
        return True

    def probe(self) -> None:
        """Raise a MarketError unless Yahoo serves a small request in time."""
        self.index_history(NIFTY_INDEX_SYMBOL, "5d")

    def quote(self, instrument: Instrument) -> Quote:
        symbol = instrument.yahoo_symbol
        fields = mapping.quote_fields(self._call("quote", symbol, lambda t: t.info) or {})
        if fields["price"] is None:
            raise _empty("price", instrument)
        return Quote(
            source=_SOURCE, as_of=_now(), symbol=symbol, exchange=instrument.exchange, **fields
        )

    def history(self, instrument: Instrument, period: str = DEFAULT_PERIOD) -> PriceHistory:
        return self._history(instrument.yahoo_symbol, period, instrument)

    def index_history(
        self, index_symbol: str = NIFTY_INDEX_SYMBOL, period: str = DEFAULT_PERIOD
    ) -> PriceHistory:
        return self._history(index_symbol, period)

    def fundamentals(self, instrument: Instrument) -> Fundamentals:
        symbol = instrument.yahoo_symbol
        fields = mapping.fundamentals_fields(self._info(instrument, "fundamentals"))
        return Fundamentals(source=_SOURCE, as_of=_now(), symbol=symbol, **fields)

    def financials(
        self, instrument: Instrument, frequency: Frequency = "annual"
    ) -> FinancialStatements:
        symbol = instrument.yahoo_symbol
        names = _STATEMENTS[frequency]
        raw = self._call("financials", symbol, lambda t: [getattr(t, name) for name in names])
        income, balance, cash = (mapping.statement(frame) for frame in raw)
        if income.empty and balance.empty and cash.empty:
            raise _empty(f"{frequency} financial statements", symbol)
        return FinancialStatements(
            source=_SOURCE,
            as_of=_now(),
            symbol=symbol,
            frequency=frequency,
            income=income,
            balance_sheet=balance,
            cash_flow=cash,
        )

    def corporate_actions(self, instrument: Instrument) -> CorporateActions:
        """Empty series mean Yahoo listed none; yfinance cannot tell that apart
        from a failed look-up here, as it swallows that error."""
        symbol = instrument.yahoo_symbol
        dividends, splits = self._call(
            "corporate_actions", symbol, lambda t: (t.dividends, t.splits)
        )
        return CorporateActions(
            source=_SOURCE,
            as_of=_now(),
            symbol=symbol,
            dividends=mapping.action_series(dividends, "Dividends"),
            splits=mapping.action_series(splits, "Stock Splits"),
        )

    def holders(self, instrument: Instrument) -> Holders:
        symbol = instrument.yahoo_symbol
        major, institutional = self._call(
            "holders", symbol, lambda t: (t.major_holders, t.institutional_holders)
        )
        fields = mapping.holders_fields(major, institutional)
        if fields["insiders_pct"] is None and fields["institutional"].empty:
            raise _empty("holder data", symbol)
        return Holders(source=_SOURCE, as_of=_now(), symbol=symbol, **fields)

    def insider_transactions(self, instrument: Instrument) -> InsiderTransactions:
        symbol = instrument.yahoo_symbol
        raw = self._call("insider_transactions", symbol, lambda t: t.insider_transactions)
        if raw is None or raw.empty:
            raise _empty("insider transactions", symbol)
        return InsiderTransactions(
            source=_SOURCE, as_of=_now(), symbol=symbol, frame=mapping.insider_frame(raw)
        )

    def analyst_view(self, instrument: Instrument) -> AnalystView:
        symbol = instrument.yahoo_symbol
        recs, targets, info = self._call(
            "analyst_view", symbol, lambda t: (t.recommendations, t.analyst_price_targets, t.info)
        )
        recs = recs if isinstance(recs, pd.DataFrame) else pd.DataFrame()
        price_targets = mapping.price_targets(targets)
        if recs.empty and price_targets.mean is None:
            raise _empty("analyst coverage", symbol)
        info = info or {}
        return AnalystView(
            source=_SOURCE,
            as_of=_now(),
            symbol=symbol,
            recommendations=recs.reset_index(drop=True),
            targets=price_targets,
            recommendation_key=info.get("recommendationKey"),
            analyst_count=mapping.integer(info.get("numberOfAnalystOpinions")),
        )

    def news(self, instrument: Instrument, limit: int = DEFAULT_NEWS_LIMIT) -> NewsFeed:
        """Items may be empty: no recent articles is a valid answer."""
        symbol = instrument.yahoo_symbol
        raw = self._call("news", symbol, lambda t: t.get_news(count=limit)) or []
        items = (mapping.news_item(row) for row in raw if isinstance(row, dict))
        kept = tuple(item for item in items if item is not None)[:limit]
        return NewsFeed(source=_SOURCE, as_of=_now(), symbol=symbol, items=kept)

    def governance(self, instrument: Instrument) -> Governance:
        symbol = instrument.yahoo_symbol
        fields = mapping.governance_fields(self._info(instrument, "governance"))
        return Governance(source=_SOURCE, as_of=_now(), symbol=symbol, **fields)

    def _history(
        self, symbol: str, period: str, instrument: Instrument | None = None
    ) -> PriceHistory:
        check_period(period)
        raw = self._call(
            "history",
            symbol,
            lambda t: t.history(
                period=period, interval="1d", timeout=self.deadline_s, raise_errors=True
            ),
        )
        frame = mapping.price_frame(raw) if raw is not None else pd.DataFrame()
        if frame.empty:
            raise _empty("price history", instrument or symbol)
        return PriceHistory(source=_SOURCE, as_of=_now(), symbol=symbol, frame=frame)

    def _info(self, instrument: Instrument, call: str) -> dict[str, Any]:
        """Ticker.info, which for an unknown symbol is a near-empty dict rather
        than an error: without a price or market cap it counts as no answer."""
        info = self._call(call, instrument.yahoo_symbol, lambda t: t.info) or {}
        if not _has_company_data(info):
            raise _empty("company data", instrument)
        return info

    def _call(self, call: str, symbol: str, fetch: Callable[[Any], T]) -> T:
        """Run `fetch(yfinance.Ticker(symbol))` in the pool, wait `deadline_s`."""
        future = _POOL.submit(_fetch, symbol, fetch)
        done, _ = wait([future], timeout=self.deadline_s)
        if not done:
            future.cancel()
            log.warning(
                "yahoo call passed its deadline",
                extra={"call": call, "symbol": symbol, "deadline_s": self.deadline_s},
            )
            raise SourceTimeout(
                f"Yahoo Finance did not answer {call} for {symbol} within {self.deadline_s:g} s",
                source=_SOURCE,
                deadline_s=self.deadline_s,
            )
        error = future.exception()
        if error is None:
            return future.result()
        raise _translate(error, call, symbol) from error


def _fetch(symbol: str, fetch: Callable[[Any], T]) -> T:
    # catch_warnings is process-wide before Python 3.14, so another thread may
    # briefly see this filter too; it only hides pandas-4 notices, which is benign.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Pandas4Warning)
        return fetch(yfinance.Ticker(symbol))


def _translate(error: BaseException, call: str, symbol: str) -> SourceUnavailable:
    fields = {"call": call, "symbol": symbol, "error_type": type(error).__name__}
    if _is_rate_limit(error):
        log.warning("yahoo rate limited us", extra=fields)
        return RateLimitedUpstream(
            f"Yahoo Finance is rate limiting requests ({call} for {symbol}); retry later",
            source=_SOURCE,
        )
    log.warning("yahoo call failed", extra={**fields, "error": str(error)[:300]})
    return SourceUnavailable(f"Yahoo Finance could not serve {call} for {symbol}", source=_SOURCE)


def _is_rate_limit(error: BaseException | None) -> bool:
    """True for yfinance's YFRateLimitError, an HTTP 429 response, or the same
    text anywhere along the cause chain (curl_cffi wraps its errors)."""
    seen = 0
    while error is not None and seen < 5:
        response = getattr(error, "response", None)
        if isinstance(error, YFRateLimitError) or getattr(response, "status_code", None) == 429:
            return True
        if _RATE_LIMITED.search(str(error)):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def _has_company_data(info: dict[str, Any]) -> bool:
    return mapping.num(info.get("marketCap")) is not None or bool(
        mapping.quote_fields(info)["price"]
    )


def _empty(what: str, about: Instrument | str) -> SourceUnavailable | UnknownSymbol:
    """The error for an empty answer. Pass the Instrument where an empty answer
    means an unknown ticker if it is not a NIFTY 50 member."""
    symbol = about.yahoo_symbol if isinstance(about, Instrument) else about
    log.info("yahoo returned nothing", extra={"what": what, "symbol": symbol})
    if isinstance(about, Instrument) and not about.in_nifty50:
        return UnknownSymbol(about.symbol, suggest(about.symbol))
    return SourceUnavailable(f"Yahoo Finance returned no {what} for {symbol}", source=_SOURCE)


def _now() -> datetime:
    return datetime.now(UTC)
