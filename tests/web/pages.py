"""Steps the browser tests share."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.helpers import PASSWORD

ANSWER_TIMEOUT_MS = 60_000


def sign_in(page: Page, account: dict, path: str = "/app") -> None:
    page.goto(path)
    page.get_by_label("Username or email").fill(account["username"])
    page.get_by_label("Password", exact=True).fill(account.get("password", PASSWORD))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def ask(page: Page, question: str) -> None:
    """Types the question and sends it with Enter, once the socket is up."""
    expect(page.locator(".conn")).to_be_hidden()
    page.get_by_label("Message to Kubera").fill(question)
    page.get_by_label("Message to Kubera").press("Enter")


def last_answer(page: Page):
    return page.locator("article.answer").last


def wait_until_answered(page: Page):
    answer = last_answer(page)
    expect(answer).to_have_attribute("aria-busy", "false", timeout=ANSWER_TIMEOUT_MS)
    return answer


def running_turn(page: Page) -> dict:
    """The running turn as the page keeps it in sessionStorage."""
    return page.evaluate("JSON.parse(sessionStorage.getItem('kubera.turn'))")
