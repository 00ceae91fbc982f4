"""A user's holdings: add, change, remove, list and value. Another user's
holding does not exist for them (NotFound). Nothing here commits except
`delete_holding`; callers commit, so a holding and the refresh it asks for
land together."""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput, NotFound
from domain.portfolio.models import Holding, PriceSnapshot
from domain.portfolio.symbols import Resolver, instrument_for
from domain.portfolio.valuation import Valuation, value_of

# Far above any real position, well inside Numeric(18, 4).
MAX_QUANTITY = 1e10
MAX_PRICE = 1e8
MAX_NOTES_CHARS = 500
# Quantities and prices are kept to four decimals (models.MONEY).
_STEP = Decimal("0.0001")
# No Indian exchange traded earlier: BSE opened on 9 July 1875.
FIRST_TRADING_DAY = date(1875, 7, 9)
# Control characters PostgreSQL refuses (NUL) or that only garble a note.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class HoldingInput:
    """Fields a request sets; None leaves a field as it is (on update)."""

    symbol: str | None = None
    exchange: str | None = None
    quantity: float | None = None
    avg_price: float | None = None
    buy_date: date | None = None
    notes: str | None = None


def _positive(value: float, name: str, highest: float) -> Decimal:
    if not math.isfinite(value) or value <= 0:
        raise InvalidInput(f"{name} must be more than zero", field=name)
    if value > highest:
        raise InvalidInput(f"{name} must be at most {highest:,.0f}", field=name)
    kept = Decimal(str(value)).quantize(_STEP, rounding=ROUND_HALF_UP)
    if kept <= 0:
        raise InvalidInput(f"{name} must be at least {_STEP} (four decimals are kept)", field=name)
    return kept


def _buy_date(value: date, today: date) -> date:
    if value > today:
        raise InvalidInput(
            f"buy_date {value.isoformat()} is in the future (today is {today.isoformat()} IST)",
            field="buy_date",
        )
    if value < FIRST_TRADING_DAY:
        raise InvalidInput(
            f"buy_date {value.isoformat()} is before any Indian exchange opened (1875)",
            field="buy_date",
        )
    return value


def plain_text(value: str, name: str, limit: int) -> str | None:
    """`value` stripped, None when empty; InvalidInput when too long or when
    it holds control characters (tabs and line breaks are fine)."""
    text = value.strip()
    if len(text) > limit:
        raise InvalidInput(f"{name} is at most {limit} characters", field=name)
    if _CONTROL.search(text):
        raise InvalidInput(f"{name} holds a control character", field=name)
    return text or None


def _checked(data: HoldingInput, today: date) -> dict[str, Any]:
    """The non-symbol fields `data` sets, validated."""
    fields: dict[str, Any] = {}
    if data.quantity is not None:
        fields["quantity"] = _positive(data.quantity, "quantity", MAX_QUANTITY)
    if data.avg_price is not None:
        fields["avg_price"] = _positive(data.avg_price, "avg_price", MAX_PRICE)
    if data.buy_date is not None:
        fields["buy_date"] = _buy_date(data.buy_date, today)
    if data.notes is not None:
        fields["notes"] = plain_text(data.notes, "notes", MAX_NOTES_CHARS)
    return fields


def _listing(symbol: str, exchange: str | None, resolver: Resolver) -> dict[str, Any]:
    inst = instrument_for(symbol, exchange, resolver)
    return {
        "symbol": inst.symbol,
        "exchange": inst.exchange,
        "name": inst.name[:120],
        "sector": inst.sector,
    }


async def add_holding(
    session: AsyncSession, user_id: uuid.UUID, data: HoldingInput, resolver: Resolver, today: date
) -> Holding:
    if not data.symbol:
        raise InvalidInput("symbol is required", field="symbol")
    for name in ("quantity", "avg_price"):
        if getattr(data, name) is None:
            raise InvalidInput(f"{name} is required", field=name)
    fields = _checked(data, today)
    holding = Holding(
        id=uuid.uuid4(), user_id=user_id, **_listing(data.symbol, data.exchange, resolver), **fields
    )
    session.add(holding)
    await session.flush()
    return holding


async def update_holding(
    session: AsyncSession, holding: Holding, data: HoldingInput, resolver: Resolver, today: date
) -> bool:
    """Apply `data`; True when the holding now names another listing (whose
    price may need fetching). Validates everything before changing anything."""
    fields = _checked(data, today)
    if data.symbol is not None or data.exchange is not None:
        symbol = data.symbol or holding.symbol
        exchange = data.exchange or (None if data.symbol else holding.exchange)
        fields |= _listing(symbol, exchange, resolver)
    moved = (fields.get("symbol", holding.symbol), fields.get("exchange", holding.exchange)) != (
        holding.symbol,
        holding.exchange,
    )
    for name, value in fields.items():
        setattr(holding, name, value)
    await session.flush()
    return moved


async def owned_holding(
    session: AsyncSession, user_id: uuid.UUID, holding_id: uuid.UUID
) -> Holding:
    holding = await session.get(Holding, holding_id)
    if holding is None or holding.user_id != user_id:
        raise NotFound("No holding with this id in your portfolio")
    return holding


async def delete_holding(session: AsyncSession, holding: Holding) -> None:
    await session.delete(holding)
    await session.commit()


async def list_holdings(session: AsyncSession, user_id: uuid.UUID) -> list[Holding]:
    query = (
        select(Holding)
        .where(Holding.user_id == user_id)
        .order_by(Holding.symbol, Holding.buy_date.nulls_last(), Holding.created_at)
    )
    return list((await session.execute(query)).scalars())


async def snapshots_for(
    session: AsyncSession, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], PriceSnapshot]:
    if not keys:
        return {}
    query = select(PriceSnapshot).where(
        tuple_(PriceSnapshot.symbol, PriceSnapshot.exchange).in_(sorted(keys))
    )
    return {(s.symbol, s.exchange): s for s in (await session.execute(query)).scalars()}


async def portfolio_value(session: AsyncSession, user_id: uuid.UUID, today: date) -> Valuation:
    holdings = await list_holdings(session, user_id)
    snapshots = await snapshots_for(session, {(h.symbol, h.exchange) for h in holdings})
    return value_of(holdings, snapshots, today)
