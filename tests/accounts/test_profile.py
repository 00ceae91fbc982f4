"""The signed-in user's own account: profile, username, email preferences, stats."""

from __future__ import annotations

from tests.helpers import bearer, register, sql


def test_profile_changes_only_the_fields_sent(client, mailbox):
    account = register(client, mailbox)
    headers = bearer(account["access_token"])

    first = client.put("/user/profile", headers=headers, json={"full_name": "Asha Rao"})
    second = client.put("/user/profile", headers=headers, json={"phone": "+91 98765 43210"})

    assert first.status_code == second.status_code == 200, first.text
    assert second.json()["full_name"] == "Asha Rao"
    assert second.json()["phone"] == "+91 98765 43210"


def test_a_malformed_phone_or_unknown_field_is_refused(client, mailbox):
    account = register(client, mailbox)
    headers = bearer(account["access_token"])

    phone = client.put("/user/profile", headers=headers, json={"phone": "call me"})
    extra = client.put("/user/profile", headers=headers, json={"role": "admin"})

    assert phone.status_code == extra.status_code == 400
    assert client.get("/user/profile", headers=headers).json()["role"] == "user"


def test_a_new_username_is_saved_and_announced_by_email(client, mailbox):
    account = register(client, mailbox)
    new_name = "renamed_" + account["username"][1:9]

    response = client.put(
        "/user/username", headers=bearer(account["access_token"]), json={"new_username": new_name}
    )

    assert response.status_code == 200
    assert response.json()["username"] == new_name
    assert mailbox.wait_for(account["email"], "username")


def test_a_username_held_by_someone_else_is_refused(client, mailbox):
    first = register(client, mailbox)
    second = register(client, mailbox)

    response = client.put(
        "/user/username",
        headers=bearer(second["access_token"]),
        json={"new_username": first["username"].upper()},
    )

    assert response.status_code == 409


def test_a_new_account_reads_every_optional_email_switched_on_and_weekly_reports(client, mailbox):
    account = register(client, mailbox)

    response = client.get("/user/email-preferences", headers=bearer(account["access_token"]))

    assert response.status_code == 200
    assert response.json() == {
        "account_updates": True,
        "rate_limit_alerts": True,
        "portfolio_reports": True,
        "price_alerts": True,
        "system_notices": True,
        "report_frequency": "weekly",
    }


def test_email_preferences_switch_optional_mail_off_but_never_security_mail(client, mailbox, drain):
    account = register(client, mailbox)
    headers = bearer(account["access_token"])

    prefs = client.put(
        "/user/email-preferences",
        headers=headers,
        json={"account_updates": False, "report_frequency": "monthly"},
    )
    client.put(
        "/user/username",
        headers=headers,
        json={"new_username": "quiet_" + account["username"][1:9]},
    )
    client.put(
        "/user/password",
        headers=headers,
        json={"current_password": account["password"], "new_password": "Quiet!Passw0rd"},
    )
    drain()

    assert prefs.status_code == 200
    assert prefs.json()["account_updates"] is False
    assert prefs.json()["report_frequency"] == "monthly"
    kinds = dict(
        sql(
            "SELECT email_type, status::text FROM email_log WHERE to_email = :e", e=account["email"]
        )
    )
    assert kinds["username_changed"] == "skipped"
    assert kinds["password_changed"] == "sent"


def test_an_unknown_report_frequency_is_refused(client, mailbox):
    account = register(client, mailbox)

    response = client.put(
        "/user/email-preferences",
        headers=bearer(account["access_token"]),
        json={"report_frequency": "hourly"},
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "report_frequency"


def test_stats_count_sessions_and_emails(client, mailbox, drain):
    account = register(client, mailbox)
    client.post(
        "/auth/login", json={"username": account["username"], "password": account["password"]}
    )
    drain()

    response = client.get("/user/stats", headers=bearer(account["access_token"]))
    stats = response.json()
    assert response.status_code == 200, response.text

    assert stats["active_sessions"] == 2
    assert stats["emails_sent"] >= 1  # the welcome email
    assert stats["account_age_days"] == 0
