"""Getting back in: forgotten password while signed out, reset while signed in,
and changing the password with the current one.
"""

from __future__ import annotations

from tests.helpers import bearer, code_in, new_email, register, sql

NEW_PASSWORD = "An0ther!Secret"


def _login(client, account, password):
    return client.post("/auth/login", json={"username": account["username"], "password": password})


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(client, mailbox):
    account = register(client, mailbox)

    known = client.post("/auth/forgot-password/send-otp", json={"email": account["email"]})
    unknown = client.post("/auth/forgot-password/send-otp", json={"email": new_email()})
    again = client.post("/auth/forgot-password/send-otp", json={"email": account["email"]})

    assert known.status_code == unknown.status_code == again.status_code == 202
    assert known.json() == unknown.json() == again.json()


def test_a_forgotten_password_is_replaced_with_the_emailed_code(client, mailbox):
    account = register(client, mailbox)
    client.post("/auth/forgot-password/send-otp", json={"email": account["email"]})
    code = code_in(mailbox.wait_for(account["email"], "recovery"))

    response = client.post(
        "/auth/forgot-password/confirm",
        json={"email": account["email"], "otp": code, "new_password": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert _login(client, account, account["password"]).status_code == 401
    assert _login(client, account, NEW_PASSWORD).status_code == 200
    # Every earlier session ended with the reset.
    old = client.get("/user/profile", headers=bearer(account["access_token"]))
    assert old.status_code == 401
    assert mailbox.wait_for(account["email"], "password was changed")


def test_a_weak_new_password_leaves_the_code_and_password_untouched(client, mailbox):
    account = register(client, mailbox)
    client.post("/auth/forgot-password/send-otp", json={"email": account["email"]})
    code = code_in(mailbox.wait_for(account["email"], "recovery"))

    weak = client.post(
        "/auth/forgot-password/confirm",
        json={"email": account["email"], "otp": code, "new_password": "short"},
    )
    strong = client.post(
        "/auth/forgot-password/confirm",
        json={"email": account["email"], "otp": code, "new_password": NEW_PASSWORD},
    )

    assert weak.status_code == 400
    assert strong.status_code == 200


def test_a_signed_in_user_resets_the_password_with_an_emailed_code(client, mailbox):
    account = register(client, mailbox)
    headers = bearer(account["access_token"])

    sent = client.post("/auth/password-reset/send-otp", headers=headers)
    code = code_in(mailbox.wait_for(account["email"], "confirm your"))
    wrong = client.post(
        "/auth/password-reset/confirm",
        headers=headers,
        json={"otp": "000000" if code != "000000" else "111111", "new_password": NEW_PASSWORD},
    )
    right = client.post(
        "/auth/password-reset/confirm",
        headers=headers,
        json={"otp": code, "new_password": NEW_PASSWORD},
    )

    assert sent.status_code == 202
    assert wrong.status_code == 400
    assert right.status_code == 200
    assert _login(client, account, NEW_PASSWORD).status_code == 200


def test_changing_the_password_needs_the_current_one(client, mailbox):
    account = register(client, mailbox)
    headers = bearer(account["access_token"])

    wrong = client.put(
        "/user/password",
        headers=headers,
        json={"current_password": "Not!theR1ght", "new_password": NEW_PASSWORD},
    )
    same = client.put(
        "/user/password",
        headers=headers,
        json={"current_password": account["password"], "new_password": account["password"]},
    )
    right = client.put(
        "/user/password",
        headers=headers,
        json={"current_password": account["password"], "new_password": NEW_PASSWORD},
    )

    assert wrong.status_code == 401
    assert same.status_code == 400
    assert right.status_code == 200
    assert _login(client, account, NEW_PASSWORD).status_code == 200


def test_no_password_hash_or_code_reaches_a_response_or_the_email_log(client, mailbox):
    account = register(client, mailbox)
    code = code_in(mailbox.wait_for(account["email"], "verification code"))

    rows = sql(
        "SELECT coalesce(subject, '') || coalesce(last_error, '') FROM email_log "
        "WHERE to_email = :e",
        e=account["email"],
    )

    assert rows and all(code not in row[0] for row in rows)
    assert "argon2" not in str(account)
