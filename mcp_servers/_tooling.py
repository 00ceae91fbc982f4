"""Registering tools, and the MCP edge of the error tree.

Domain errors become `ToolError`s whose text tells the model what to do next
(pick a suggested symbol, retry later, change an argument). Anything else is a
bug: it propagates, and FastMCP (mask_error_details=True) logs it and answers
"Error calling tool '<name>'" without internals.

Tools are plain sync functions: FastMCP runs them in a worker thread, which is
what the blocking market sources need.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from fastmcp import FastMCP
from fastmcp.exceptions import ToolError

from domain.errors import KuberaError
from domain.market import (
    Instrument,
    MarketSource,
    RateLimitedUpstream,
    SourceTimeout,
    SourceUnavailable,
    UnknownSymbol,
)
from mcp_servers._results import Report
from mcp_servers.context import get_market

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
K = TypeVar("K")

# Peers fetched at once by sector and comparison tools; Yahoo's own pool is 16.
DEFAULT_FAN_OUT = 8
_READ_ONLY = {"readOnlyHint": True, "openWorldHint": True}
_STORES_CHART = {"readOnlyHint": False, "destructiveHint": False, "openWorldHint": True}


def new_server(name: str, instructions: str) -> FastMCP:
    return FastMCP(name, instructions=instructions, mask_error_details=True)


def market_tool(server: FastMCP, *, read_only: bool = True) -> Callable[[F], F]:
    """Like `server.tool`, with domain errors translated; returns the function."""

    def register(fn: F) -> F:
        annotations = _READ_ONLY if read_only else _STORES_CHART
        server.tool(translated(fn), annotations=annotations)
        return fn

    return register


def translated(fn: F) -> F:
    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except KuberaError as exc:
            raise tool_error(exc) from exc

    return call  # type: ignore[return-value]


def tool_error(exc: KuberaError) -> ToolError:
    if isinstance(exc, UnknownSymbol):
        return ToolError(unknown_symbol_message(exc), log_level=logging.INFO)
    if isinstance(exc, RateLimitedUpstream):
        text = f"{exc.message}. Wait a minute before asking {exc.source} again."
        return ToolError(text, log_level=logging.WARNING)
    if isinstance(exc, SourceTimeout):
        text = f"{exc.message}. The source is slow right now; retry later."
        return ToolError(text, log_level=logging.WARNING)
    if isinstance(exc, SourceUnavailable):
        text = f"{exc.message}. This data is unavailable from {exc.source} at the moment."
        return ToolError(text, log_level=logging.WARNING)
    return ToolError(exc.message, log_level=logging.INFO)


def unknown_symbol_message(exc: UnknownSymbol) -> str:
    text = f"Unknown symbol or company {exc.query!r}."
    if exc.suggestions:
        matches = "; ".join(exc.suggestions)
        return f"{text} Closest matches: {matches}. Call again with one of these symbols."
    if get_market().name == "demo":
        return f"{text} The demo market has only NIFTY 50 companies, e.g. INFY or RELIANCE."
    return (
        f"{text} No close match. Use an NSE ticker such as INFY or RELIANCE, "
        "add .BO for BSE, or validate it with validate_stock_symbol."
    )


def resolved(symbol: str) -> tuple[MarketSource, Instrument]:
    """The current market source and the instrument `symbol` names on it."""
    market = get_market()
    return market, market.resolve(symbol)


def require_text(text: str, what: str = "text") -> str:
    cleaned = text.strip()
    if not cleaned:
        raise ToolError(f"{what} is empty; pass the words to analyse.", log_level=logging.INFO)
    return cleaned


def optional(report: Report, key: str, fetch: Callable[[], T]) -> T | None:
    """A secondary input: on a source outage the answer still comes, with `key`
    listed as unavailable and the source's reason."""
    try:
        result = fetch()
    except SourceUnavailable as exc:
        report.missing(key, exc.message)
        return None
    if hasattr(result, "as_of"):
        report.seen(result)  # type: ignore[arg-type]
    return result


def fan_out(fetch: Callable[[K], T], keys: Iterable[K]) -> list[T]:
    """`fetch` over `keys` on a few threads (each call may block on the network);
    results in input order, the first exception re-raised."""
    keys = list(keys)
    if len(keys) <= 1:
        return [fetch(key) for key in keys]
    with ThreadPoolExecutor(max_workers=min(DEFAULT_FAN_OUT, len(keys))) as pool:
        return list(pool.map(fetch, keys))


def dedupe(symbols: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for symbol in symbols:
        seen.setdefault(symbol.strip(), None)
    return [symbol for symbol in seen if symbol]
