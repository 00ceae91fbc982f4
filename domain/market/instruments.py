"""Instruments and the resolver that turns what a user typed into one of them.

`resolve("infosys ltd")`, `resolve("INFY")` and `resolve("infy.ns")` all give the
same NSE instrument; `resolve("INFY.BO")` gives its BSE twin (same symbol, other
Yahoo suffix). Names outside the NIFTY 50 resolve only when the caller allows
unlisted tickers, which the Yahoo source does and the demo source cannot.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Literal

from domain.market.errors import UnknownSymbol
from domain.market.nifty50 import NIFTY50, Constituent

Exchange = Literal["NSE", "BSE"]

_SUFFIX = {"NSE": ".NS", "BSE": ".BO"}
_EXCHANGE_OF_SUFFIX = {"NS": "NSE", "BO": "BSE"}
_QUERY = re.compile(r"^(?:(NSE|BSE)\s*:\s*)?(.+?)(?:\.(NS|BO))?$", re.IGNORECASE)
# NSE symbols are upper-case letters and digits, with '&' and '-' in a few.
_TICKER = re.compile(r"^[A-Z0-9][A-Z0-9&\-]{0,19}$")
_NOISE_WORDS = frozenset({"ltd", "limited", "the"})
_MAX_SUGGESTIONS = 3
# difflib similarity a name needs to be offered as a closest match.
DEFAULT_SUGGEST_CUTOFF = 0.6

# True accepts any well-formed ticker; a callable is asked with the Yahoo
# symbol ("XYZ.NS") and decides, e.g. after a cheap look-up upstream.
UnlistedPolicy = bool | Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class Instrument:
    """One listing. Descriptive fields are None for tickers outside the NIFTY 50."""

    symbol: str
    exchange: Exchange
    name: str
    sector: str | None = None
    industry: str | None = None
    base_price: float | None = None
    shares: int | None = None
    in_nifty50: bool = False

    @property
    def yahoo_symbol(self) -> str:
        return self.symbol + _SUFFIX[self.exchange]

    @classmethod
    def of(cls, row: Constituent, exchange: Exchange = "NSE") -> Instrument:
        return cls(
            row.symbol,
            exchange,
            row.name,
            row.sector,
            row.industry,
            float(row.base_price),
            row.shares,
            in_nifty50=True,
        )


def nifty50(exchange: Exchange = "NSE") -> tuple[Instrument, ...]:
    """The index constituents in alphabetical order of symbol."""
    return tuple(Instrument.of(row, exchange) for row in NIFTY50)


def resolve(text: str, *, allow_unlisted: UnlistedPolicy = False) -> Instrument:
    """Map a symbol, Yahoo ticker or company name to an instrument.

    Accepts "INFY", "infy.ns", "INFY.BO", "NSE:INFY", "Infosys", "infosys ltd".
    The exchange comes from a suffix or prefix and defaults to NSE. Raises
    UnknownSymbol, listing the closest known names, when nothing matches.
    """
    match = _QUERY.match(text.strip())
    if not match or not match.group(2).strip():
        raise UnknownSymbol(text, [])
    prefix, body, suffix = match.groups()
    exchange: Exchange = "NSE"
    if prefix:
        exchange = prefix.upper()  # type: ignore[assignment]
    if suffix:
        exchange = _EXCHANGE_OF_SUFFIX[suffix.upper()]  # type: ignore[assignment]

    row = _by_key().get(_normalise(body))
    if row is not None:
        return Instrument.of(row, exchange)
    unlisted = _unlisted(body, exchange, allow_unlisted)
    if unlisted is not None:
        return unlisted
    raise UnknownSymbol(text.strip(), suggest(body))


def suggest(text: str, cutoff: float = DEFAULT_SUGGEST_CUTOFF) -> list[str]:
    """Up to three "SYMBOL (Name)" strings that look most like `text`, each at
    least `cutoff` similar (difflib ratio, 0-1)."""
    index = _by_key()
    keys = difflib.get_close_matches(_normalise(text), index, n=10, cutoff=cutoff)
    found: list[str] = []
    for key in keys:
        row = index[key]
        label = f"{row.symbol} ({row.name})"
        if label not in found:
            found.append(label)
    return found[:_MAX_SUGGESTIONS]


def _unlisted(body: str, exchange: Exchange, policy: UnlistedPolicy) -> Instrument | None:
    ticker = body.strip().upper()
    if policy is False or not _TICKER.match(ticker):
        return None
    candidate = Instrument(ticker, exchange, ticker)
    if callable(policy) and not policy(candidate.yahoo_symbol):
        return None
    return candidate


def _normalise(text: str) -> str:
    """Lower-case words with '&' spelt out, apostrophes and 'Ltd' dropped."""
    text = text.lower().replace("&", " and ").replace("'", "")
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    return " ".join(word for word in words if word not in _NOISE_WORDS)


@cache
def _by_key() -> dict[str, Constituent]:
    index: dict[str, Constituent] = {}
    for row in NIFTY50:
        for key in (row.symbol, row.name, *row.aliases):
            index.setdefault(_normalise(key), row)
    return index
