"""Rate-limit configuration through the admin API, seen by every API process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.admin.conftest import prompt

LIMIT_FIELDS = ("burst_per_minute", "per_chat", "per_hour", "per_day")


@pytest.fixture
def restore_global(client, admin):
    """Put the global limits back as they were: other tests share them."""
    before = client.get("/admin/rate-limits/config", headers=admin["headers"]).json()
    yield before["global_limits"]
    client.put("/admin/rate-limits/global", json=before["global_limits"], headers=admin["headers"])


def test_the_config_shows_global_limits_overrides_and_whitelist(client, admin, member):
    client.put(
        f"/admin/rate-limits/user/{member['id']}", json={"per_chat": 7}, headers=admin["headers"]
    )
    client.post(
        "/admin/rate-limits/whitelist",
        json={"user_id": admin["id"], "reason": "operator"},
        headers=admin["headers"],
    )

    config = client.get("/admin/rate-limits/config", headers=admin["headers"]).json()

    assert set(config["global_limits"]) == set(LIMIT_FIELDS)
    assert config["defaults"]["per_day"] == 1000
    override = next(o for o in config["overrides"] if o["user_id"] == member["id"])
    assert override["limits"]["per_chat"] == 7 and override["limits"]["per_hour"] is None
    listed = next(w for w in config["whitelist"] if w["user_id"] == admin["id"])
    assert listed["reason"] == "operator" and listed["added_by"] == admin["id"]


def test_global_limits_change_partly_and_the_rest_stays(client, admin, restore_global):
    changed = client.put(
        "/admin/rate-limits/global", json={"per_chat": 40}, headers=admin["headers"]
    )

    config = client.get("/admin/rate-limits/config", headers=admin["headers"]).json()
    assert changed.status_code == 200
    assert config["global_limits"] == restore_global | {"per_chat": 40}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"burst_per_minute": 0}, "burst_per_minute"),
        ({"per_day": -5}, "per_day"),
        ({"burst_per_minute": 500, "per_hour": 100}, "burst_per_minute"),
        ({"per_hour": 2000, "per_day": 1000}, "per_hour"),
        ({}, "burst_per_minute"),
    ],
)
def test_bad_global_limits_are_refused_naming_the_field_and_change_nothing(
    client, admin, restore_global, body, field
):
    response = client.put("/admin/rate-limits/global", json=body, headers=admin["headers"])

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    config = client.get("/admin/rate-limits/config", headers=admin["headers"]).json()
    assert config["global_limits"] == restore_global


def test_a_user_override_is_set_shown_and_removed(client, admin, member):
    path = f"/admin/rate-limits/user/{member['id']}"

    set_ = client.put(path, json={"per_hour": 20, "per_day": 30}, headers=admin["headers"])
    shown = client.get(f"/admin/users/{member['id']}", headers=admin["headers"]).json()
    bad = client.put(path, json={"per_hour": 40, "per_day": 30}, headers=admin["headers"])
    removed = client.put(path, json={}, headers=admin["headers"])
    after = client.get(f"/admin/users/{member['id']}", headers=admin["headers"]).json()

    assert set_.status_code == 200 and set_.json()["override"]["per_hour"] == 20
    assert shown["override"]["per_day"] == 30 and shown["effective_limits"]["per_hour"] == 20
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "per_hour"
    assert removed.json()["override"] is None and after["override"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"per_hour": 5000}, "per_hour"),
        ({"per_day": 5}, "per_day"),
        ({"burst_per_minute": 500}, "burst_per_minute"),
        ({"per_chat": 0}, "per_chat"),
    ],
)
def test_an_override_out_of_order_with_the_global_limits_is_refused(
    client, admin, member, restore_global, body, field
):
    # Given global limits in order, with room on each side.
    client.put(
        "/admin/rate-limits/global",
        json={"burst_per_minute": 10, "per_hour": 150, "per_day": 1000},
        headers=admin["headers"],
    )

    response = client.put(
        f"/admin/rate-limits/user/{member['id']}", json=body, headers=admin["headers"]
    )

    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["field"] == field
    detail = client.get(f"/admin/users/{member['id']}", headers=admin["headers"]).json()
    assert detail["override"] is None


def test_a_whitelisted_user_has_no_limits_until_removed(client, admin, member):
    added = client.post(
        "/admin/rate-limits/whitelist",
        json={"user_id": member["id"], "reason": "load test"},
        headers=admin["headers"],
    )
    listed = client.get(f"/admin/users/{member['id']}", headers=admin["headers"]).json()
    removed = client.delete(
        f"/admin/rate-limits/whitelist/{member['id']}", headers=admin["headers"]
    )
    again = client.delete(f"/admin/rate-limits/whitelist/{member['id']}", headers=admin["headers"])
    after = client.get(f"/admin/users/{member['id']}", headers=admin["headers"]).json()

    assert added.status_code == 201 and removed.status_code == 200
    assert listed["whitelisted"] is True and listed["effective_limits"] is None
    assert listed["whitelist_reason"] == "load test"
    assert again.status_code == 404
    assert after["whitelisted"] is False and after["effective_limits"] is not None


def test_violations_are_listed_and_filtered_and_counters_can_be_reset(stack, client, admin, member):
    client.put(
        f"/admin/rate-limits/user/{member['id']}",
        json={"burst_per_minute": 1},
        headers=admin["headers"],
    )
    assert prompt(stack["url"], member["access_token"])[-1]["type"] == "message_complete"
    refused = prompt(stack["url"], member["access_token"])[-1]

    mine = client.get(
        "/admin/rate-limits/violations",
        params={"user_id": member["id"], "level": "burst"},
        headers=admin["headers"],
    ).json()
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    none_yet = client.get(
        "/admin/rate-limits/violations",
        params={"user_id": member["id"], "since": future},
        headers=admin["headers"],
    ).json()
    reset = client.post(f"/admin/rate-limits/reset/{member['id']}", headers=admin["headers"])
    after_reset = prompt(stack["url"], member["access_token"])[-1]

    assert refused["code"] == "RATE_LIMITED" and refused["level"] == "burst"
    assert mine["total"] == 1 and mine["items"][0]["username"] == member["username"]
    assert mine["items"][0]["limit"] == 1
    assert none_yet["total"] == 0
    assert reset.status_code == 200 and reset.json()["keys_removed"] >= 1
    assert after_reset["type"] == "message_complete"


def test_an_override_set_on_one_api_process_applies_on_another(
    stack, client, admin, member, second_api
):
    # The second process has served this user already, so it holds cached limits.
    assert prompt(second_api, member["access_token"])[-1]["type"] == "message_complete"

    client.put(
        f"/admin/rate-limits/user/{member['id']}",
        json={"burst_per_minute": 1},
        headers=admin["headers"],
    )
    refused = prompt(second_api, member["access_token"])[-1]

    seen = httpx.get(f"{second_api}/admin/users/{member['id']}", headers=admin["headers"]).json()
    assert seen["effective_limits"]["burst_per_minute"] == 1
    assert refused["type"] == "error" and refused["code"] == "RATE_LIMITED"
