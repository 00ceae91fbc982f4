"""Fixtures for chat turns: accounts, the stand-in model gateway, swapping the
chat worker's model, tools and limits, a second API process, and holding the
test worker's chat consumer back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from scripts.bootstrap import serve_in_thread
from scripts.services import free_port
from tests.helpers import register
from tests.llm.gateway import Gateway


@pytest.fixture
def account(client, mailbox) -> dict:
    return register(client, mailbox)


@pytest.fixture
def remote_model(gateway: Gateway):
    """An OpenAI-compatible model over real HTTP to the stand-in gateway."""
    from domain.llm.openai_compat import OpenAICompatModel
    from domain.settings import LlmSettings

    settings = LlmSettings(base_url=gateway.url, model="stand-in/model-v1", api_key="test-key")
    return OpenAICompatModel(settings, max_attempts=2, backoff_s=0.001, backoff_cap_s=0.002)


@pytest.fixture
def worker_process(stack):
    """The test worker's per-process resources (created on its event loop)."""
    from workers import db
    from workers.chat import _Process

    return db.run(_Process.get())


@pytest.fixture
def use_model(worker_process, monkeypatch):
    """Swap the chat worker's model for this test."""

    def install(model) -> None:
        monkeypatch.setattr(worker_process, "model", model)

    return install


@pytest.fixture
def use_tools(worker_process, monkeypatch):
    """Wrap the chat worker's tools: `install(lambda real: wrapper)`."""
    real = worker_process.tools

    def install(wrap) -> object:
        tools = wrap(real)
        monkeypatch.setattr(worker_process, "tools", tools)
        return tools

    return install


@pytest.fixture
def use_limits(worker_process, monkeypatch):
    def install(limits) -> None:
        monkeypatch.setattr(worker_process, "limits", limits)

    return install


@pytest.fixture
def second_api(stack) -> Iterator[str]:
    """Another API process's worth: its own app, engine, Redis client and relay."""
    port = free_port()
    server, thread = serve_in_thread(port)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def chat_held(stack):
    """`with chat_held():` the test worker takes no chat message (other queues run)."""

    @contextlib.contextmanager
    def hold() -> Iterator[None]:
        consumer = stack["worker"].consumers["chat"]
        consumer.pause()
        assert consumer.paused_event.wait(30), "the chat consumer did not pause"
        try:
            yield
        finally:
            consumer.resume()

    return hold
