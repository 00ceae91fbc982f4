"""Settings in a real browser: profile, username, email preferences and
password, each with a refusal the user can read and a change that sticks.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.helpers import new_username
from tests.web.pages import go_to, sign_in

NEW_PASSWORD = "N3w!Passw0rd-kub"


def _panel(page: Page, title: str):
    return page.get_by_role("region", name=title)


def test_profile_username_and_email_preferences_are_saved_and_refusals_explained(
    page: Page, account, client, mailbox
):
    from tests.helpers import register

    someone_else = register(client, mailbox)
    sign_in(page, account)
    go_to(page, "Settings")

    profile = _panel(page, "Profile")
    profile.get_by_label("Full name").fill("Asha Rao")
    profile.get_by_label("Phone").fill("call me")
    profile.get_by_role("button", name="Save profile").click()
    phone = profile.get_by_label("Phone")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_accessible_description(re.compile("Not in the expected format"))
    phone.fill("+91 98765 43210")
    profile.get_by_role("button", name="Save profile").click()
    expect(profile.get_by_role("status")).to_have_text("Profile saved")

    username = _panel(page, "Username")
    username.get_by_label("Username").fill(someone_else["username"])
    username.get_by_role("button", name="Change username").click()
    expect(username.get_by_label("Username")).to_have_accessible_description(
        "That username is taken"
    )
    chosen = new_username()
    username.get_by_label("Username").fill(chosen)
    username.get_by_role("button", name="Change username").click()
    expect(username.get_by_role("status")).to_have_text(f"Your username is now {chosen}")
    expect(page.locator(".user-name")).to_have_text(chosen)

    prefs = _panel(page, "Email preferences")
    prefs.get_by_label("Portfolio reports").uncheck()
    prefs.get_by_label("Portfolio report frequency").select_option(label="Weekly")
    prefs.get_by_role("button", name="Save preferences").click()
    expect(prefs.get_by_role("status")).to_have_text("Preferences saved")

    page.reload()
    expect(profile.get_by_label("Full name")).to_have_value("Asha Rao")
    expect(profile.get_by_label("Phone")).to_have_value("+91 98765 43210")
    expect(username.get_by_label("Username")).to_have_value(chosen)
    expect(prefs.get_by_label("Portfolio reports")).not_to_be_checked()
    expect(prefs.get_by_label("Price alert emails")).to_be_checked()
    expect(prefs.get_by_label("Portfolio report frequency")).to_have_value("weekly")


def test_a_wrong_current_password_is_refused_and_a_changed_one_signs_in(page: Page, account):
    sign_in(page, account)
    go_to(page, "Settings")
    password = _panel(page, "Password")

    password.get_by_label("Current password").fill("not-my-password")
    password.get_by_label("New password").fill(NEW_PASSWORD)
    password.get_by_role("button", name="Change password").click()
    current = password.get_by_label("Current password")
    expect(current).to_have_accessible_description("Current password is wrong")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    current.fill(account["password"])
    password.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Password changed. Sign in with your new password.")).to_be_visible()

    sign_in(page, account | {"password": NEW_PASSWORD})
    expect(page.get_by_role("heading", name="New chat")).to_be_visible()
