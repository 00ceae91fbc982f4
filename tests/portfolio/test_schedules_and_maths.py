"""Pure parts: IST crons, due report periods, XIRR and valuation."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from domain.jobs.cron import IST, Cron
from domain.jobs.schedule import JOBS_BY_NAME, report_crons
from domain.portfolio.models import Holding, PriceSnapshot
from domain.portfolio.reports import current_periods, due_periods
from domain.portfolio.valuation import value_of
from domain.portfolio.xirr import CashFlow, xirr
from domain.reports.settings import ReportSchedule

REFRESH = JOBS_BY_NAME["refresh_prices"]


def ist(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=IST)


def test_refresh_turns_are_every_half_hour_in_session_and_once_after_the_close():
    thursday = [f"2026-12-03T{h:02d}:{m:02d}" for h in range(24) for m in (0, 15, 30, 45)]

    due = [t[11:] for t in thursday if REFRESH.due(ist(t))]

    assert due[0] == "09:15" and due[-2:] == ["15:15", "15:45"]
    assert len(due) == 14 and "15:30" not in due
    assert not REFRESH.due(ist("2026-12-05T10:15")) and REFRESH.skipped_turn(
        ist("2026-12-05T10:15")
    )


def test_the_ist_schedule_holds_for_a_scheduler_ticking_in_utc():
    tick = datetime(2026, 12, 3, 3, 45, tzinfo=UTC)  # 09:15 IST

    assert REFRESH.due(tick)
    assert REFRESH.next_run(tick) == ist("2026-12-03T09:45")


def test_the_next_refresh_after_friday_close_is_monday_morning():
    assert REFRESH.next_run(ist("2026-12-04T15:50")) == ist("2026-12-07T09:15")


def test_cron_days_of_month_and_week_combine_as_in_vixie_cron():
    either = Cron.parse("0 18 1 * 6")

    assert either.next_after(ist("2026-12-02T00:00")) == ist("2026-12-05T18:00")
    assert either.next_after(ist("2026-12-26T19:00")) == ist("2027-01-01T18:00")
    with pytest.raises(ValueError):
        Cron.parse("61 * * * *")


def _schedule(**changes) -> ReportSchedule:
    base = {
        "daily_enabled": True,
        "weekly_enabled": True,
        "monthly_enabled": True,
        "send_time": time(18, 0),
        "weekly_day": 5,
        "monthly_day": 1,
    }
    return ReportSchedule(**(base | changes))


def test_report_periods_are_due_from_the_send_time_for_two_hours():
    schedule = _schedule()

    saturday = due_periods(schedule, ist("2026-12-05T18:15"))
    first = due_periods(schedule, ist("2026-12-01T19:45"))  # Tuesday the 1st

    assert [(p.frequency, p.key) for p in saturday] == [("weekly", "2026-W49")]
    assert [(p.frequency, p.key) for p in first] == [
        ("daily", "2026-12-01"),
        ("monthly", "2026-12"),
    ]
    assert due_periods(schedule, ist("2026-12-01T17:59")) == []
    assert due_periods(schedule, ist("2026-12-01T20:00")) == []
    assert due_periods(_schedule(daily_enabled=False), ist("2026-12-02T18:00")) == []


def test_a_run_by_hand_sends_the_periods_it_falls_in():
    schedule = _schedule(monthly_enabled=False)

    sunday = current_periods(schedule, ist("2026-12-06T09:00"))
    wednesday = current_periods(schedule, ist("2026-12-02T09:00"))

    assert [(p.frequency, p.key) for p in sunday] == [
        ("daily", "2026-12-04"),
        ("weekly", "2026-W49"),
    ]
    assert [(p.frequency, p.key) for p in wednesday] == [
        ("daily", "2026-12-02"),
        ("weekly", "2026-W49"),
    ]


def test_a_late_send_time_catches_up_after_midnight():
    late = _schedule(send_time=time(23, 30))

    [period] = due_periods(late, ist("2026-12-03T00:30"))

    assert (period.frequency, period.key) == ("daily", "2026-12-02")
    assert report_crons(late)["weekly"] == "30 23 * * 6"


def test_xirr_matches_the_textbook_example_and_says_when_it_cannot():
    flows = [
        CashFlow(date(2008, 1, 1), -10000),
        CashFlow(date(2008, 3, 1), 2750),
        CashFlow(date(2008, 10, 30), 4250),
        CashFlow(date(2009, 2, 15), 3250),
        CashFlow(date(2009, 4, 1), 2750),
    ]

    assert xirr(flows).rate == pytest.approx(0.373362535, abs=1e-6)
    assert xirr([CashFlow(date(2025, 1, 1), -100), CashFlow(date(2026, 1, 1), 110)]).rate == (
        pytest.approx(0.10)
    )
    assert xirr([CashFlow(date(2026, 1, 1), -100), CashFlow(date(2026, 1, 1), 110)]).rate is None
    years = (date(2026, 12, 3) - date(1960, 1, 1)).days / 365
    long_ago = [CashFlow(date(1960, 1, 1), -10), CashFlow(date(2026, 12, 3), 1500)]
    assert xirr(long_ago).rate == pytest.approx(150 ** (1 / years) - 1, abs=1e-9)
    assert xirr([CashFlow(date(2026, 1, 1), 100)]).reason


def _holding(symbol: str, quantity: str, price: str, bought: date | None, sector: str) -> Holding:
    return Holding(
        id=uuid.uuid4(),
        symbol=symbol,
        exchange="NSE",
        name=symbol,
        sector=sector,
        quantity=Decimal(quantity),
        avg_price=Decimal(price),
        buy_date=bought,
    )


def test_pending_holdings_stay_out_of_totals_weights_sectors_and_xirr():
    today = date(2026, 12, 3)
    held = [
        _holding("INFY", "10", "100", today - timedelta(days=365), "Technology"),
        _holding("TCS", "5", "200", today - timedelta(days=200), "Technology"),
        _holding("SBIN", "1", "50", None, "Financial Services"),
    ]
    snaps = {
        ("INFY", "NSE"): PriceSnapshot(price=120.0, previous_close=100.0, source="demo"),
        ("TCS", "NSE"): PriceSnapshot(price=180.0, previous_close=200.0, source="demo"),
    }

    valuation = value_of(held, snaps, today)

    totals = valuation.totals
    assert (totals.invested, totals.value, totals.pnl) == (2000.0, 2100.0, 100.0)
    assert (totals.pending, totals.pending_invested, totals.day_change) == (1, 50.0, 100.0)
    assert [r.weight_pct for r in valuation.holdings] == [57.14, 42.86, None]
    assert [(s.sector, s.weight_pct) for s in valuation.sectors] == [("Technology", 100.0)]
    assert valuation.xirr.rate_pct is None and "SBIN" in valuation.xirr.reason
