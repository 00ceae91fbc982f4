"""Portfolio report settings through the admin API."""

from __future__ import annotations

import pytest


@pytest.fixture
def restore_settings(client, admin):
    before = client.get("/admin/portfolio-reports/settings", headers=admin["headers"]).json()
    yield before
    client.put("/admin/portfolio-reports/settings", json=before, headers=admin["headers"])


def test_report_settings_are_read_and_changed(client, admin, restore_settings):
    response = client.put(
        "/admin/portfolio-reports/settings",
        json={"daily_enabled": False, "send_time": "19:30", "weekly_day": 4},
        headers=admin["headers"],
    )
    read = client.get("/admin/portfolio-reports/settings", headers=admin["headers"]).json()

    assert response.status_code == 200
    assert read == restore_settings | {
        "daily_enabled": False,
        "send_time": "19:30:00",
        "weekly_day": 4,
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [({"weekly_day": 7}, "weekly_day"), ({"monthly_day": 31}, "monthly_day"), ({}, None)],
)
def test_bad_report_settings_are_refused_and_change_nothing(
    client, admin, restore_settings, body, field
):
    response = client.put("/admin/portfolio-reports/settings", json=body, headers=admin["headers"])

    assert response.status_code == 400
    if field:
        assert response.json()["errors"][0]["field"] == field
    read = client.get("/admin/portfolio-reports/settings", headers=admin["headers"]).json()
    assert read == restore_settings
