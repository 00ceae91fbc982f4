"""Browser tests: Debian's Chromium, driven by Playwright's sync API, against
the real stack (`stack` in tests/conftest.py). One browser for the run; one
fresh context (cookies, storage) per test.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from domain.llm.base import Finished, TextDelta, ToolCall, ToolCallsReady
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
PHONE = {"width": 390, "height": 844}
# Playwright waits this long for a selector or an expectation.
DEFAULT_TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def browser(stack: dict) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def viewport() -> dict:
    """The page's size; a test module or test overrides it (e.g. PHONE)."""
    return DESKTOP


@pytest.fixture
def page(browser: Browser, stack: dict, viewport: dict) -> Iterator[Page]:
    """A fresh page; an uncaught script error fails the test."""
    context = browser.new_context(base_url=stack["url"], viewport=viewport)
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


@pytest.fixture
def use_model(stack, monkeypatch):
    """`use_model(model)`: the chat worker answers with `model` for this test."""
    from workers import db
    from workers.chat import _Process

    db.run(_Process.get())

    def use(model):
        monkeypatch.setattr(_Process, "model", model)
        return model

    return use


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
def slow_model(use_model) -> Iterator[SlowModel]:
    model = use_model(SlowModel())
    yield model
    model.go_on.set()  # never leave a worker thread waiting


class ScriptedModel:
    """Calls one tool, then writes `answer`, as a remote model would."""

    name = "scripted-test-model"

    def __init__(self, tool: str, arguments: dict, answer: str) -> None:
        self.call = ToolCall(id="call_1", name=tool, arguments=arguments)
        self.answer = answer

    async def stream(self, messages, tools):
        if not any(message.role == "tool" for message in messages):
            yield ToolCallsReady((self.call,))
            yield Finished(self.name, finish_reason="tool_calls")
            return
        yield TextDelta(self.answer)
        yield Finished(self.name)
