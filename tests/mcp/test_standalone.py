"""Each server runs as its own process: stdio by default, HTTP with --http."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.transports import StdioTransport

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "MARKET_DATA_SOURCE": "demo", "APP_LOG_JSON": "true"}

pytestmark = pytest.mark.slow


@pytest.mark.asyncio
async def test_fin_data_serves_over_stdio_with_logs_on_stderr_only(tmp_path):
    log = (tmp_path / "stderr.log").open("w")
    transport = StdioTransport(
        sys.executable,
        ["-m", "mcp_servers.fin_data"],
        env=ENV,
        cwd=str(ROOT),
        keep_alive=False,
        log_file=log,
    )

    async with Client(transport) as client:
        tools = await client.list_tools()
        result = await client.call_tool("validate_stock_symbol", {"symbol": "TCS"})

    assert len(tools) == 7
    assert result.structured_content["data"]["valid"] is True
    log.close()
    assert "mcp server starting" in (tmp_path / "stderr.log").read_text()


@pytest.fixture
def http_server() -> Iterator[tuple[str, subprocess.Popen]]:
    port = _free_port()
    command = [sys.executable, "-m", "mcp_servers.combined", "--http", "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    try:
        _wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}/mcp", process
    finally:
        process.terminate()
        process.communicate(timeout=10)  # also closes the stdout pipe


@pytest.mark.asyncio
async def test_combined_server_serves_streamable_http_with_a_clean_stdout(http_server):
    url, process = http_server

    async with Client(url) as client:
        tools = await client.list_tools()
        result = await client.call_tool("fetch_current_price_data", {"symbol": "ITC"})

    assert len(tools) == 45
    assert result.structured_content["source"] == "demo"
    process.terminate()
    stdout, _ = process.communicate(timeout=10)
    assert stdout == b""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the MCP server exited during start-up")
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=0.5)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("the MCP server did not start listening")
