"""Command line for running one server: stdio by default, streamable HTTP with
--http. Logs go to stderr only; on stdio, stdout carries the protocol."""

from __future__ import annotations

import argparse
import copy
import logging
from typing import Any

from fastmcp import FastMCP
from uvicorn.config import LOGGING_CONFIG

from domain.logs import setup_logging
from domain.settings import AppSettings
from mcp_servers.context import get_market, use_deployment_services

log = logging.getLogger("kubera.mcp")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_HTTP_PATH = "/mcp"


def main(server: FastMCP, *, default_port: int, argv: list[str] | None = None) -> None:
    args = _parser(server.name, default_port).parse_args(argv)
    app = AppSettings()
    setup_logging(app.log_level, app.log_json)
    market = get_market()  # "auto" decides now, not on the first call
    shared = use_deployment_services()
    transport = "http" if args.http else "stdio"
    log.info(
        "mcp server starting",
        extra={
            "server": server.name,
            "transport": transport,
            "source": market.name,
            "shared": shared,
        },
    )
    if not args.http:
        server.run("stdio", show_banner=False)
        return
    server.run(
        "http",
        show_banner=False,
        host=args.host,
        port=args.port,
        path=args.path,
        uvicorn_config={"log_config": _stderr_log_config()},
    )


def _parser(name: str, default_port: int) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m mcp_servers.{name}",
        description=f"Kubera's {name} MCP server (stdio unless --http).",
    )
    parser.add_argument("--http", action="store_true", help="serve streamable HTTP")
    parser.add_argument("--host", default=DEFAULT_HOST, help="HTTP bind address")
    parser.add_argument("--port", type=int, default=default_port, help="HTTP port")
    parser.add_argument("--path", default=DEFAULT_HTTP_PATH, help="HTTP endpoint path")
    return parser


def _stderr_log_config() -> dict[str, Any]:
    """uvicorn's defaults, except that access lines go to stderr, not stdout."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["handlers"]["access"]["stream"] = "ext://sys.stderr"
    return config
