"""Shared steps for the portfolio, alert and scheduler tests."""

from __future__ import annotations

import pytest

from domain.market import DemoSource, resolve
from tests.helpers import bearer, register, sql


@pytest.fixture
def member(client, mailbox) -> dict:
    """A freshly registered user and their auth headers."""
    account = register(client, mailbox)
    return account | {"headers": bearer(account["access_token"])}


def add_holding(client, headers: dict, **body) -> dict:
    response = client.post("/portfolio/", headers=headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def demo_quote(symbol: str):
    """What the workers' demo source says about `symbol` today."""
    return DemoSource().quote(resolve(symbol))


def job_runs(job: str, at: str) -> list:
    """(outcome, detail) of the runs of `job` that acted for tick `at`."""
    return sql(
        "SELECT outcome::text, detail FROM job_runs WHERE job = :job AND detail->>'at' = :at",
        job=job,
        at=at,
    )


@pytest.fixture
def default_report_schedule():
    """The operator schedule at its defaults (all on, 18:00 IST, Saturday,
    day 1) for the test, and as it was afterwards."""
    before = sql("SELECT * FROM report_settings WHERE id = 1")
    sql("DELETE FROM report_settings")
    yield
    sql("DELETE FROM report_settings")
    if before:
        row = before[0]._mapping
        columns = ", ".join(row.keys())
        values = ", ".join(f":{name}" for name in row.keys())
        sql(f"INSERT INTO report_settings ({columns}) VALUES ({values})", **row)
