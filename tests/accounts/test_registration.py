"""Registration in three steps, and every way it can be refused."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx

from tests.helpers import PASSWORD, code_in, new_email, new_username, register, sql


def _start(client, mailbox, email):
    assert client.post("/auth/register/step1", json={"email": email}).status_code == 202
    return code_in(mailbox.wait_for(email, "verification code"))


def _users_with(email: str) -> int:
    return sql("SELECT count(*) FROM users WHERE lower(email) = :e", e=email.lower())[0][0]


def test_a_new_user_registers_with_the_emailed_code_and_is_signed_in(client, mailbox):
    account = register(client, mailbox)

    assert account["user"]["email"] == account["email"]
    assert account["user"]["role"] == "user"
    profile = client.get(
        "/user/profile", headers={"Authorization": f"Bearer {account['access_token']}"}
    )
    assert profile.status_code == 200
    assert profile.json()["username"] == account["username"]
    assert "password" not in profile.text and "hash" not in profile.text
    assert mailbox.wait_for(account["email"], "welcome")


def test_the_code_is_stored_hashed_never_in_clear(client, mailbox):
    email = new_email()
    code = _start(client, mailbox, email)

    stored = sql("SELECT code_hash FROM otps WHERE email = :e", e=email)
    assert stored and all(code not in row[0] for row in stored)


def test_a_malformed_email_is_refused_naming_the_field(client):
    response = client.post("/auth/register/step1", json={"email": "not-an-email"})

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "VALIDATION"
    assert body["errors"][0]["field"] == "email"


def test_an_email_with_an_account_cannot_register_again_in_any_letter_case(client, mailbox):
    account = register(client, mailbox)

    response = client.post("/auth/register/step1", json={"email": account["email"].upper()})

    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"


def test_a_second_code_within_a_minute_is_refused_with_when_to_retry(client, mailbox):
    email = new_email()
    _start(client, mailbox, email)

    response = client.post("/auth/register/step1", json={"email": email})

    assert response.status_code == 429
    assert 0 < response.json()["retry_after_s"] <= 60
    assert int(response.headers["retry-after"]) > 0


def test_simultaneous_requests_for_a_code_send_one_and_refuse_the_rest(stack, mailbox, drain):
    email = new_email()

    def ask(_: int) -> int:
        with httpx.Client(base_url=stack["url"], timeout=30) as http:
            return http.post("/auth/register/step1", json={"email": email}).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = sorted(pool.map(ask, range(6)))
    drain()

    assert statuses == [202, 429, 429, 429, 429, 429]
    assert len(mailbox.to(email)) == 1


def test_a_wrong_code_says_how_many_tries_are_left(client, mailbox):
    email = new_email()
    _start(client, mailbox, email)

    response = client.post("/auth/register/step2", json={"email": email, "otp": "000000"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "OTP_INVALID"
    assert body["attempts_left"] == 4


def test_five_wrong_tries_void_the_code_so_the_sixth_fails_even_when_right(client, mailbox):
    email = new_email()
    code = _start(client, mailbox, email)
    wrong = "111111" if code != "111111" else "222222"

    left = [
        client.post("/auth/register/step2", json={"email": email, "otp": wrong}).json()
        for _ in range(5)
    ]
    sixth = client.post("/auth/register/step2", json={"email": email, "otp": code})

    assert [body["attempts_left"] for body in left] == [4, 3, 2, 1, 0]
    assert sixth.status_code == 400
    assert "request a new code" in sixth.json()["detail"]
    step3 = client.post(
        "/auth/register/step3",
        json={"email": email, "username": new_username(), "password": PASSWORD},
    )
    assert step3.status_code == 400 and _users_with(email) == 0


def test_a_code_is_six_digits_and_lasts_ten_minutes(client, mailbox):
    email = new_email()
    code = _start(client, mailbox, email)

    (lifetime_s,) = sql(
        "SELECT extract(epoch FROM expires_at - created_at) FROM otps WHERE email = :e", e=email
    )[0]

    assert len(code) == 6 and code.isdigit()
    assert float(lifetime_s) == 600


def test_an_expired_code_is_refused(client, mailbox):
    email = new_email()
    code = _start(client, mailbox, email)
    sql(
        "UPDATE otps SET expires_at = :t WHERE email = :e",
        t=datetime.now(UTC) - timedelta(seconds=1),
        e=email,
    )

    response = client.post("/auth/register/step2", json={"email": email, "otp": code})

    assert response.status_code == 400
    assert "expired" in response.json()["detail"]


def test_step_three_without_a_verified_code_creates_nothing(client, mailbox):
    email = new_email()
    _start(client, mailbox, email)

    response = client.post(
        "/auth/register/step3",
        json={"email": email, "username": new_username(), "password": PASSWORD},
    )

    assert response.status_code == 400
    assert _users_with(email) == 0


def test_a_used_code_cannot_be_used_again(client, mailbox):
    account = register(client, mailbox)
    code = code_in(mailbox.wait_for(account["email"], "verification code"))

    response = client.post("/auth/register/step2", json={"email": account["email"], "otp": code})

    assert response.status_code == 400


def test_a_weak_password_is_refused_with_what_it_lacks_and_no_account_is_made(client, mailbox):
    email = new_email()
    code = _start(client, mailbox, email)
    client.post("/auth/register/step2", json={"email": email, "otp": code})

    response = client.post(
        "/auth/register/step3",
        json={"email": email, "username": new_username(), "password": "alllowercase"},
    )

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "upper-case" in detail and "digit" in detail and "symbol" in detail
    assert _users_with(email) == 0


def test_a_taken_username_in_another_case_is_refused_and_leaves_no_account(client, mailbox):
    first = register(client, mailbox)
    email = new_email()
    code = _start(client, mailbox, email)
    client.post("/auth/register/step2", json={"email": email, "otp": code})

    response = client.post(
        "/auth/register/step3",
        json={"email": email, "username": first["username"].upper(), "password": PASSWORD},
    )

    assert response.status_code == 409
    assert _users_with(email) == 0
    # The verified code is still good: the user can pick another name.
    retry = client.post(
        "/auth/register/step3",
        json={"email": email, "username": new_username(), "password": PASSWORD},
    )
    assert retry.status_code == 201


def test_username_availability_reflects_accounts_and_rules(client, mailbox):
    account = register(client, mailbox)

    taken = client.get(f"/auth/check-username/{account['username'].upper()}").json()
    free = client.get(f"/auth/check-username/{new_username()}").json()
    invalid = client.get("/auth/check-username/a!").json()
    reserved = client.get("/auth/check-username/Admin").json()

    assert taken["available"] is False and taken["reason"] == "taken"
    assert free["available"] is True
    assert invalid["available"] is False
    assert reserved["available"] is False


def test_a_malformed_or_reserved_username_at_step_three_is_refused_and_creates_nothing(
    client, mailbox
):
    email = new_email()
    code = _start(client, mailbox, email)
    client.post("/auth/register/step2", json={"email": email, "otp": code})

    answers = [
        client.post(
            "/auth/register/step3", json={"email": email, "username": name, "password": PASSWORD}
        )
        for name in ("1starts_with_digit", "has space", "Admin")
    ]

    assert [a.status_code for a in answers] == [400, 400, 400]
    assert all(a.json()["errors"][0]["field"] == "username" for a in answers)
    assert _users_with(email) == 0
