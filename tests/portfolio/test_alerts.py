"""Price and indicator alerts: CRUD, bad input, and firing once per crossing."""

from __future__ import annotations

import asyncio
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from domain.market.errors import SourceUnavailable
from scripts.services import body_text
from tests.helpers import bearer, register, sql


def _alert(client, headers: dict, **body):
    return client.post("/alerts/", headers=headers, json=body)


def _emails(user_id: str) -> int:
    [(count,)] = sql(
        "SELECT count(*) FROM email_log WHERE user_id = :u AND email_type = 'price_alert'",
        u=uuid.UUID(user_id),
    )
    return count


def test_an_alert_is_created_read_changed_and_deleted(client, member, drain):
    headers = member["headers"]
    created = _alert(
        client, headers, symbol="tcs", metric="rsi_14", operator="below", threshold=30, note="dip"
    )

    changed = client.put(f"/alerts/{created.json()['id']}", headers=headers, json={"threshold": 25})
    listed = client.get("/alerts/", headers=headers).json()
    one = client.get(f"/alerts/{created.json()['id']}", headers=headers).json()
    deleted = client.delete(f"/alerts/{created.json()['id']}", headers=headers)
    drain()

    assert created.status_code == 201
    assert created.json()["condition"] == "RSI 14 of TCS below 30"
    assert created.json()["refresh_job_id"] and created.json()["armed"] is True
    assert changed.json()["condition"] == "RSI 14 of TCS below 25"
    assert [a["id"] for a in listed] == [created.json()["id"]]
    assert one["condition"] == "RSI 14 of TCS below 25" and one["note"] == "dip"
    assert deleted.status_code == 204
    assert client.get("/alerts/", headers=headers).json() == []


def test_a_true_condition_emails_once_and_stays_quiet_on_the_next_refresh(
    client, member, mailbox, drain
):
    headers = member["headers"]
    alert = _alert(client, headers, symbol="INFY", operator="above", threshold=1).json()
    message = mailbox.wait_for(member["email"], "Price alert: INFY above")
    drain()

    client.post("/portfolio/update-prices", headers=headers)
    drain()

    [state] = client.get("/alerts/", headers=headers).json()
    assert "INFY above ₹1.00" in message["Subject"]
    assert state["id"] == alert["id"] and state["armed"] is False
    assert state["last_triggered_at"] and state["last_value"] > 1
    assert _emails(member["user"]["id"]) == 1


@dataclass(frozen=True)
class _Quote:
    price: float
    previous_close: float = 100.0
    source: str = "demo"
    as_of: datetime = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    stale: bool = False


class _SteeredSource:
    """A market that quotes whatever price the test sets; None is an outage."""

    name = "demo"

    def __init__(self) -> None:
        self.price: float | None = 0.0

    def quote(self, instrument) -> _Quote:
        if self.price is None:
            raise SourceUnavailable("the market is down", source="demo")
        return _Quote(self.price)


def _watch_above(member: dict, symbol: str, threshold: float) -> None:
    sql(
        "INSERT INTO price_alerts (id, user_id, symbol, exchange, metric, operator, threshold) "
        "VALUES (gen_random_uuid(), :u, :symbol, 'NSE', 'price', 'above', :threshold)",
        u=uuid.UUID(member["user"]["id"]),
        symbol=symbol,
        threshold=threshold,
    )


def _refreshes(symbol: str, prices: list[float | None]) -> list[tuple[int, int]]:
    """(alerts fired, alerts re-armed) by one refresh of `symbol` per price,
    run by the job's own code against a steered market."""
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from domain.accounts.common import Accounts
    from domain.alerts.checks import email_notifier
    from domain.db.session import async_url
    from domain.mail.outbox import Outbox
    from domain.portfolio.refresh import run_refresh
    from domain.settings import get_settings
    from workers.email import dispatch

    source = _SteeredSource()
    notify = email_notifier(Accounts(get_settings(), Outbox(dispatch)))

    async def run() -> list[tuple[int, int]]:
        engine = create_async_engine(async_url(os.environ["DATABASE_URL"]))
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        counts = []
        try:
            for price in prices:
                source.price = price
                keys = {(symbol, "NSE")}
                result = await run_refresh(sessions, source, keys, datetime.now(UTC), notify)
                counts.append((result["alerts_fired"], result["alerts_rearmed"]))
        finally:
            await engine.dispose()
        return counts

    return asyncio.run(run())


