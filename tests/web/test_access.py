"""Usable by everyone: the main flow with the keyboard alone (visible focus,
Enter to send, Escape closes dialogs and focus comes back), the page on a
phone-sized screen, a name for every control and readable contrast on
every page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.helpers import bearer
from tests.web.conftest import PHONE
from tests.web.pages import (
    ask,
    contrast_failures,
    focus_is_visible,
    go_to,
    sign_in,
    tab_to,
    unlabelled_controls,
    wait_until_answered,
)

# The page, or a pane of it, that scrolls sideways (a phone must never need to).
SIDEWAYS_OVERFLOW = """() =>
  [document.documentElement, ...document.querySelectorAll('main, .messages')]
    .filter((node) => node.scrollWidth > node.clientWidth + 1)
    .map((node) => node.className || node.tagName)"""


def _press(page: Page, key: str, target) -> None:
    """Moves the focus to `target` with `key` presses, checks it shows, presses Enter."""
    tab_to(page, target, key)
    assert focus_is_visible(page), f"no visible focus on {target}"
    page.keyboard.press("Enter")


def test_the_main_flow_works_with_the_keyboard_alone(page: Page, account):
    page.goto("/app")
    expect(page.get_by_label("Username or email")).to_be_focused()
    page.keyboard.type(account["username"])
    page.keyboard.press("Tab")
    page.keyboard.type(account["password"])
    page.keyboard.press("Enter")

    prompt = page.get_by_label("Message to Kubera")
    expect(prompt).to_be_focused()
    expect(page.locator(".conn")).to_be_hidden()
    page.keyboard.type("Price of ITC")
    page.keyboard.press("Enter")
    answer = wait_until_answered(page)
    chip = answer.locator(".chip").first
    _press(page, "Shift+Tab", chip)
    expect(chip).to_have_attribute("aria-expanded", "true")
    expect(answer.locator("pre.tool-result").first).to_contain_text('"source": "demo"')

    rename = page.get_by_role("button", name=re.compile("^Rename chat"))
    _press(page, "Shift+Tab", rename)
    expect(page.get_by_role("dialog", name="Rename chat").get_by_label("Title")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(rename).to_be_focused()

    _press(page, "Shift+Tab", page.get_by_role("link", name="Portfolio"))
    expect(page.get_by_role("heading", name="Portfolio", level=1)).to_be_focused()
    add = page.get_by_role("button", name="Add holding")
    _press(page, "Tab", add)
    dialog = page.get_by_role("dialog", name="Add a holding")
    expect(dialog.get_by_label("Symbol")).to_be_focused()
    page.keyboard.type("TCS")
    tab_to(page, dialog.get_by_label("Quantity"))
    page.keyboard.type("5")
    page.keyboard.press("Tab")
    page.keyboard.type("3500")
    page.keyboard.press("Enter")
    expect(page.locator("tbody tr", has_text="TCS · NSE")).to_be_visible()
    expect(add).to_be_focused()

    _press(page, "Shift+Tab", page.get_by_role("button", name="Sign out"))
    expect(page.get_by_label("Username or email")).to_be_focused()


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_a_phone_user_signs_in_chats_and_finds_the_chat_list(page: Page, account, client):
    holding = {"symbol": "INFY", "quantity": 10, "avg_price": 1500}
    client.post("/portfolio/", json=holding, headers=bearer(account["access_token"]))
    sign_in(page, account)
    chats = page.get_by_role("navigation", name="Chats")
    expect(chats).to_be_hidden()

    ask(page, "Analyse INFY")
    answer = wait_until_answered(page)
    expect(answer.locator(".md")).to_contain_text("Infosys")
    expect(page.get_by_label("Message to Kubera")).to_be_in_viewport()
    expect(page.get_by_role("button", name="Send")).to_be_in_viewport()
    expect(page.get_by_role("button", name="Sign out")).to_be_in_viewport()
    assert page.evaluate(SIDEWAYS_OVERFLOW) == []

    page.get_by_role("button", name="Chats").click()
    expect(chats).to_be_visible()
    expect(chats.get_by_role("button", name="+ New chat")).to_be_focused()
    page.keyboard.press("Escape")
    expect(chats).to_be_hidden()
    expect(page.get_by_role("button", name="Chats")).to_be_focused()
    page.get_by_role("button", name="Chats").click()
    page.mouse.click(PHONE["width"] - 15, PHONE["height"] // 2)  # a tap beside the list
    expect(chats).to_be_hidden()
    page.get_by_role("button", name="Chats").click()
    chats.get_by_role("link", name="Analyse INFY").click()
    expect(chats).to_be_hidden()

    go_to(page, "Portfolio")
    expect(page.locator("tbody tr", has_text="INFY")).to_be_visible()
    expect(page.get_by_role("button", name="Add holding")).to_be_in_viewport()
    expect(page.locator(".card", has_text="Today")).to_be_in_viewport()
    assert page.evaluate(SIDEWAYS_OVERFLOW) == []


def test_every_control_has_a_label_and_text_is_readable_on_every_page(page: Page, account):
    page.goto("/app")
    expect(page.get_by_label("Username or email")).to_be_visible()
    assert (unlabelled_controls(page), contrast_failures(page)) == ([], [])

    sign_in(page, account)
    ask(page, "Analyse INFY")
    wait_until_answered(page).locator(".chip").first.click()
    assert (unlabelled_controls(page), contrast_failures(page)) == ([], [])
    for name in ("Portfolio", "Alerts", "Settings"):
        go_to(page, name)
        expect(page.get_by_text("Loading")).to_have_count(0)
        assert (unlabelled_controls(page), contrast_failures(page)) == ([], []), name
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_label("Email")).to_be_focused()
    assert (unlabelled_controls(page), contrast_failures(page)) == ([], [])
