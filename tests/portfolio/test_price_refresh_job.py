"""The scheduled price refresh: every 30 minutes in NSE hours, once after the
close, never at weekends; the tick's time is the test's (`at`)."""

from __future__ import annotations

import pytest

from tests.helpers import sql
from tests.portfolio.conftest import add_holding, demo_quote, job_runs

# Thursday 3 and Saturday 5 December 2026, IST.
IN_SESSION = "2026-12-03T10:15:00+05:30"
AFTER_CLOSE = "2026-12-03T15:45:00+05:30"
EVENING = "2026-12-03T20:15:00+05:30"
EARLY = "2026-12-03T08:45:00+05:30"
SATURDAY = "2026-12-05T11:15:00+05:30"
NOT_A_TURN = "2026-12-03T10:30:00+05:30"


def _tick(drain, at: str) -> None:
    from workers.portfolio import refresh_prices

    refresh_prices.send(at=at)
    drain()


@pytest.mark.parametrize("at", [IN_SESSION, AFTER_CLOSE])
def test_a_due_tick_refreshes_every_held_listing(client, member, drain, at):
    add_holding(client, member["headers"], symbol="CIPLA", quantity=3, avg_price=1400)
    drain()
    sql(
        "UPDATE price_snapshots SET price = 1, refreshed_at = now() - interval '1 day' "
        "WHERE symbol = 'CIPLA'"
    )

    _tick(drain, at)

    [(outcome, detail)] = job_runs("refresh_prices", at)
    assert outcome == "ok" and detail["refreshed"] >= 1 and detail["failed"] == 0
    [(price,)] = sql("SELECT price FROM price_snapshots WHERE symbol = 'CIPLA'")
    assert price == demo_quote("CIPLA").price


@pytest.mark.parametrize(
    ("at", "reason"),
    [(SATURDAY, "weekend"), (EVENING, "after the NSE close"), (EARLY, "before the NSE open")],
)
def test_a_tick_outside_market_hours_is_recorded_as_skipped(client, member, drain, at, reason):
    add_holding(client, member["headers"], symbol="DRREDDY", quantity=1, avg_price=1200)
    drain()
    sql("UPDATE price_snapshots SET price = 1 WHERE symbol = 'DRREDDY'")

    _tick(drain, at)

    [(outcome, detail)] = job_runs("refresh_prices", at)
    assert outcome == "skipped" and reason in detail["reason"]
    assert sql("SELECT price FROM price_snapshots WHERE symbol = 'DRREDDY'") == [(1.0,)]


def test_a_tick_between_turns_does_nothing_and_records_nothing(drain):
    _tick(drain, NOT_A_TURN)

    assert job_runs("refresh_prices", NOT_A_TURN) == []


def test_cleanup_jobs_run_on_their_ist_schedule_and_record_their_runs(drain):
    from workers.jobs import cleanup_expired_otps, cleanup_refresh_tokens

    on_the_hour, off_the_hour = "2026-12-03T11:00:00+05:30", "2026-12-03T11:15:00+05:30"
    cleanup_expired_otps.send(at=on_the_hour)
    cleanup_expired_otps.send(at=off_the_hour)
    cleanup_refresh_tokens.send(at="2026-12-03T11:30:00+05:30")
    drain()

    [(outcome, detail)] = job_runs("cleanup_expired_otps", on_the_hour)
    assert outcome == "ok" and "codes" in detail
    assert job_runs("cleanup_expired_otps", off_the_hour) == []
    [(outcome, detail)] = job_runs("cleanup_refresh_tokens", "2026-12-03T11:30:00+05:30")
    assert outcome == "ok" and {"tokens", "families"} <= set(detail)
