"""Listing, inspecting, deactivating and reactivating accounts."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.admin.conftest import make_admin
from tests.helpers import bearer, sql


def test_users_are_listed_newest_first_and_can_be_searched_and_filtered(client, admin, member):
    found = client.get(
        "/admin/users", params={"search": member["username"][3:]}, headers=admin["headers"]
    ).json()
    admins = client.get(
        "/admin/users", params={"role": "admin", "size": 100}, headers=admin["headers"]
    ).json()
    first = client.get("/admin/users", params={"size": 1}, headers=admin["headers"]).json()

    assert [u["id"] for u in found["items"]] == [member["id"]] and found["total"] == 1
    assert admin["id"] in {u["id"] for u in admins["items"]}
    assert {u["role"] for u in admins["items"]} == {"admin"}
    assert first["items"][0]["id"] == member["id"] and first["total"] >= 2
    assert first["page"] == 1 and first["size"] == 1


def test_a_search_term_with_wildcards_matches_them_literally(client, admin, member):
    response = client.get("/admin/users", params={"search": "%"}, headers=admin["headers"])

    assert response.status_code == 200 and response.json()["total"] == 0


def test_bad_paging_is_refused(client, admin):
    response = client.get("/admin/users", params={"size": 0}, headers=admin["headers"])

    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "size"


def test_user_details_show_usage_limits_and_whitelist(client, admin, member):
    response = client.get(f"/admin/users/{member['id']}", headers=admin["headers"])

    detail = response.json()
    assert response.status_code == 200
    assert detail["user"]["email"] == member["email"]
    assert detail["stats"]["prompts"] == 0 and detail["stats"]["active_sessions"] == 1
    assert detail["effective_limits"]["per_chat"] >= 1
    assert detail["override"] is None and detail["whitelisted"] is False
    assert detail["recent_violations"] == []


def test_an_unknown_user_is_404_everywhere(client, admin):
    missing = uuid.uuid4()
    calls = [
        ("GET", f"/admin/users/{missing}", None),
        ("PUT", f"/admin/users/{missing}/deactivate", {"reason": "x"}),
        ("PUT", f"/admin/users/{missing}/reactivate", None),
        ("PUT", f"/admin/rate-limits/user/{missing}", {"burst_per_minute": 5}),
        ("POST", "/admin/rate-limits/whitelist", {"user_id": str(missing)}),
        ("DELETE", f"/admin/rate-limits/whitelist/{missing}", None),
        ("POST", f"/admin/rate-limits/reset/{missing}", None),
    ]

    for method, path, body in calls:
        response = client.request(method, path, json=body, headers=admin["headers"])
        assert response.status_code == 404, (path, response.text)
        assert response.json()["code"] == "NOT_FOUND"


def test_deactivation_stops_the_users_tokens_at_once_and_tells_them(client, mailbox, admin, member):
    response = client.put(
        f"/admin/users/{member['id']}/deactivate",
        json={"reason": "Abuse of the service"},
        headers=admin["headers"],
    )

    assert response.status_code == 200 and response.json()["is_active"] is False
    assert client.get("/user/profile", headers=member["headers"]).status_code in (401, 403)
    refresh = client.post("/auth/refresh", json={"refresh_token": member["refresh_token"]})
    assert refresh.status_code in (401, 403)
    mail = mailbox.wait_for(member["email"], "deactivated")
    assert "Abuse of the service" in mail.get_body(preferencelist=("plain",)).get_content()


def test_a_reactivated_user_can_sign_in_again_and_is_told(client, mailbox, admin, member):
    client.put(f"/admin/users/{member['id']}/deactivate", headers=admin["headers"])

    response = client.put(f"/admin/users/{member['id']}/reactivate", headers=admin["headers"])

    assert response.status_code == 200 and response.json()["is_active"] is True
    mailbox.wait_for(member["email"], "active again")
    login = client.post(
        "/auth/login", json={"username": member["username"], "password": member["password"]}
    )
    assert login.status_code == 200
    assert client.get("/user/profile", headers=bearer(login.json()["access_token"])).is_success


def test_deactivating_twice_or_reactivating_an_active_user_conflicts(client, admin, member):
    active = client.put(f"/admin/users/{member['id']}/reactivate", headers=admin["headers"])
    client.put(f"/admin/users/{member['id']}/deactivate", headers=admin["headers"])
    again = client.put(f"/admin/users/{member['id']}/deactivate", headers=admin["headers"])

    assert active.status_code == 409 and again.status_code == 409


def test_an_admin_cannot_deactivate_themselves(client, mailbox, admin):
    make_admin(client, mailbox)  # someone else is still admin

    response = client.put(f"/admin/users/{admin['id']}/deactivate", headers=admin["headers"])

    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "user_id"
    assert sql("SELECT is_active FROM users WHERE id = :id", id=admin["id"])[0][0] is True


def test_the_only_active_admin_cannot_be_deactivated(client, admin):
    others = [
        row[0]
        for row in sql(
            "UPDATE users SET role = 'user' WHERE role = 'admin' AND id <> :id RETURNING id",
            id=admin["id"],
        )
    ]
    try:
        response = client.put(f"/admin/users/{admin['id']}/deactivate", headers=admin["headers"])
    finally:
        for other in others:
            sql("UPDATE users SET role = 'admin' WHERE id = :id", id=other)

    assert response.status_code == 409 and response.json()["code"] == "CONFLICT"
    assert sql("SELECT is_active FROM users WHERE id = :id", id=admin["id"])[0][0] is True


def test_an_admin_can_deactivate_another_admin(client, mailbox, admin):
    other = make_admin(client, mailbox)

    response = client.put(f"/admin/users/{other['id']}/deactivate", headers=admin["headers"])

    assert response.status_code == 200
    assert client.get("/admin/dashboard", headers=other["headers"]).status_code in (401, 403)


def test_two_admins_deactivating_each_other_at_once_leave_one_admin(client, mailbox, admin):
    other = make_admin(client, mailbox)
    demoted = [
        row[0]
        for row in sql(
            "UPDATE users SET role = 'user' WHERE role = 'admin' AND id NOT IN (:a, :b) "
            "RETURNING id",
            a=admin["id"],
            b=other["id"],
        )
    ]
    start = threading.Barrier(2)

    def deactivate(actor: dict, target: dict) -> int:
        start.wait()
        path = f"/admin/users/{target['id']}/deactivate"
        with httpx.Client(base_url=str(client.base_url), timeout=30) as http:
            return http.put(path, headers=actor["headers"]).status_code

    try:
        with ThreadPoolExecutor(2) as pool:
            one = pool.submit(deactivate, admin, other)
            two = pool.submit(deactivate, other, admin)
            statuses = sorted([one.result(), two.result()])
        active = sql(
            "SELECT count(*) FROM users WHERE role = 'admin' AND is_active AND id IN (:a, :b)",
            a=admin["id"],
            b=other["id"],
        )
    finally:
        for user_id in demoted:
            sql("UPDATE users SET role = 'admin' WHERE id = :id", id=user_id)

    assert statuses[0] == 200 and statuses[1] in (401, 403, 409), statuses
    assert active == [(1,)]
