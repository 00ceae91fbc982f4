"""The activity log: every admin action with its before and after, read-only."""

from __future__ import annotations

import pytest


def _log(client, admin, **params) -> dict:
    response = client.get("/admin/activity-logs", params=params, headers=admin["headers"])
    assert response.status_code == 200, response.text
    return response.json()


def test_admin_actions_are_logged_with_before_and_after(client, admin, member):
    h = admin["headers"]
    client.put(f"/admin/rate-limits/user/{member['id']}", json={"per_chat": 9}, headers=h)
    client.post("/admin/rate-limits/whitelist", json={"user_id": member["id"]}, headers=h)
    client.delete(f"/admin/rate-limits/whitelist/{member['id']}", headers=h)
    client.put(f"/admin/users/{member['id']}/deactivate", json={"reason": "spam"}, headers=h)

    entries = _log(client, admin, target_type="user", target_id=member["id"])["items"]

    assert [e["action"] for e in entries] == [
        "user.deactivate",
        "rate_limits.whitelist_remove",
        "rate_limits.whitelist_add",
        "rate_limits.override",
    ]
    deactivate, _, _, override = entries
    assert deactivate["before"] == {"is_active": True}
    assert deactivate["after"] == {"is_active": False, "reason": "spam"}
    assert override["before"] is None and override["after"]["per_chat"] == 9
    assert all(e["admin_id"] == admin["id"] for e in entries)
    assert all(e["ip"] == "127.0.0.1" and e["user_agent"] for e in entries)


def test_the_log_filters_by_action_admin_and_time(client, admin):
    login = _log(client, admin, action="admin.login", admin_id=admin["id"])
    since_now = _log(client, admin, admin_id=admin["id"], since="2100-01-01T00:00:00Z")

    assert login["total"] == 1 and login["items"][0]["target_id"] == admin["id"]
    assert since_now["total"] == 0


def test_a_refused_change_leaves_no_log_entry(client, admin):
    bad = client.put(
        "/admin/rate-limits/global", json={"burst_per_minute": 0}, headers=admin["headers"]
    )

    assert bad.status_code == 400
    assert _log(client, admin, action="rate_limits.global", admin_id=admin["id"])["total"] == 0


def test_the_log_cannot_be_edited_through_the_api(client, admin):
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        response = client.request(method, "/admin/activity-logs", headers=admin["headers"])
        assert response.status_code == 405, method


def test_the_database_refuses_to_change_or_delete_log_rows(admin):
    from tests.helpers import sql

    with pytest.raises(Exception, match="append-only"):
        sql("UPDATE admin_activity_log SET action = 'x' WHERE admin_id = :id", id=admin["id"])
    with pytest.raises(Exception, match="append-only"):
        sql("DELETE FROM admin_activity_log WHERE admin_id = :id", id=admin["id"])


def test_every_kind_of_admin_action_is_logged(client, admin, member, chat_restarted):
    from domain.admin.audit import AdminAction

    h, target = admin["headers"], member["id"]
    limits = client.get("/admin/rate-limits/config", headers=h).json()["global_limits"]
    reports = client.get("/admin/portfolio-reports/settings", headers=h).json()
    calls = [
        ("PUT", "/admin/rate-limits/global", limits),
        ("PUT", f"/admin/rate-limits/user/{target}", {"per_chat": 9}),
        ("POST", "/admin/rate-limits/whitelist", {"user_id": target}),
        ("DELETE", f"/admin/rate-limits/whitelist/{target}", None),
        ("POST", f"/admin/rate-limits/reset/{target}", None),
        ("PUT", "/admin/portfolio-reports/settings", reports),
        ("PUT", f"/admin/users/{target}/deactivate", None),
        ("PUT", f"/admin/users/{target}/reactivate", None),
        ("POST", "/admin/system/control", {"action": "stop"}),
        ("POST", "/admin/system/control", {"action": "maintenance", "message": "m"}),
        ("POST", "/admin/system/control", {"action": "start"}),
        ("POST", "/scheduler/jobs/cleanup_expired_otps/runs", None),
    ]
    for method, path, body in calls:
        response = client.request(method, path, json=body, headers=h)
        assert response.is_success, (path, response.text)

    entries = _log(client, admin, admin_id=admin["id"], size=100)["items"]

    assert {e["action"] for e in entries} == {action.value for action in AdminAction}
    assert all(e["created_at"] and e["ip"] for e in entries)
    switch = [e for e in entries if e["target_type"] == "system"]
    assert [e["after"]["enabled"] for e in switch] == [True, True, False]
    assert switch[-1]["before"]["enabled"] is True
