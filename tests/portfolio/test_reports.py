"""Portfolio report emails: the right figures, once per user and period."""

from __future__ import annotations

import uuid

import pytest

from domain.mail.render import format_inr, format_pct
from scripts.services import body_text
from tests.helpers import sql
from tests.portfolio.conftest import add_holding, demo_quote, job_runs

pytestmark = pytest.mark.usefixtures("default_report_schedule")

# Wednesday 2 December 2026, five minutes after the default 18:00 IST send time.
DAILY_DUE = "2026-12-02T18:05:00+05:30"


def _prefer(client, headers: dict, frequency: str) -> None:
    response = client.put(
        "/user/email-preferences", headers=headers, json={"report_frequency": frequency}
    )
    assert response.status_code == 200, response.text


def _send_reports(drain, at: str) -> None:
    from workers.portfolio import send_portfolio_reports

    send_portfolio_reports.send(at=at)
    drain()


def _reports_in(mailbox, address: str) -> list:
    return [m for m in mailbox.to(address) if "portfolio report" in str(m["Subject"])]


def _report_rows(user_id: str, kind: str) -> int:
    [(count,)] = sql(
        "SELECT count(*) FROM email_log WHERE user_id = :u AND email_type = :t",
        u=uuid.UUID(user_id),
        t=kind,
    )
    return count


def test_a_daily_report_carries_the_holdings_totals_and_movers(client, member, mailbox, drain):
    headers = member["headers"]
    _prefer(client, headers, "daily")
    add_holding(client, headers, symbol="MARUTI", quantity=2, avg_price=12000)
    add_holding(client, headers, symbol="TITAN", quantity=5, avg_price=3000)
    drain()

    _send_reports(drain, DAILY_DUE)

    message = mailbox.wait_for(member["email"], "Daily portfolio report")
    text = body_text(message).replace("\r\n", "\n")
    maruti, titan = demo_quote("MARUTI"), demo_quote("TITAN")
    invested, value = 2 * 12000 + 5 * 3000, 2 * maruti.price + 5 * titan.price
    assert "Wednesday, 2 December 2026" in text and "DEMO DATA" in text
    assert f"Qty 2 @ avg {format_inr(12000)}, last {format_inr(maruti.price)}" in text
    assert f"Value {format_inr(5 * titan.price)}" in text
    assert f"Invested:       {format_inr(invested)}" in text
    assert f"Current value:  {format_inr(value)}" in text
    pnl_pct = (value - invested) / invested * 100
    assert f"{format_inr(value - invested, signed=True)} ({format_pct(pnl_pct)})" in text
    moves = {"MARUTI": maruti.change_pct * 100, "TITAN": titan.change_pct * 100}
    gainers = sorted((m for m in moves.items() if m[1] > 0), key=lambda m: -m[1])
    losers = sorted((m for m in moves.items() if m[1] < 0), key=lambda m: m[1])
    for heading, ranked in (("TOP GAINERS", gainers), ("TOP LOSERS", losers)):
        if ranked:
            symbol, pct = ranked[0]
            assert f"{heading}\n  {symbol} {format_pct(round(pct, 2))}" in text


def test_running_the_report_job_twice_sends_one_email(client, member, mailbox, drain):
    headers = member["headers"]
    _prefer(client, headers, "daily")
    add_holding(client, headers, symbol="NTPC", quantity=10, avg_price=300)
    drain()

    _send_reports(drain, DAILY_DUE)
    mailbox.wait_for(member["email"], "Daily portfolio report")
    _send_reports(drain, "2026-12-02T18:30:00+05:30")

    user_id = member["user"]["id"]
    assert _report_rows(user_id, "report_daily") == 1
    assert len(_reports_in(mailbox, member["email"])) == 1
    rows = sql(
        "SELECT frequency, period_key FROM report_deliveries WHERE user_id = :u",
        u=uuid.UUID(user_id),
    )
    assert rows == [("daily", "2026-12-02")]


def test_a_redelivered_report_tick_sends_one_email(client, member, mailbox, drain):
    from workers.portfolio import send_portfolio_reports

    headers = member["headers"]
    _prefer(client, headers, "daily")
    add_holding(client, headers, symbol="POWERGRID", quantity=10, avg_price=250)
    drain()

    # One tick delivered twice, both copies in flight together.
    tick = "2026-12-02T18:10:00+05:30"
    send_portfolio_reports.send(at=tick)
    send_portfolio_reports.send(at=tick)
    drain()

    mailbox.wait_for(member["email"], "Daily portfolio report")
    assert _report_rows(member["user"]["id"], "report_daily") == 1
    assert len(_reports_in(mailbox, member["email"])) == 1
    runs = job_runs("send_portfolio_reports", tick)
    assert len(runs) == 2 and {outcome for outcome, _ in runs} <= {"ok", "skipped"}


def test_reports_follow_each_users_frequency_and_the_operator_switch(
    client, member, mailbox, drain
):
    headers = member["headers"]
    _prefer(client, headers, "weekly")
    add_holding(client, headers, symbol="ONGC", quantity=10, avg_price=250)
    drain()
    user_id = member["user"]["id"]

    _send_reports(drain, DAILY_DUE)  # a Wednesday: daily reports only
    before = _report_rows(user_id, "report_weekly")
    sql("INSERT INTO report_settings (id, weekly_enabled) VALUES (1, false)")
    _send_reports(drain, "2026-12-05T18:05:00+05:30")  # Saturday, weekly switched off
    switched_off = _report_rows(user_id, "report_weekly")
    sql("UPDATE report_settings SET weekly_enabled = true WHERE id = 1")
    _send_reports(drain, "2026-12-05T18:05:00+05:30")

    mailbox.wait_for(member["email"], "Weekly portfolio report")
    assert (before, switched_off) == (0, 0)
    assert _report_rows(user_id, "report_weekly") == 1
    assert _report_rows(user_id, "report_daily") == 0


def test_a_tick_before_the_send_time_sends_nothing(client, member, drain):
    headers = member["headers"]
    _prefer(client, headers, "daily")
    add_holding(client, headers, symbol="BEL", quantity=10, avg_price=300)
    drain()

    _send_reports(drain, "2026-12-01T17:45:00+05:30")

    assert _report_rows(member["user"]["id"], "report_daily") == 0
