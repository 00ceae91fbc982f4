"""The /portfolio endpoints: holdings valued from refreshed snapshots."""

from __future__ import annotations

import uuid

import pytest

from tests.helpers import sql
from tests.portfolio.conftest import add_holding, demo_quote


def test_a_new_holding_is_pending_until_its_refresh_has_run(client, member, drain):
    # Nobody else in the suite holds HINDALCO, so no snapshot exists yet.
    created = add_holding(client, member["headers"], symbol="hindalco", quantity=4, avg_price=600)
    drain()

    poll = client.get(
        f"/portfolio/update-prices/{created['refresh_job_id']}", headers=member["headers"]
    )
    portfolio = client.get("/portfolio/", headers=member["headers"]).json()

    assert created["symbol"] == "HINDALCO" and created["exchange"] == "NSE"
    assert created["price_pending"] is True and created["value"] is None
    assert poll.json()["status"] == "done" and poll.json()["refreshed"] == 1
    assert portfolio["holdings"][0]["price_pending"] is False
    assert portfolio["holdings"][0]["last_price"] == demo_quote("HINDALCO").price


def test_the_portfolio_is_valued_at_quantity_times_the_demo_price(client, member, drain):
    headers = member["headers"]
    add_holding(client, headers, symbol="INFY", quantity=10, avg_price=1500, buy_date="2025-06-02")
    add_holding(client, headers, symbol="TCS.BO", quantity=3, avg_price=3000, buy_date="2025-09-01")
    drain()

    body = client.get("/portfolio/", headers=headers).json()

    infy, tcs = (demo_quote("INFY"), demo_quote("TCS.BO"))
    by_symbol = {h["symbol"]: h for h in body["holdings"]}
    assert by_symbol["TCS"]["exchange"] == "BSE"
    value = 10 * infy.price + 3 * tcs.price
    assert by_symbol["INFY"]["value"] == pytest.approx(10 * infy.price, abs=0.01)
    assert by_symbol["INFY"]["pnl"] == pytest.approx(10 * (infy.price - 1500), abs=0.01)
    assert by_symbol["INFY"]["pnl_pct"] == pytest.approx((infy.price / 1500 - 1) * 100, abs=0.01)
    assert by_symbol["INFY"]["day_change_pct"] == pytest.approx(infy.change_pct * 100, abs=0.01)
    assert by_symbol["INFY"]["weight_pct"] == pytest.approx(1000 * infy.price / value, abs=0.01)
    assert by_symbol["INFY"]["source"] == "demo" and by_symbol["INFY"]["as_of"]
    totals = body["totals"]
    assert totals["value"] == pytest.approx(value, abs=0.01)
    assert totals["invested"] == pytest.approx(24000, abs=0.01)
    assert totals["pnl"] == pytest.approx(value - 24000, abs=0.01)
    assert totals["pending"] == 0 and totals["source"] == "demo" and totals["as_of"]
    assert body["demo"] is True and "demo data" in body["notice"].lower()
    [sector] = body["sector_allocation"]
    assert (sector["sector"], sector["weight_pct"], sector["source"]) == ("Technology", 100, "demo")
    assert sector["value"] == pytest.approx(value, abs=0.01) and sector["as_of"]
    assert body["xirr"]["source"] == "demo" and body["xirr"]["as_of"]
    assert body["xirr"]["rate_pct"] is not None and body["xirr"]["reason"] is None


def test_xirr_says_why_it_is_missing_without_a_buy_date(client, member, drain):
    add_holding(client, member["headers"], symbol="ITC", quantity=100, avg_price=400)
    drain()

    xirr = client.get("/portfolio/", headers=member["headers"]).json()["xirr"]

    assert xirr["rate_pct"] is None and "buy date missing for ITC" in xirr["reason"]


def test_a_holding_bought_decades_ago_still_gets_an_xirr(client, member, drain):
    add_holding(
        client, member["headers"], symbol="ITC", quantity=100, avg_price=2, buy_date="1961-03-01"
    )
    drain()

    response = client.get("/portfolio/", headers=member["headers"])

    assert response.status_code == 200
    assert response.json()["xirr"]["rate_pct"] > 0


