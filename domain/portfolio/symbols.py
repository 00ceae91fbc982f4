"""Checking a symbol without calling a market source (the web process never does).

The demo market knows the NIFTY 50 only, so with it a symbol must be one of
those. With Yahoo ("yfinance", and "auto", which means Yahoo when it answers)
any well-formed NSE/BSE ticker is accepted here; one Yahoo does not know is
reported by the refresh job as a price error on its snapshot.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from domain.errors import InvalidInput
from domain.market.errors import UnknownSymbol
from domain.market.instruments import Instrument, resolve

Resolver = Callable[[str], Instrument]
EXCHANGES = ("NSE", "BSE")
_EXPLICIT_EXCHANGE = re.compile(r"^\s*(NSE|BSE)\s*:|\.(NS|BO)\s*$", re.IGNORECASE)


class UnknownSymbolInput(InvalidInput):
    """A symbol in a request body that names no listing; carries suggestions."""

    code = "UNKNOWN_SYMBOL"


def resolver_for(data_source: str) -> Resolver:
    if data_source == "demo":
        return resolve
    return partial(resolve, allow_unlisted=True)


def instrument_for(symbol: str, exchange: str | None, resolver: Resolver) -> Instrument:
    """The listing `symbol` names, on `exchange` when one is given (default NSE).

    Raises UnknownSymbolInput with the closest matches, or InvalidInput when
    the symbol's own suffix or prefix contradicts `exchange`.
    """
    if exchange is not None and exchange not in EXCHANGES:
        raise InvalidInput("exchange is NSE or BSE", field="exchange")
    try:
        instrument = resolver(symbol)
        if exchange and exchange != instrument.exchange:
            if _EXPLICIT_EXCHANGE.search(symbol):
                raise InvalidInput(
                    f"{symbol!r} is a {instrument.exchange} listing but exchange says {exchange}",
                    field="exchange",
                )
            instrument = resolver(f"{exchange}:{instrument.symbol}")
    except UnknownSymbol as exc:
        raise UnknownSymbolInput(exc.message, field="symbol", suggestions=exc.suggestions) from exc
    return instrument
