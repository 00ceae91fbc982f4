"""MCP tests run the servers in process (FastMCP's in-memory client) on the
deterministic demo market, so they need neither network nor services."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import date
from typing import Any

import pytest
import pytest_asyncio
from fastmcp import Client

from domain.market import DemoSource
from mcp_servers import combined
from mcp_servers.context import MemoryChartStore, set_chart_store, set_market

END = date(2026, 12, 3)  # a Thursday

Call = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture(autouse=True)
def demo() -> Iterator[DemoSource]:
    source = DemoSource(end=END)
    set_market(source)
    yield source
    set_market(None)


@pytest.fixture(autouse=True)
def charts() -> Iterator[MemoryChartStore]:
    store = MemoryChartStore()
    set_chart_store(store)
    yield store
    set_chart_store(None)


@pytest_asyncio.fixture
async def client() -> AsyncIterator[Client]:
    async with Client(combined.server) as connected:
        yield connected


@pytest.fixture
def call(client: Client) -> Call:
    """`await call("tool_name", arg=value)` gives the tool's JSON answer."""

    async def invoke(name: str, **arguments: Any) -> dict[str, Any]:
        result = await client.call_tool(name, arguments)
        assert result.structured_content is not None
        return result.structured_content

    return invoke
