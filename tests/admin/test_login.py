"""Admin sign-in in two steps, and the guard in front of every admin path."""

from __future__ import annotations

import uuid

import jwt
import pytest

from tests.admin.conftest import admin_login
from tests.helpers import bearer, code_in, register, sql


def _guarded(user_id: str) -> list[tuple[str, str]]:
    return [
        ("GET", "/admin/dashboard"),
        ("GET", "/admin/dashboard/prompt-activity"),
        ("GET", "/admin/users"),
        ("GET", f"/admin/users/{user_id}"),
        ("PUT", f"/admin/users/{user_id}/deactivate"),
        ("PUT", f"/admin/users/{user_id}/reactivate"),
        ("GET", "/admin/rate-limits/config"),
        ("PUT", "/admin/rate-limits/global"),
        ("PUT", f"/admin/rate-limits/user/{user_id}"),
        ("POST", "/admin/rate-limits/whitelist"),
        ("DELETE", f"/admin/rate-limits/whitelist/{user_id}"),
        ("POST", f"/admin/rate-limits/reset/{user_id}"),
        ("GET", "/admin/rate-limits/violations"),
        ("GET", "/admin/portfolio-reports/settings"),
        ("PUT", "/admin/portfolio-reports/settings"),
        ("POST", "/admin/system/control"),
        ("GET", "/admin/activity-logs"),
    ]


def _call(client, method: str, path: str, headers: dict):
    body = None if method in ("GET", "DELETE") else {}
    return client.request(method, path, headers=headers, json=body)


def test_an_admin_signs_in_with_password_then_the_emailed_code(client, mailbox):
    account = register(client, mailbox)
    sql("UPDATE users SET role = 'admin' WHERE id = :id", id=account["user"]["id"])

    token = admin_login(client, mailbox, account)

    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["role"] == "admin" and claims["sub"] == account["user"]["id"]
    assert client.get("/admin/dashboard", headers=bearer(token)).status_code == 200


def test_the_admin_login_accepts_the_email_as_login_name(client, mailbox):
    account = register(client, mailbox)
    sql("UPDATE users SET role = 'admin' WHERE id = :id", id=account["user"]["id"])

    token = admin_login(client, mailbox, account | {"username": account["email"]})

    assert client.get("/admin/users", headers=bearer(token)).status_code == 200


def test_a_wrong_password_or_code_gets_no_token(client, mailbox, admin):
    wrong_password = client.post(
        "/admin/login/send-otp", json={"username": admin["username"], "password": "Wr0ng!pass"}
    )
    wrong_code = client.post(
        "/admin/login/verify-otp", json={"username": admin["username"], "otp": "000000"}
    )

    assert wrong_password.status_code == 401
    assert wrong_code.status_code == 400 and wrong_code.json()["code"] == "OTP_INVALID"


def test_a_normal_account_cannot_start_the_admin_login(client, member):
    response = client.post(
        "/admin/login/send-otp",
        json={"username": member["username"], "password": member["password"]},
    )

    assert response.status_code == 403 and response.json()["code"] == "FORBIDDEN"


def test_a_normal_user_is_refused_on_all_19_admin_paths(client, mailbox, member):
    refused = {
        (method, path): _call(client, method, path, member["headers"]).status_code
        for method, path in _guarded(member["id"])
    }
    credentials = {"username": member["username"], "password": member["password"]}
    step1 = client.post("/admin/login/send-otp", json=credentials, headers=member["headers"])
    # A code the user really received, for their account but another purpose.
    client.post("/auth/forgot-password/send-otp", json={"email": member["email"]})
    code = code_in(mailbox.wait_for(member["email"], "recovery code"))
    step2 = client.post(
        "/admin/login/verify-otp",
        json={"username": member["username"], "otp": code},
        headers=member["headers"],
    )

    assert len(refused) == 17 and set(refused.values()) == {403}, refused
    assert step1.status_code == 403 and step1.json()["code"] == "FORBIDDEN"
    # Step 2 names no account's role (it holds no password): no code, no token.
    assert step2.status_code == 400 and step2.json()["code"] == "OTP_INVALID"
    assert "access_token" not in step2.json()


@pytest.mark.parametrize("headers", [{}, bearer("not-a-token")])
def test_no_or_a_bad_token_gets_401_on_admin_paths(client, headers):
    for method, path in _guarded(str(uuid.uuid4())):
        assert _call(client, method, path, headers).status_code == 401, path


def test_an_admins_password_only_token_does_not_open_admin_paths(client, admin):
    # The ordinary login also says role=admin; only the emailed code grants access.
    ordinary = client.post(
        "/auth/login", json={"username": admin["username"], "password": admin["password"]}
    ).json()["access_token"]

    response = client.get("/admin/dashboard", headers=bearer(ordinary))

    assert jwt.decode(ordinary, options={"verify_signature": False})["role"] == "admin"
    assert response.status_code == 403


def test_an_admin_demoted_in_the_database_loses_access_at_once(client, admin):
    sql("UPDATE users SET role = 'user' WHERE id = :id", id=admin["id"])

    response = client.get("/admin/users", headers=admin["headers"])

    assert response.status_code == 403


def test_an_admin_sign_in_refreshes_like_any_and_ends_with_its_logout(client, admin):
    refreshed = client.post("/auth/refresh", json={"refresh_token": admin["admin_refresh_token"]})
    token = refreshed.json()["access_token"]

    opened = client.get("/admin/dashboard", headers=bearer(token))
    client.post(
        "/auth/logout",
        json={"refresh_token": refreshed.json()["refresh_token"]},
        headers=bearer(token),
    )
    after_logout = client.get("/admin/dashboard", headers=bearer(token))

    assert refreshed.status_code == 200 and opened.status_code == 200
    assert after_logout.status_code == 401


def test_refreshing_an_ordinary_sign_in_of_an_admin_opens_no_admin_path(client, admin):
    ordinary = client.post(
        "/auth/login", json={"username": admin["username"], "password": admin["password"]}
    ).json()
    refreshed = client.post("/auth/refresh", json={"refresh_token": ordinary["refresh_token"]})

    response = client.get("/admin/dashboard", headers=bearer(refreshed.json()["access_token"]))

    assert response.status_code == 403
