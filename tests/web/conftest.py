"""Browser tests: Debian's Chromium, driven by Playwright's sync API, against
the real stack (`stack` in tests/conftest.py). One browser per module; one
fresh context (cookies, storage) per test.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from domain.llm.base import Finished, TextDelta
from tests.helpers import register

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
# Playwright waits this long for a selector or an expectation.
DEFAULT_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def browser(stack: dict) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, stack: dict) -> Iterator[Page]:
    """A fresh page; an uncaught script error fails the test."""
    context = browser.new_context(base_url=stack["url"], viewport=DESKTOP)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    tab = context.new_page()
    script_errors: list[str] = []
    tab.on("pageerror", lambda error: script_errors.append(str(error)))
    yield tab
    context.close()
    assert script_errors == [], script_errors


@pytest.fixture
def dialogs(page: Page) -> list[str]:
    """Messages of every alert/confirm/prompt the page opened (dismissed)."""
    opened: list[str] = []

    def record(dialog) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return opened


@pytest.fixture
def account(client, mailbox) -> dict:
    return register(client, mailbox)


class SlowModel:
    """Writes a first sentence, then waits for the test's go-ahead."""

    name = "slow-test-model"
    first = "The first part of a long answer."
    second = " The second part arrives after the pause."

    def __init__(self) -> None:
        self.go_on = threading.Event()

    async def stream(self, messages, tools):
        yield TextDelta(self.first)
        await asyncio.to_thread(self.go_on.wait, 60)
        yield TextDelta(self.second)
        yield Finished(self.name)


@pytest.fixture
def slow_model(stack, monkeypatch) -> Iterator[SlowModel]:
    """The chat worker answers with a SlowModel for this test."""
    from workers import db
    from workers.chat import _Process

    db.run(_Process.get())
    model = SlowModel()
    monkeypatch.setattr(_Process, "model", model)
    yield model
    model.go_on.set()  # never leave a worker thread waiting
