"""generate_portfolio_composition_chart: value positions at current prices."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Protocol

from domain.market import Instrument, MarketSource
from domain.market.models import Quote
from mcp_servers import _figures as figures
from mcp_servers._charts import publish
from mcp_servers._results import Report
from mcp_servers._tooling import fan_out

UNCLASSIFIED = "Unclassified"


class Position(Protocol):
    symbol: str
    quantity: float


def composition(
    market: MarketSource, holdings: list[Position], group_by: str, chart_type: str
) -> dict[str, Any]:
    report = Report(market)
    quantities: dict[Instrument, float] = defaultdict(float)
    for holding in holdings:
        quantities[market.resolve(holding.symbol)] += holding.quantity
    quotes = fan_out(market.quote, list(quantities))
    rows = [
        _row(inst, qty, report.seen(quote))
        for (inst, qty), quote in zip(quantities.items(), quotes, strict=True)
    ]
    total = sum(row["value"] for row in rows)
    for row in rows:
        row["weight"] = row["value"] / total
        if row["sector"] is None:
            report.missing(f"{row['symbol']}.sector", "sector known only for NIFTY 50 members")
    labels, values, parents = _slices(rows, group_by, chart_type)
    report.data.update(holdings=rows, total_value=total, group_by=group_by)
    fig = figures.composition(labels, values, parents, chart_type)
    symbols = [row["symbol"] for row in rows]
    return publish(
        report,
        "portfolio_composition",
        f"Portfolio by {group_by}",
        fig,
        symbols,
        method="value = quantity x latest price; weight = value / total",
    )


def _row(inst: Instrument, quantity: float, quote: Quote) -> dict[str, Any]:
    return {
        "symbol": inst.symbol,
        "name": inst.name,
        "sector": inst.sector,
        "quantity": quantity,
        "price": quote.price,
        "currency": quote.currency,
        "value": quantity * quote.price,
    }


def _slices(
    rows: list[dict[str, Any]], group_by: str, chart_type: str
) -> tuple[list[str], list[float], list[str]]:
    """Flat slices, or for a sector treemap, sectors as parents of companies."""
    if group_by == "symbol":
        return [r["symbol"] for r in rows], [r["value"] for r in rows], [""] * len(rows)
    sectors: dict[str, float] = defaultdict(float)
    for row in rows:
        sectors[row["sector"] or UNCLASSIFIED] += row["value"]
    if chart_type == "pie":
        return list(sectors), list(sectors.values()), [""] * len(sectors)
    labels = [*sectors, *(r["symbol"] for r in rows)]
    values = [*sectors.values(), *(r["value"] for r in rows)]
    parents = [""] * len(sectors) + [r["sector"] or UNCLASSIFIED for r in rows]
    return labels, values, parents
