"""Portfolio report emails: which periods are due, who still needs theirs, and
the email itself.

A frequency is due from its send moment (the operator's send time, IST, on
its day) for `CATCH_UP`, so a scheduler that missed a tick still delivers.
Each user gets at most one email per (frequency, period): a row in
`report_deliveries` is inserted in the transaction that queues the email, and
its unique key turns a rerun or a redelivered job into a no-op for users
already served. Users with no holdings get no report.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.accounts.common import Accounts
from domain.accounts.models import EmailPreferences, User
from domain.errors import Unavailable
from domain.jobs.cron import IST, format_ist
from domain.mail.catalog import EmailType
from domain.portfolio.holdings import portfolio_value
from domain.portfolio.models import Holding, ReportDelivery
from domain.portfolio.valuation import HoldingValue, Valuation
from domain.reports.settings import ReportSchedule

log = logging.getLogger("kubera.portfolio.reports")

# How long after its send moment a period is still sent (missed ticks, restarts).
CATCH_UP = timedelta(hours=2)
TOP_MOVERS = 3
FREQUENCIES = ("daily", "weekly", "monthly")
_EMAIL = {
    "daily": EmailType.REPORT_DAILY,
    "weekly": EmailType.REPORT_WEEKLY,
    "monthly": EmailType.REPORT_MONTHLY,
}


@dataclass(frozen=True)
class Period:
    frequency: str
    key: str  # 2026-12-03, 2026-W49, 2026-12
    label: str
    moment: datetime  # when it was due, IST


def _send_day(frequency: str, schedule: ReportSchedule, day: date) -> date | None:
    """The day in `day`'s period on which the report goes out."""
    if frequency == "daily":
        return day if day.weekday() < 5 else None  # trading days only
    if frequency == "weekly":
        return day - timedelta(days=day.weekday() - schedule.weekly_day)
    return day.replace(day=schedule.monthly_day)


def _period(frequency: str, send_day: date, moment: datetime) -> Period:
    if frequency == "daily":
        return Period(
            frequency,
            send_day.isoformat(),
            f"{send_day:%A}, {send_day.day} {send_day:%B %Y}",
            moment,
        )
    if frequency == "weekly":
        year, week, _ = send_day.isocalendar()
        monday = send_day - timedelta(days=send_day.weekday())
        sunday = monday + timedelta(days=6)
        label = f"week {week}: {monday.day} {monday:%b} – {sunday.day} {sunday:%b %Y}"
        return Period(frequency, f"{year}-W{week:02d}", label, moment)
    return Period(frequency, f"{send_day:%Y-%m}", f"{send_day:%B %Y}", moment)


def due_periods(schedule: ReportSchedule, at: datetime) -> list[Period]:
    """The periods whose send moment is at most CATCH_UP before `at`."""
    local = at.astimezone(IST)
    due = []
    for frequency in FREQUENCIES:
        if not schedule.enabled(frequency):
            continue
        # Yesterday too: a send time late in the evening catches up past midnight.
        for day in (local.date(), local.date() - timedelta(days=1)):
            send_day = _send_day(frequency, schedule, day)
            if send_day is None:
                continue
            moment = datetime.combine(send_day, schedule.send_time, IST)
            if moment <= local < moment + CATCH_UP:
                due.append(_period(frequency, send_day, moment))
                break
    return due


def current_periods(schedule: ReportSchedule, at: datetime) -> list[Period]:
    """The period each enabled frequency is in at `at`, due or not (a daily
    one at a weekend is Friday's): what a run asked for by hand sends. It
    claims the period as a due run would, so no user gets a second one."""
    local = at.astimezone(IST)
    periods = []
    for frequency in FREQUENCIES:
        if not schedule.enabled(frequency):
            continue
        day = local.date()
        if frequency == "daily":
            day -= timedelta(days=max(0, day.weekday() - 4))
        send_day = _send_day(frequency, schedule, day)
        periods.append(_period(frequency, send_day, local))  # type: ignore[arg-type]
    return periods


