"""kubera: the five servers behind one MCP endpoint, tools under their own names.

Each server's own tool registry (its `local_provider`) is added to this one
without a namespace, so the original 45 names stay unprefixed
(`fetch_company_fundamentals`, not `fin_data_fetch_...`) and this server runs
the tools itself, masking errors as each of the five does. Rejected:
`mount`, which looks a name up through every mounted server's own lookup and
middleware on each call: 2.5 ms a cached call against 1.5 ms here (FastMCP
4.2; 1.4 ms on one server alone).

Run alone: `python -m mcp_servers.combined` (stdio) or `--http --port N`.
"""

from __future__ import annotations

from fastmcp import FastMCP

from mcp_servers import fin_data, gov_compliance, market_tech, news_sent, visualization
from mcp_servers._run import main
from mcp_servers._tooling import new_server

SERVERS: tuple[FastMCP, ...] = (
    fin_data.server,
    market_tech.server,
    gov_compliance.server,
    news_sent.server,
    visualization.server,
)

server = new_server(
    "kubera",
    "Kubera's stock-analysis tools for Indian markets (NSE/BSE): fundamentals, "
    "prices and technicals, governance, news and sentiment, and charts. Every answer "
    "names its source and as_of; figures a source lacks are listed under unavailable.",
)
for _child in SERVERS:
    server.add_provider(_child.local_provider)


if __name__ == "__main__":
    main(server, default_port=8100)
