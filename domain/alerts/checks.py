"""Checking alerts against fresh snapshots; runs inside the refresh job's
transaction, so an alert's new state and its email commit together.

Rows are locked while checked: two refreshes of one listing at once cannot
both see an armed alert, so none fires twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts.common import Accounts
from domain.accounts.models import User
from domain.alerts.models import AlertMetric, AlertOperator, PriceAlert
from domain.alerts.service import describe
from domain.jobs.cron import format_ist
from domain.mail.catalog import EmailType
from domain.mail.render import format_inr, format_pct
from domain.portfolio.models import PriceSnapshot

log = logging.getLogger("kubera.alerts")

Notify = Callable[[AsyncSession, PriceAlert, float, PriceSnapshot], Awaitable[None]]


@dataclass(frozen=True)
class AlertCounts:
    checked: int = 0
    fired: int = 0
    rearmed: int = 0
    no_value: int = 0  # the snapshot lacks the figure (no price, too few bars)


def metric_value(metric: AlertMetric, snapshot: PriceSnapshot) -> float | None:
    if metric == AlertMetric.DAY_CHANGE_PCT:
        return snapshot.day_change_pct
    return getattr(snapshot, metric.value)


def holds(operator: AlertOperator, value: float, threshold: float) -> bool:
    return value > threshold if operator == AlertOperator.ABOVE else value < threshold


async def _locked_alerts(session: AsyncSession, keys: set[tuple[str, str]]) -> list[PriceAlert]:
    query = (
        select(PriceAlert)
        .where(tuple_(PriceAlert.symbol, PriceAlert.exchange).in_(sorted(keys)))
        .order_by(PriceAlert.id)  # one lock order for every checker
        .with_for_update()
    )
    return list((await session.execute(query)).scalars())


async def check_alerts(
    session: AsyncSession,
    snapshots: dict[tuple[str, str], PriceSnapshot],
    now: datetime,
    notify: Notify,
) -> AlertCounts:
    """Check every alert on the snapshots' listings; the caller commits."""
    if not snapshots:
        return AlertCounts()
    checked = fired = rearmed = no_value = 0
    for alert in await _locked_alerts(session, set(snapshots)):
        snapshot = snapshots[(alert.symbol, alert.exchange)]
        value = metric_value(alert.metric, snapshot)
        checked += 1
        alert.last_checked_at = now
        if value is None:
            no_value += 1
            continue
        alert.last_value = value
        if holds(alert.operator, value, alert.threshold):
            if alert.armed:
                alert.armed, alert.last_triggered_at = False, now
                await notify(session, alert, value, snapshot)
                fired += 1
        elif not alert.armed:
            alert.armed = True
            rearmed += 1
    return AlertCounts(checked, fired, rearmed, no_value)


def shown_value(metric: AlertMetric, value: float, snapshot: PriceSnapshot) -> str:
    price = "" if snapshot.price is None else f" (price {format_inr(snapshot.price)})"
    if metric == AlertMetric.PRICE:
        return format_inr(value)
    if metric == AlertMetric.DAY_CHANGE_PCT:
        return f"{format_pct(value)} today{price}"
    if metric == AlertMetric.RSI_14:
        return f"RSI 14 at {value:.2f}{price}"
    return f"{metric.value.upper().replace('_', ' ')} at {format_inr(value)}{price}"


def email_notifier(accounts: Accounts) -> Notify:
    """Queues one PRICE_ALERT email per fired alert, in the caller's transaction."""

    async def notify(
        session: AsyncSession, alert: PriceAlert, value: float, snapshot: PriceSnapshot
    ) -> None:
        user = await session.get(User, alert.user_id)
        if user is None or not user.is_active:
            return
        await accounts.email(
            session,
            EmailType.PRICE_ALERT,
            user,
            symbol=f"{alert.symbol} ({alert.exchange})",
            condition=describe(alert),
            value=shown_value(alert.metric, value, snapshot),
            as_of=format_ist(snapshot.as_of),
            data_source=snapshot.source or "unknown",
        )
        log.info("price alert fired", extra={"alert_id": str(alert.id), "symbol": alert.symbol})

    return notify
