"""validate_stock_symbol's check: resolve the text, then ask the source for a
quote, since a well-formed ticker is not necessarily a listed one."""

from __future__ import annotations

from typing import Any

from domain.market import (
    MarketSource,
    RateLimitedUpstream,
    SourceTimeout,
    SourceUnavailable,
    UnknownSymbol,
)
from mcp_servers._results import Report


def validation(market: MarketSource, text: str) -> dict[str, Any]:
    """An answer either way: an invalid symbol is a result here, not an error."""
    try:
        inst = market.resolve(text)
    except UnknownSymbol as exc:
        report = Report(market)
        report.data.update(valid=False, query=text, suggestions=exc.suggestions)
        return report.build()
    report = Report(market, inst)
    report.data.update(
        query=text,
        yahoo_symbol=inst.yahoo_symbol,
        in_nifty50=inst.in_nifty50,
    )
    report.put("sector", inst.sector, "known only for NIFTY 50 members")
    report.put("industry", inst.industry, "known only for NIFTY 50 members")
    try:
        quote = report.seen(market.quote(inst))
    except (SourceTimeout, RateLimitedUpstream):
        raise  # transient: the model should retry, not conclude "invalid"
    except UnknownSymbol as exc:  # a well-formed ticker the source does not list
        report.data.update(valid=False, suggestions=exc.suggestions)
        report.missing("last_price", exc.message)
        return report.build(method="valid = the source returned a price for the symbol")
    except SourceUnavailable as exc:
        report.data["valid"] = False
        report.missing("last_price", exc.message)
        return report.build(method="valid = the source returned a price for the symbol")
    report.data.update(valid=True, last_price=quote.price, currency=quote.currency)
    return report.build(method="valid = the source returned a price for the symbol")