def test_a_holding_is_changed_and_deleted(client, member, drain):
    headers = member["headers"]
    holding = add_holding(client, headers, symbol="SBIN", quantity=5, avg_price=800)

    changed = client.put(
        f"/portfolio/{holding['id']}", headers=headers, json={"quantity": 7.5, "notes": "top-up"}
    )
    moved = client.put(f"/portfolio/{holding['id']}", headers=headers, json={"exchange": "BSE"})
    deleted = client.delete(f"/portfolio/{holding['id']}", headers=headers)
    drain()

    assert changed.status_code == 200
    assert changed.json()["quantity"] == 7.5 and changed.json()["notes"] == "top-up"
    assert changed.json()["refresh_job_id"] is None
    assert moved.json()["exchange"] == "BSE" and moved.json()["refresh_job_id"]
    assert deleted.status_code == 204
    assert client.get("/portfolio/", headers=headers).json()["holdings"] == []


def test_update_prices_answers_202_with_a_job_to_poll(client, member, drain):
    headers = member["headers"]
    add_holding(client, headers, symbol="RELIANCE", quantity=2, avg_price=1200)
    drain()

    response = client.post("/portfolio/update-prices", headers=headers)
    drain()
    job = client.get(response.json()["poll_url"], headers=headers).json()

    assert response.status_code == 202
    assert response.json()["status"] in ("queued", "running", "done")
    assert job["status"] == "done" and job["outcome"] == "ok"
    assert (job["symbols"], job["refreshed"], job["failed"]) == (1, 1, 0)


def test_an_unknown_symbol_is_refused_with_the_closest_matches(client, member):
    response = client.post(
        "/portfolio/",
        headers=member["headers"],
        json={"symbol": "INFOSIS", "quantity": 1, "avg_price": 10},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "UNKNOWN_SYMBOL"
    assert any("INFY" in s for s in response.json()["suggestions"])
    assert client.get("/portfolio/", headers=member["headers"]).json()["holdings"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": -3}, "quantity"),
        ({"avg_price": 0}, "avg_price"),
        ({"avg_price": -1.5}, "avg_price"),
        ({"buy_date": "2999-01-01"}, "buy_date"),
        ({"buy_date": "1800-01-01"}, "buy_date"),
        ({"quantity": 0.00001}, "quantity"),
        ({"avg_price": 0.00004}, "avg_price"),
        ({"notes": "bought\x00"}, "notes"),
        ({"symbol": "NOPE123X"}, "symbol"),
        ({"exchange": "NYSE"}, "exchange"),
        ({"symbol": "INFY.BO", "exchange": "NSE"}, "exchange"),
    ],
)
def test_bad_holding_figures_are_refused_and_change_nothing(client, member, body, field):
    headers = member["headers"]
    good = {"symbol": "INFY", "quantity": 1, "avg_price": 1000}
    holding = add_holding(client, headers, **good)

    created = client.post("/portfolio/", headers=headers, json=good | body)
    updated = client.put(f"/portfolio/{holding['id']}", headers=headers, json=body)

    assert created.status_code == updated.status_code == 400
    assert created.json()["errors"][0]["field"] == field
    holdings = client.get("/portfolio/", headers=headers).json()["holdings"]
    assert [(h["symbol"], h["exchange"], h["quantity"], h["avg_price"]) for h in holdings] == [
        ("INFY", "NSE", 1.0, 1000.0)
    ]


def test_another_users_holding_and_refresh_do_not_exist_for_them(client, member, mailbox):
    from tests.portfolio.conftest import bearer, register

    other = bearer(register(client, mailbox)["access_token"])
    holding = add_holding(client, member["headers"], symbol="LT", quantity=1, avg_price=3000)

    update = client.put(f"/portfolio/{holding['id']}", headers=other, json={"quantity": 9})
    delete = client.delete(f"/portfolio/{holding['id']}", headers=other)
    poll = client.get(f"/portfolio/update-prices/{holding['refresh_job_id']}", headers=other)
    unknown = client.delete(f"/portfolio/{uuid.uuid4()}", headers=member["headers"])

    assert update.status_code == delete.status_code == poll.status_code == 404
    assert unknown.status_code == 404
    rows = sql("SELECT quantity FROM holdings WHERE id = :id", id=uuid.UUID(holding["id"]))
    assert float(rows[0][0]) == 1.0


def test_the_portfolio_needs_a_signed_in_user(client):
    assert client.get("/portfolio/").status_code == 401
    assert client.post("/portfolio/update-prices").status_code == 401
