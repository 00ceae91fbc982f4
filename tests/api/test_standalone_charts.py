"""A visualization server run on its own, as an MCP client would start it, shares
the deployment's database and Redis: the web process serves its charts."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import redis
from fastmcp import Client
from fastmcp.client.transports import StdioTransport

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.mark.asyncio
async def test_a_standalone_servers_chart_is_served_by_the_web_process(stack, client, tmp_path):
    env = {**os.environ, "MARKET_DATA_SOURCE": "demo", "APP_LOG_JSON": "true"}
    with (tmp_path / "stderr.log").open("w") as log:
        transport = StdioTransport(
            sys.executable,
            ["-m", "mcp_servers.visualization"],
            env=env,
            cwd=str(ROOT),
            keep_alive=False,
            log_file=log,
        )
        async with Client(transport) as mcp:
            result = await mcp.call_tool(
                "generate_price_volume_chart", {"symbol": "WIPRO", "period": "1mo"}
            )

    answer = result.structured_content
    page = client.get(f"/charts/{answer['chart_id']}")
    assert page.status_code == 200 and "WIPRO" in page.text
    assert "chart_notice" not in answer
    cache = redis.Redis.from_url(os.environ["REDIS_URL"])
    assert cache.exists("kubera:market:v1:demo:history:WIPRO.NS:period=1mo")
    cache.close()
    assert '"database_charts"' in (tmp_path / "stderr.log").read_text()
