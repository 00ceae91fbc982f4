"""Admins run a job now, whatever its schedule, and poll the run."""

from __future__ import annotations

import uuid

import pytest

from scripts.services import body_text
from tests.admin.conftest import make_admin
from tests.helpers import sql
from tests.portfolio.conftest import add_holding, demo_quote


@pytest.fixture
def admin(client, mailbox) -> dict:
    return make_admin(client, mailbox)


def _run(client, admin: dict, job: str) -> dict:
    response = client.post(f"/scheduler/jobs/{job}/runs", headers=admin["headers"])
    assert response.status_code == 202, response.text
    return response.json()


def _daily_reports(user_id: str) -> int:
    [(count,)] = sql(
        "SELECT count(*) FROM email_log WHERE user_id = :u AND email_type = 'report_daily'",
        u=uuid.UUID(user_id),
    )
    return count


@pytest.mark.usefixtures("default_report_schedule")
def test_the_report_job_run_by_hand_emails_this_periods_report_once(
    client, admin, member, mailbox, drain
):
    headers = member["headers"]
    prefs = {"report_frequency": "daily"}
    assert client.put("/user/email-preferences", headers=headers, json=prefs).status_code == 200
    add_holding(client, headers, symbol="APOLLOHOSP", quantity=2, avg_price=6000)
    drain()

    first = _run(client, admin, "send_portfolio_reports")
    drain()
    again = _run(client, admin, "send_portfolio_reports")
    drain()

    message = mailbox.wait_for(member["email"], "Daily portfolio report")
    assert "APOLLOHOSP" in body_text(message)
    done = client.get(first["poll_url"], headers=admin["headers"]).json()
    assert (done["job"], done["trigger"], done["state"]) == (
        "send_portfolio_reports",
        "request",
        "finished",
    )
    assert done["outcome"] == "ok" and done["detail"]["periods"]["daily"]["sent"] >= 1
    second = client.get(again["poll_url"], headers=admin["headers"]).json()
    assert second["outcome"] == "skipped" and second["id"] != done["id"]
    assert _daily_reports(member["user"]["id"]) == 1


def test_a_refresh_run_by_hand_prices_every_listing_at_any_hour(client, admin, member, drain):
    add_holding(client, member["headers"], symbol="JSWSTEEL", quantity=3, avg_price=900)
    drain()
    sql("UPDATE price_snapshots SET price = 1 WHERE symbol = 'JSWSTEEL'")

    run = _run(client, admin, "refresh_prices")
    drain()

    done = client.get(run["poll_url"], headers=admin["headers"]).json()
    assert done["outcome"] == "ok" and done["detail"]["failed"] == 0
    [(price,)] = sql("SELECT price FROM price_snapshots WHERE symbol = 'JSWSTEEL'")
    assert price == demo_quote("JSWSTEEL").price


def test_a_cleanup_run_by_hand_records_what_it_removed(client, admin, drain):
    run = _run(client, admin, "cleanup_expired_otps")
    drain()

    done = client.get(run["poll_url"], headers=admin["headers"]).json()
    assert done["outcome"] == "ok" and "codes" in done["detail"]


def test_only_admins_run_jobs_and_only_known_ones(client, admin, member):
    as_member = client.post("/scheduler/jobs/refresh_prices/runs", headers=member["headers"])
    unknown = client.post("/scheduler/jobs/mine_bitcoin/runs", headers=admin["headers"])
    no_run = client.get(f"/scheduler/runs/{uuid.uuid4()}", headers=admin["headers"])
    anonymous = client.post("/scheduler/jobs/refresh_prices/runs")

    assert (as_member.status_code, as_member.json()["code"]) == (403, "FORBIDDEN")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "NOT_FOUND")
    assert "send_portfolio_reports" in unknown.json()["detail"]
    assert no_run.status_code == 404
    assert anonymous.status_code == 401


def test_a_job_run_by_hand_is_in_the_activity_log_once(client, admin, drain):
    first = _run(client, admin, "cleanup_expired_otps")
    again = _run(client, admin, "cleanup_expired_otps")  # may be the same run, still open
    drain()

    logs = client.get(
        "/admin/activity-logs",
        params={"action": "jobs.run", "admin_id": admin["id"]},
        headers=admin["headers"],
    ).json()["items"]

    runs = {first["id"], again["id"]}
    assert sorted(e["target_id"] for e in logs) == sorted(runs)
    assert {(e["target_type"], e["after"]["job"]) for e in logs} == {
        ("job_run", "cleanup_expired_otps")
    }
