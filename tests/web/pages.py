"""Steps the browser tests share."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.helpers import PASSWORD

ANSWER_TIMEOUT_MS = 60_000
# Enough Tab presses to cross the whole page once.
TAB_LIMIT = 60
CONTRAST_JS = (Path(__file__).parent / "contrast.js").read_text()


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


def stored_session(page: Page) -> dict | None:
    """The tokens as the page keeps them in sessionStorage."""
    return page.evaluate("JSON.parse(sessionStorage.getItem('kubera.session'))")


def go_to(page: Page, name: str) -> None:
    """Opens a page from the top navigation and waits for its heading."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()


def rupees(text: str) -> float:
    """The amount in a figure the page shows, e.g. "+₹1,234.50 (+3%)" → 1234.5."""
    match = re.search(r"([+-]?)₹([\d,]+(?:\.\d+)?)", text)
    assert match, f"no rupee amount in {text!r}"
    return float(match.group(1) + match.group(2).replace(",", ""))


def tab_to(page: Page, target: Locator, key: str = "Tab") -> None:
    """Presses Tab (or `key`) until `target` has the focus; fails if it never does."""
    for _ in range(TAB_LIMIT):
        if target.evaluate("node => node === document.activeElement"):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{target} is not reachable with {key}")


def focus_is_visible(page: Page) -> bool:
    """The focused element draws a focus ring (an outline or a box shadow)."""
    return page.evaluate(
        """() => {
          const style = getComputedStyle(document.activeElement);
          const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
          return ring || style.boxShadow !== "none";
        }"""
    )


def contrast_failures(page: Page) -> list[str]:
    """Visible text below WCAG AA contrast (4.5:1; 3:1 for large text)."""
    return page.evaluate(CONTRAST_JS)


def unlabelled_controls(page: Page) -> list[str]:
    """Visible controls a screen reader would announce without a name."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
            'button, input, select, textarea, a[href], [role=button], [tabindex="0"]')]
          .filter((node) => node.checkVisibility() && !node.closest('.modebar'))
          .filter((node) => {
            const byId = (node.getAttribute('aria-labelledby') || '').split(' ')
              .map((id) => document.getElementById(id)?.textContent || '').join('');
            const labels = [...(node.labels || [])].map((label) => label.textContent).join('');
            const own = ['INPUT', 'SELECT', 'TEXTAREA'].includes(node.tagName)
              ? '' : node.textContent;
            const name = node.getAttribute('aria-label') || byId || labels || own
              || node.getAttribute('title') || '';
            return !name.trim();
          })
          .map((node) => node.outerHTML.slice(0, 80))"""
    )
