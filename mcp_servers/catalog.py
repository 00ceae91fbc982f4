"""The tool catalogue for `GET /mcp/tools`, read from the servers themselves."""

from __future__ import annotations

from typing import Any

from mcp_servers.combined import SERVERS


async def list_tools() -> list[dict[str, Any]]:
    """Every tool of the five servers: server, name, description, input_schema."""
    catalog = []
    for server in SERVERS:
        for tool in await server.list_tools():
            catalog.append(
                {
                    "server": server.name,
                    "name": tool.name,
                    "description": tool.description,
                    "input_schema": tool.parameters,
                }
            )
    return catalog