def test_an_alert_fires_again_only_after_its_condition_was_false(member, mailbox, stack):
    _watch_above(member, "WIPRO", 250)

    counts = _refreshes("WIPRO", [300, 310, 200, 320])

    assert counts == [(1, 0), (0, 0), (0, 1), (1, 0)]
    mailbox.wait_for(member["email"], "Price alert: WIPRO above")
    assert _emails(member["user"]["id"]) == 2


def test_an_alert_set_during_an_outage_waits_for_a_fresh_price(member, mailbox, stack):
    # Given EICHERMOT's last good price, 300, is above a new alert's 250
    assert _refreshes("EICHERMOT", [300]) == [(0, 0)]
    _watch_above(member, "EICHERMOT", 250)

    # When the source fails, then answers again
    counts = _refreshes("EICHERMOT", [None, 305])

    # Then the alert fires once, on the fresh price
    assert counts == [(0, 0), (1, 0)]
    message = mailbox.wait_for(member["email"], "Price alert: EICHERMOT above")
    assert "305" in body_text(message)
    assert _emails(member["user"]["id"]) == 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"symbol": "NOPE123X", "operator": "above", "threshold": 10}, 400, "symbol"),
        ({"symbol": "INFY", "metric": "macd", "operator": "above", "threshold": 1}, 400, "metric"),
        ({"symbol": "INFY", "operator": "sideways", "threshold": 1}, 400, "operator"),
        ({"symbol": "INFY", "operator": "above", "threshold": 0}, 400, "threshold"),
        ({"symbol": "INFY", "operator": "below", "threshold": -5}, 400, "threshold"),
        (
            {"symbol": "INFY", "metric": "rsi_14", "operator": "below", "threshold": 130},
            400,
            "threshold",
        ),
        ({"symbol": "INFY", "operator": "above", "threshold": 1e12}, 400, "threshold"),
        ({"symbol": "INFY", "operator": "above", "threshold": 9, "note": "a\x00b"}, 400, "note"),
    ],
)
def test_a_bad_alert_is_refused_and_changes_nothing(client, member, body, status, field):
    response = _alert(client, member["headers"], **body)

    assert response.status_code == status
    assert response.json()["errors"][0]["field"] == field
    assert client.get("/alerts/", headers=member["headers"]).json() == []


def test_a_bad_change_leaves_the_alert_as_it_was(client, member):
    headers = member["headers"]
    alert = _alert(client, headers, symbol="INFY", operator="above", threshold=2000).json()

    to_rsi = client.put(f"/alerts/{alert['id']}", headers=headers, json={"metric": "rsi_14"})
    unknown = client.put(f"/alerts/{alert['id']}", headers=headers, json={"symbol": "ZZZZQ"})

    assert to_rsi.status_code == unknown.status_code == 400
    [same] = client.get("/alerts/", headers=headers).json()
    assert (same["symbol"], same["metric"], same["threshold"]) == ("INFY", "price", 2000)


def test_another_users_alert_does_not_exist_for_them(client, member, mailbox):
    other = bearer(register(client, mailbox)["access_token"])
    alert = _alert(client, member["headers"], symbol="INFY", operator="above", threshold=9999)

    read = client.get(f"/alerts/{alert.json()['id']}", headers=other)
    update = client.put(f"/alerts/{alert.json()['id']}", headers=other, json={"threshold": 1})
    delete = client.delete(f"/alerts/{alert.json()['id']}", headers=other)

    assert read.status_code == update.status_code == delete.status_code == 404
    assert read.json()["code"] == "NOT_FOUND"
    assert client.get("/alerts/", headers=other).json() == []
    assert client.get("/alerts/", headers=member["headers"]).json()[0]["threshold"] == 9999
