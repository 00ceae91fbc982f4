"""Offline-analyst tests: pure ones on intents, plans and the writer, and
end-to-end ones that run the planned calls through the real MCP servers in
process (FastMCP's in-memory client) on the deterministic demo market."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio
from fastmcp import Client

from domain.analyst import OfflineAnalyst
from domain.llm.base import (
    ChatMessage,
    Finished,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallsReady,
    ToolSpec,
)
from domain.market import DemoSource
from mcp_servers import combined
from mcp_servers.context import MemoryChartStore, set_chart_store, set_market


@dataclass
class Step:
    """What one `stream` call yielded."""

    events: list[StreamEvent]

    @property
    def calls(self) -> tuple[ToolCall, ...]:
        found = [e.calls for e in self.events if isinstance(e, ToolCallsReady)]
        return found[0] if found else ()

    @property
    def text(self) -> str:
        return "".join(e.text for e in self.events if isinstance(e, TextDelta))

    @property
    def finished(self) -> Finished:
        last = self.events[-1]
        assert isinstance(last, Finished)
        return last


@dataclass
class Turn:
    """Both steps of a question answered with real tool results."""

    first: Step
    second: Step | None = None
    results: list[Any] = field(default_factory=list)

    @property
    def answer(self) -> str:
        return (self.second or self.first).text


def specs_named(*names: str) -> list[ToolSpec]:
    return [ToolSpec(name, "", {"type": "object", "properties": {}}) for name in names]


def conversation(prompt: str, *earlier: str) -> list[ChatMessage]:
    messages = [ChatMessage("system", "You are Kubera.")]
    for text in earlier:
        messages += [ChatMessage("user", text), ChatMessage("assistant", "Done.")]
    return [*messages, ChatMessage("user", prompt)]


async def step(messages: list[ChatMessage], tools: list[ToolSpec]) -> Step:
    return Step([event async for event in OfflineAnalyst().stream(messages, tools)])


def with_results(
    messages: list[ChatMessage], calls: tuple[ToolCall, ...], results: list[Any]
) -> list[ChatMessage]:
    """The conversation as the turn loop extends it after running the calls."""
    extended = [*messages, ChatMessage("assistant", None, tool_calls=calls)]
    for call, result in zip(calls, results, strict=True):
        extended.append(
            ChatMessage("tool", json.dumps(result), tool_call_id=call.id, name=call.name)
        )
    return extended


@pytest.fixture
def demo_market() -> Iterator[DemoSource]:
    source = DemoSource()
    set_market(source)
    set_chart_store(MemoryChartStore())
    yield source
    set_market(None)
    set_chart_store(None)


@pytest_asyncio.fixture
async def mcp(demo_market: DemoSource) -> AsyncIterator[Client]:
    async with Client(combined.server) as client:
        yield client


@pytest_asyncio.fixture
async def tool_specs(mcp: Client) -> list[ToolSpec]:
    return [ToolSpec(t.name, t.description or "", t.input_schema) for t in await mcp.list_tools()]


async def call_tool(client: Client, call: ToolCall) -> Any:
    """A tool's answer the way the chat worker passes it on: the result, or
    {"error": text} when the tool failed."""
    result = await client.call_tool(call.name, call.arguments, raise_on_error=False)
    if result.is_error:
        return {"error": "".join(getattr(block, "text", "") for block in result.content)}
    return result.structured_content


@pytest.fixture
def ask(mcp: Client, tool_specs: list[ToolSpec]):
    """`await ask("Analyse INFY")` runs both model steps with real tool results."""

    async def run(prompt: str, *earlier: str) -> Turn:
        messages = conversation(prompt, *earlier)
        first = await step(messages, tool_specs)
        if not first.calls:
            return Turn(first)
        results = [await call_tool(mcp, call) for call in first.calls]
        second = await step(with_results(messages, first.calls, results), tool_specs)
        return Turn(first, second, results)

    return run
