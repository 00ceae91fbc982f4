"""The signed-in session in a real browser: an expired access token is
renewed with the refresh token without the user seeing it; signing out ends
the session here and on the server.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from tests.web.pages import ask, go_to, sign_in, stored_session, wait_until_answered

RECORD_ROUTES = (
    "window.seenRoutes = [location.hash];"
    "addEventListener('hashchange', () => window.seenRoutes.push(location.hash));"
)
SWAP_ACCESS_TOKEN = """token => {
  const saved = JSON.parse(sessionStorage.getItem('kubera.session'));
  sessionStorage.setItem('kubera.session', JSON.stringify({ ...saved, access_token: token }));
}"""


def _expired_access_token(user_id: str) -> str:
    from domain.accounts import tokens
    from domain.settings import get_settings

    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    token, _ = tokens.issue(
        get_settings().jwt, uuid.UUID(user_id), "access", role="user", now=an_hour_ago
    )
    return token


def test_an_expired_access_token_is_renewed_without_the_user_noticing(page: Page, account):
    sign_in(page, account)
    before = stored_session(page)
    expired = _expired_access_token(account["user"]["id"])
    # The page believes the token is good for minutes yet; the API disagrees.
    page.evaluate(SWAP_ACCESS_TOKEN, expired)
    page.add_init_script(RECORD_ROUTES)

    page.reload()
    ask(page, "Price of ITC")
    wait_until_answered(page)
    go_to(page, "Portfolio")

    expect(page.get_by_text("No holdings yet")).to_be_visible()
    after = stored_session(page)
    assert after["access_token"] not in (expired, before["access_token"])
    assert after["refresh_token"] != before["refresh_token"]
    assert not any("signin" in route for route in page.evaluate("window.seenRoutes"))


def test_sign_out_ends_the_session_here_and_on_the_server(page: Page, account, client):
    sign_in(page, account)
    refresh_token = stored_session(page)["refresh_token"]

    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert stored_session(page) is None
    page.goto("/app#/portfolio")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    refused = client.post("/auth/refresh", json={"refresh_token": refresh_token})
    assert refused.status_code == 401
