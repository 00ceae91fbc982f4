"""`GET /mcp/tools`: the tools the chat model may call, read from the servers."""

from __future__ import annotations

from typing import Any

from litestar import get


@get("/mcp/tools", tags=["root"])
async def list_mcp_tools() -> dict[str, Any]:
    """Every MCP tool with its server, description and input schema."""
    from mcp_servers.catalog import list_tools

    tools = await list_tools()
    servers: dict[str, int] = {}
    for tool in tools:
        servers[tool["server"]] = servers.get(tool["server"], 0) + 1
    return {"count": len(tools), "servers": servers, "tools": tools}
