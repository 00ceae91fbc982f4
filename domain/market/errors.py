"""Market-data errors, a branch of the application's tree (domain.errors).

    KuberaError
    └── MarketError
        ├── UnknownSymbol            (also NotFound)     carries query, suggestions
        └── SourceUnavailable        (also Unavailable)  carries source
            ├── SourceTimeout        our own deadline passed; carries deadline_s
            └── RateLimitedUpstream  Yahoo answered 429 / "Too Many Requests"

The three SourceUnavailable kinds are transient: a worker may retry them, a tool
reports the figure as unavailable. UnknownSymbol is the caller's mistake.
"""

from __future__ import annotations

from domain.errors import KuberaError, NotFound, Unavailable


class MarketError(KuberaError):
    code = "MARKET_ERROR"


class UnknownSymbol(MarketError, NotFound):
    code = "UNKNOWN_SYMBOL"

    def __init__(self, query: str, suggestions: list[str]) -> None:
        if suggestions:
            hint = "closest matches: " + ", ".join(suggestions)
        else:
            hint = "no close match among NIFTY 50 names or symbols"
        super().__init__(f"unknown symbol or company {query!r}; {hint}", field="symbol")
        self.query = query
        self.suggestions = suggestions


class SourceUnavailable(MarketError, Unavailable):
    code = "SOURCE_UNAVAILABLE"

    def __init__(self, message: str, *, source: str) -> None:
        super().__init__(message)
        self.source = source


class SourceTimeout(SourceUnavailable):
    code = "SOURCE_TIMEOUT"

    def __init__(self, message: str, *, source: str, deadline_s: float) -> None:
        super().__init__(message, source=source)
        self.deadline_s = deadline_s


class RateLimitedUpstream(SourceUnavailable):
    code = "UPSTREAM_RATE_LIMITED"
