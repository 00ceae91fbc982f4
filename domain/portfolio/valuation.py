"""A portfolio's worth from its holdings and the latest price snapshots.

Pure functions, no I/O: the API, the report job and tests all call `value_of`.
Money is in rupees rounded to paise; every `*_pct` and `weight_pct` is in
percentage points (4.83 means 4.83 %). A holding with no snapshot price is
`price_pending`: it counts in no total, weight or sector, and the totals say
how many such holdings they leave out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from domain.portfolio.models import Holding, PriceSnapshot
from domain.portfolio.xirr import CashFlow, xirr

UNCLASSIFIED = "Unclassified"
DEMO_SOURCE = "demo"
DEMO_NOTICE = "Synthetic demo data, not real market figures"


@dataclass(frozen=True)
class HoldingValue:
    holding: Holding
    invested: float
    last_price: float | None
    previous_close: float | None
    value: float | None
    pnl: float | None
    pnl_pct: float | None
    day_change: float | None
    day_change_pct: float | None
    weight_pct: float | None
    source: str | None
    as_of: datetime | None
    price_error: str | None

    @property
    def price_pending(self) -> bool:
        return self.last_price is None


@dataclass(frozen=True)
class Totals:
    invested: float  # of the priced holdings
    value: float
    pnl: float
    pnl_pct: float | None
    day_change: float
    day_change_pct: float | None
    holdings: int
    pending: int
    pending_invested: float
    source: str | None
    as_of: datetime | None


@dataclass(frozen=True)
class SectorShare:
    sector: str
    value: float
    weight_pct: float
    source: str | None
    as_of: datetime | None  # the oldest price in the sector


@dataclass(frozen=True)
class XirrFigure:
    rate_pct: float | None
    reason: str | None
    source: str | None
    as_of: datetime | None


@dataclass(frozen=True)
class Valuation:
    holdings: list[HoldingValue]
    totals: Totals
    sectors: list[SectorShare]
    xirr: XirrFigure

    @property
    def demo(self) -> bool:
        """True when any figure rests on the demo source's synthetic prices."""
        return any(row.source == DEMO_SOURCE for row in self.holdings)


def _money(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _pct(part: float | None, whole: float | None) -> float | None:
    if part is None or not whole:
        return None
    return round(part / whole * 100.0, 2)


def _one(holding: Holding, snap: PriceSnapshot | None, total: float) -> HoldingValue:
    qty, cost = float(holding.quantity), float(holding.avg_price)
    invested = qty * cost
    price = snap.price if snap else None
    prev = snap.previous_close if snap else None
    value = None if price is None else qty * price
    pnl = None if value is None else value - invested
    change = None if price is None or prev is None else qty * (price - prev)
    day_pct = snap.day_change_pct if snap else None
    return HoldingValue(
        holding=holding,
        invested=round(invested, 2),
        last_price=price,
        previous_close=prev,
        value=_money(value),
        pnl=_money(pnl),
        pnl_pct=_pct(pnl, invested),
        day_change=_money(change),
        day_change_pct=None if day_pct is None else round(day_pct, 2),
        weight_pct=_pct(value, total),
        source=snap.source if snap and price is not None else None,
        as_of=snap.as_of if snap and price is not None else None,
        price_error=snap.error if snap else None,
    )


def _sourced(rows: list[HoldingValue]) -> tuple[str | None, datetime | None]:
    """The sources behind priced `rows`, and their oldest price time: every
    figure built from them is at least that fresh."""
    sources = sorted({r.source for r in rows if r.source})
    dates = [r.as_of for r in rows if r.as_of]
    return ", ".join(sources) or None, min(dates) if dates else None


def _totals(rows: list[HoldingValue], raw_value: float) -> Totals:
    priced = [r for r in rows if not r.price_pending]
    invested = sum(float(r.holding.quantity) * float(r.holding.avg_price) for r in priced)
    change = sum(r.day_change or 0.0 for r in priced)
    source, as_of = _sourced(priced)
    return Totals(
        invested=round(invested, 2),
        value=round(raw_value, 2),
        pnl=round(raw_value - invested, 2),
        pnl_pct=_pct(raw_value - invested, invested),
        day_change=round(change, 2),
        day_change_pct=_pct(change, raw_value - change),
        holdings=len(rows),
        pending=len(rows) - len(priced),
        pending_invested=round(sum(r.invested for r in rows if r.price_pending), 2),
        source=source,
        as_of=as_of,
    )


def _sectors(rows: list[HoldingValue], raw_value: float) -> list[SectorShare]:
    by_sector: dict[str, list[HoldingValue]] = defaultdict(list)
    for row in rows:
        if row.value is not None:
            by_sector[row.holding.sector or UNCLASSIFIED].append(row)
    shares = []
    for sector, members in by_sector.items():
        value = sum(r.value or 0.0 for r in members)
        share = _pct(value, raw_value) or 0.0
        shares.append(SectorShare(sector, round(value, 2), share, *_sourced(members)))
    return sorted(shares, key=lambda s: (-s.value, s.sector))


def _xirr(rows: list[HoldingValue], raw_value: float, today: date, totals: Totals) -> XirrFigure:
    def unavailable(reason: str) -> XirrFigure:
        return XirrFigure(None, reason, totals.source, totals.as_of)

    if not rows:
        return unavailable("the portfolio has no holdings")
    pending = sorted({r.holding.symbol for r in rows if r.price_pending})
    if pending:
        return unavailable("no price yet for " + ", ".join(pending))
    undated = sorted({r.holding.symbol for r in rows if r.holding.buy_date is None})
    if undated:
        return unavailable("buy date missing for " + ", ".join(undated))
    flows = [CashFlow(r.holding.buy_date, -r.invested) for r in rows]  # type: ignore[arg-type]
    result = xirr([*flows, CashFlow(today, raw_value)])
    rate = None if result.rate is None else round(result.rate * 100.0, 2)
    return XirrFigure(rate, result.reason, totals.source, totals.as_of)


def value_of(
    holdings: Sequence[Holding], snapshots: dict[tuple[str, str], PriceSnapshot], today: date
) -> Valuation:
    """Value `holdings` at the snapshot prices, keyed by (symbol, exchange).
    `today` (an IST date) is when XIRR's final inflow, today's value, lands."""
    keyed = [(h, snapshots.get((h.symbol, h.exchange))) for h in holdings]
    raw_value = sum(
        float(h.quantity) * s.price for h, s in keyed if s is not None and s.price is not None
    )
    rows = [_one(h, s, raw_value) for h, s in keyed]
    totals = _totals(rows, raw_value)
    return Valuation(rows, totals, _sectors(rows, raw_value), _xirr(rows, raw_value, today, totals))
