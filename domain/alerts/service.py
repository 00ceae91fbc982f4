"""A user's alerts: add, change, remove, list. Another user's alert does not
exist for them. Changing an alert's condition re-arms it."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.alerts.models import AlertMetric, AlertOperator, PriceAlert
from domain.errors import Conflict, InvalidInput, NotFound
from domain.mail.render import format_inr, format_pct
from domain.portfolio.holdings import MAX_PRICE, plain_text
from domain.portfolio.symbols import Resolver, instrument_for

MAX_ALERTS_PER_USER = 100
MAX_NOTE_CHARS = 200
_RUPEE_METRICS = (AlertMetric.PRICE, AlertMetric.SMA_50, AlertMetric.SMA_200)
_LABELS = {
    AlertMetric.RSI_14: "RSI 14",
    AlertMetric.SMA_50: "SMA 50",
    AlertMetric.SMA_200: "SMA 200",
}


@dataclass(frozen=True)
class AlertInput:
    """Fields a request sets; None leaves a field as it is (on update)."""

    symbol: str | None = None
    exchange: str | None = None
    metric: str | None = None
    operator: str | None = None
    threshold: float | None = None
    note: str | None = None


def check_metric(metric: str) -> AlertMetric:
    try:
        return AlertMetric(metric)
    except ValueError:
        known = ", ".join(m.value for m in AlertMetric)
        raise InvalidInput(
            f"no indicator called {metric!r}; use one of {known}", field="metric"
        ) from None


def check_operator(operator: str) -> AlertOperator:
    try:
        return AlertOperator(operator)
    except ValueError:
        raise InvalidInput("operator is above or below", field="operator") from None


def check_threshold(metric: AlertMetric, threshold: float) -> float:
    if not math.isfinite(threshold):
        raise InvalidInput("threshold must be a number", field="threshold")
    if metric in _RUPEE_METRICS and not 0 < threshold <= MAX_PRICE:
        raise InvalidInput(
            f"a price threshold is more than zero and at most ₹{MAX_PRICE:,.0f}", field="threshold"
        )
    if metric == AlertMetric.RSI_14 and not 0 < threshold < 100:
        raise InvalidInput("RSI runs from 0 to 100; pick a threshold inside", field="threshold")
    if metric == AlertMetric.DAY_CHANGE_PCT and not -100 < threshold < 1000:
        raise InvalidInput(
            "day_change_pct is in per cent, above -100 (3 means +3 %)", field="threshold"
        )
    return float(threshold)


def describe(alert: PriceAlert) -> str:
    """The condition in words: "INFY above ₹1,600.00", "RSI 14 of TCS below 30"."""
    operator = alert.operator.value
    if alert.metric == AlertMetric.PRICE:
        return f"{alert.symbol} {operator} {format_inr(alert.threshold)}"
    if alert.metric == AlertMetric.DAY_CHANGE_PCT:
        return f"{alert.symbol} day change {operator} {format_pct(alert.threshold)}"
    label = _LABELS[alert.metric]
    figure = (
        format_inr(alert.threshold) if alert.metric in _RUPEE_METRICS else f"{alert.threshold:g}"
    )
    return f"{label} of {alert.symbol} {operator} {figure}"


def _fields(data: AlertInput, current: PriceAlert | None, resolver: Resolver) -> dict:
    """Every field `data` sets, validated together (the threshold against the
    metric it will have)."""
    fields: dict = {}
    if data.symbol is not None or data.exchange is not None:
        symbol = data.symbol or (current.symbol if current else "")
        exchange = data.exchange or (current.exchange if current and not data.symbol else None)
        instrument = instrument_for(symbol, exchange, resolver)
        fields |= {"symbol": instrument.symbol, "exchange": instrument.exchange}
    metric = check_metric(data.metric) if data.metric is not None else None
    if metric is not None:
        fields["metric"] = metric
    if data.operator is not None:
        fields["operator"] = check_operator(data.operator)
    if data.threshold is not None or metric is not None:
        threshold = data.threshold if data.threshold is not None else current.threshold  # type: ignore[union-attr]
        fields["threshold"] = check_threshold(metric or current.metric, threshold)  # type: ignore[union-attr]
    if data.note is not None:
        fields["note"] = plain_text(data.note, "note", MAX_NOTE_CHARS)
    return fields


async def add_alert(
    session: AsyncSession, user_id: uuid.UUID, data: AlertInput, resolver: Resolver
) -> PriceAlert:
    for name in ("symbol", "metric", "operator", "threshold"):
        if getattr(data, name) is None:
            raise InvalidInput(f"{name} is required", field=name)
    fields = _fields(data, None, resolver)
    count = await session.scalar(
        select(func.count()).select_from(PriceAlert).where(PriceAlert.user_id == user_id)
    )
    if (count or 0) >= MAX_ALERTS_PER_USER:
        raise Conflict(f"You have {MAX_ALERTS_PER_USER} alerts already; delete one first")
    alert = PriceAlert(id=uuid.uuid4(), user_id=user_id, armed=True, **fields)
    session.add(alert)
    await session.flush()
    return alert


async def update_alert(
    session: AsyncSession, alert: PriceAlert, data: AlertInput, resolver: Resolver
) -> bool:
    """Apply `data`; True when the condition changed, which re-arms the alert."""
    fields = _fields(data, alert, resolver)
    condition = {"symbol", "exchange", "metric", "operator", "threshold"}
    changed = any(
        getattr(alert, name) != value for name, value in fields.items() if name in condition
    )
    if changed:
        alert.armed, alert.last_value = True, None
    for name, value in fields.items():
        setattr(alert, name, value)
    await session.flush()
    return changed


async def owned_alert(session: AsyncSession, user_id: uuid.UUID, alert_id: uuid.UUID) -> PriceAlert:
    alert = await session.get(PriceAlert, alert_id)
    if alert is None or alert.user_id != user_id:
        raise NotFound("No alert with this id")
    return alert


async def delete_alert(session: AsyncSession, alert: PriceAlert) -> None:
    await session.delete(alert)
    await session.commit()


async def list_alerts(session: AsyncSession, user_id: uuid.UUID) -> list[PriceAlert]:
    query = select(PriceAlert).where(PriceAlert.user_id == user_id).order_by(PriceAlert.created_at)
    return list((await session.execute(query)).scalars())