def _quantity(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _row(row: HoldingValue) -> dict[str, Any]:
    h = row.holding
    return {
        "symbol": h.symbol,
        "name": h.name,
        "quantity": _quantity(h.quantity),
        "avg_price": float(h.avg_price),
        "last_price": row.last_price,
        "value": row.value,
        "pnl": row.pnl,
        "pnl_pct": row.pnl_pct,
        "day_change_pct": row.day_change_pct,
    }


def _movers(rows: list[HoldingValue]) -> tuple[list[dict], list[dict]]:
    by_symbol = {r.holding.symbol: r.day_change_pct for r in rows if r.day_change_pct is not None}
    ranked = sorted(by_symbol.items(), key=lambda item: item[1], reverse=True)
    gainers = [{"symbol": s, "day_change_pct": p} for s, p in ranked if p > 0][:TOP_MOVERS]
    losers = [{"symbol": s, "day_change_pct": p} for s, p in reversed(ranked) if p < 0]
    return gainers, losers[:TOP_MOVERS]


def report_context(valuation: Valuation, period: Period) -> dict[str, Any]:
    """The REPORT_* template context (see domain.mail.catalog)."""
    totals = valuation.totals
    gainers, losers = _movers(valuation.holdings)
    return {
        "period_label": period.label,
        "holdings": [_row(r) for r in valuation.holdings],
        "totals": {
            "invested": totals.invested,
            "value": totals.value,
            "pnl": totals.pnl,
            "pnl_pct": totals.pnl_pct,
            "day_change": totals.day_change,
        },
        "top_gainers": gainers,
        "top_losers": losers,
        # Any demo price makes the whole email say so: a mixed report is not market data.
        "data_source": "demo" if valuation.demo else (totals.source or "unknown"),
        "as_of": format_ist(totals.as_of),
    }


async def waiting_users(session: AsyncSession, period: Period) -> list[User]:
    """Active users on this frequency, with holdings and reports switched on,
    who have not had this period's report."""
    delivered = exists().where(
        ReportDelivery.user_id == User.id,
        ReportDelivery.frequency == period.frequency,
        ReportDelivery.period_key == period.key,
    )
    query = (
        select(User)
        .join(EmailPreferences, EmailPreferences.user_id == User.id)
        .where(
            User.is_active,
            EmailPreferences.portfolio_reports,
            EmailPreferences.report_frequency == period.frequency,
            exists().where(Holding.user_id == User.id),
            ~delivered,
        )
        .order_by(User.id)
    )
    return list((await session.execute(query)).scalars())


async def send_one(
    session: AsyncSession, accounts: Accounts, user: User, period: Period, today: date
) -> bool:
    """Claim the delivery and queue the email in one transaction; False when
    another run already claimed it."""
    claim = (
        insert(ReportDelivery)
        .values(user_id=user.id, frequency=period.frequency, period_key=period.key)
        .on_conflict_do_nothing(index_elements=["user_id", "frequency", "period_key"])
        .returning(ReportDelivery.id)
    )
    if (await session.execute(claim)).scalar_one_or_none() is None:
        await session.rollback()
        return False
    valuation = await portfolio_value(session, user.id, today)
    context = report_context(valuation, period)
    await accounts.email(session, _EMAIL[period.frequency], user, **context)
    await session.commit()
    return True


async def run_reports(
    sessions: async_sessionmaker, accounts: Accounts, periods: list[Period], at: datetime
) -> dict[str, Any]:
    """Send each of `periods` to the users still waiting for it; returns
    counts per frequency. `at` dates the valuation (XIRR's last day)."""
    counts: dict[str, Any] = {}
    today = at.astimezone(IST).date()
    for period in periods:
        async with sessions() as session:
            users = await waiting_users(session, period)
        sent = failed = 0
        for user in users:
            try:
                async with sessions() as session:
                    sent += await send_one(session, accounts, user, period, today)
            except Unavailable:
                raise  # the email queue is down: the whole run retries
            except Exception:
                # One user's failing report must not hold back the users after
                # them; its claim rolled back, so the next tick tries it again.
                log.exception("portfolio report not sent", extra={"user_id": str(user.id)})
                failed += 1
        counts[period.frequency] = {
            "period": period.key,
            "waiting": len(users),
            "sent": sent,
            "failed": failed,
        }
        log.info(
            "portfolio reports sent",
            extra={"frequency": period.frequency} | counts[period.frequency],
        )
    return counts
