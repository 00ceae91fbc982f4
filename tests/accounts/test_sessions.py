"""Signing in, token rotation and reuse detection, signing out, and every way
a token can be refused.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from tests.helpers import bearer, register, sql


def _profile(client, token):
    return client.get("/user/profile", headers=bearer(token))


def test_login_works_with_username_or_email_in_any_case(client, mailbox):
    account = register(client, mailbox)

    by_name = client.post(
        "/auth/login",
        json={"username": account["username"].upper(), "password": account["password"]},
    )
    by_email = client.post(
        "/auth/login", json={"username": account["email"].upper(), "password": account["password"]}
    )

    assert by_name.status_code == 200 and by_email.status_code == 200
    assert _profile(client, by_email.json()["access_token"]).status_code == 200


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(client, mailbox):
    account = register(client, mailbox)

    wrong = client.post(
        "/auth/login", json={"username": account["username"], "password": "Wr0ng!password"}
    )
    unknown = client.post(
        "/auth/login", json={"username": "nobody_here_123", "password": "Wr0ng!password"}
    )

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]


def test_a_refresh_token_rotates_and_the_new_pair_works(client, mailbox):
    account = register(client, mailbox)

    response = client.post("/auth/refresh", json={"refresh_token": account["refresh_token"]})

    assert response.status_code == 200
    pair = response.json()
    assert pair["refresh_token"] != account["refresh_token"]
    assert _profile(client, pair["access_token"]).status_code == 200


def test_reusing_a_rotated_refresh_token_ends_that_sign_in_and_warns_the_owner(client, mailbox):
    account = register(client, mailbox)
    rotated = client.post("/auth/refresh", json={"refresh_token": account["refresh_token"]})
    newest = rotated.json()["refresh_token"]

    reuse = client.post("/auth/refresh", json={"refresh_token": account["refresh_token"]})

    assert reuse.status_code == 401
    assert reuse.json()["code"] == "TOKEN_REUSED"
    # The thief's copy and the owner's newest tokens are all dead now.
    assert client.post("/auth/refresh", json={"refresh_token": newest}).status_code == 401
    assert _profile(client, rotated.json()["access_token"]).status_code == 401
    alert = mailbox.wait_for(account["email"], "security")
    assert "used twice" in alert.get_body(preferencelist=("plain",)).get_content()


def test_logout_ends_that_sign_in_at_once_and_leaves_the_others(client, mailbox):
    account = register(client, mailbox)
    other = client.post(
        "/auth/login", json={"username": account["username"], "password": account["password"]}
    ).json()

    response = client.post(
        "/auth/logout",
        json={"refresh_token": account["refresh_token"]},
        headers=bearer(account["access_token"]),
    )

    assert response.status_code == 200
    after = client.post("/auth/refresh", json={"refresh_token": account["refresh_token"]})
    assert after.status_code == 401
    assert _profile(client, account["access_token"]).status_code == 401
    assert _profile(client, other["access_token"]).status_code == 200


def test_logout_with_someone_elses_refresh_token_revokes_nothing(client, mailbox):
    owner = register(client, mailbox)
    stranger = register(client, mailbox)

    response = client.post(
        "/auth/logout",
        json={"refresh_token": owner["refresh_token"]},
        headers=bearer(stranger["access_token"]),
    )

    assert response.status_code == 401
    assert (
        client.post("/auth/refresh", json={"refresh_token": owner["refresh_token"]}).status_code
        == 200
    )


def test_access_tokens_last_15_minutes_and_refresh_tokens_30_days(client, mailbox):
    account = register(client, mailbox)

    access = jwt.decode(account["access_token"], options={"verify_signature": False})
    refresh = jwt.decode(account["refresh_token"], options={"verify_signature": False})

    assert account["expires_in"] == 15 * 60
    # `exp` is whole seconds, `iat` fractional.
    assert access["exp"] - access["iat"] == pytest.approx(15 * 60, abs=1)
    assert refresh["exp"] - refresh["iat"] == pytest.approx(30 * 24 * 3600, abs=1)
    assert jwt.get_unverified_header(account["access_token"])["alg"] == "HS256"


def test_a_tampered_token_is_refused(client, mailbox):
    account = register(client, mailbox)
    head, payload, signature = account["access_token"].split(".")
    tampered = ".".join(
        [head, payload, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")]
    )

    response = _profile(client, tampered)

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"


def test_an_unsigned_alg_none_token_is_refused(client, mailbox):
    account = register(client, mailbox)
    claims = jwt.decode(account["access_token"], options={"verify_signature": False})

    forged = jwt.encode(claims, key=None, algorithm="none")

    assert _profile(client, forged).status_code == 401


def test_a_token_signed_with_the_right_key_but_another_algorithm_is_refused(client, mailbox):
    account = register(client, mailbox)
    claims = jwt.decode(account["access_token"], options={"verify_signature": False})

    other_alg = jwt.encode(claims, os.environ["JWT_SECRET"], algorithm="HS512")

    assert _profile(client, other_alg).status_code == 401


def test_an_expired_token_is_refused_as_expired(client, mailbox):
    account = register(client, mailbox)
    now = datetime.now(UTC)
    expired = jwt.encode(
        {
            "sub": account["user"]["id"],
            "typ": "access",
            "jti": str(uuid.uuid4()),
            "iss": "kubera",
            "iat": now - timedelta(hours=1),
            "exp": now - timedelta(minutes=1),
        },
        os.environ["JWT_SECRET"],
        algorithm="HS256",
    )

    response = _profile(client, expired)

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_refresh_token_is_not_accepted_as_an_access_token(client, mailbox):
    account = register(client, mailbox)

    assert _profile(client, account["refresh_token"]).status_code == 401


def test_a_request_without_a_token_is_told_how_to_send_one(client):
    response = client.get("/user/profile")

    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


def test_a_deactivated_users_tokens_stop_working_at_once(client, mailbox):
    account = register(client, mailbox)
    sql("UPDATE users SET is_active = false WHERE id = :id", id=account["user"]["id"])

    profile = _profile(client, account["access_token"])
    refresh = client.post("/auth/refresh", json={"refresh_token": account["refresh_token"]})
    login = client.post(
        "/auth/login", json={"username": account["username"], "password": account["password"]}
    )

    assert profile.status_code == refresh.status_code == login.status_code == 403
    assert profile.json()["code"] == "ACCOUNT_INACTIVE"


def test_a_security_alert_goes_out_even_with_every_optional_email_switched_off(
    client, mailbox, drain
):
    account = register(client, mailbox)
    off = dict.fromkeys(
        ["account_updates", "rate_limit_alerts", "portfolio_reports", "price_alerts"], False
    )
    client.put(
        "/user/email-preferences",
        headers=bearer(account["access_token"]),
        json=off | {"system_notices": False},
    )
    client.post("/auth/refresh", json={"refresh_token": account["refresh_token"]})

    client.post("/auth/refresh", json={"refresh_token": account["refresh_token"]})

    assert mailbox.wait_for(account["email"], "security alert")
    drain()
    rows = sql(
        "SELECT status::text FROM email_log WHERE to_email = :e AND email_type = 'security_alert'",
        e=account["email"],
    )
    assert rows == [("sent",)]
