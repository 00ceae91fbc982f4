import re
from pathlib import Path
from typing import get_args

import pytest

from domain.market.source import HISTORY_PERIODS
from mcp_servers import (
    catalog,
    combined,
    fin_data,
    gov_compliance,
    market_tech,
    news_sent,
    visualization,
)
from mcp_servers._args import PeriodName
from tests.mcp.readme_tools import ORIGINAL_TOOLS

SERVERS = {
    "fin_data": fin_data.server,
    "market_tech": market_tech.server,
    "gov_compliance": gov_compliance.server,
    "news_sent": news_sent.server,
    "visualization": visualization.server,
}


@pytest.mark.asyncio
async def test_combined_server_lists_exactly_the_45_original_names_unprefixed(client):
    tools = await client.list_tools()

    names = [tool.name for tool in tools]
    assert len(names) == 45
    assert set(names) == set().union(*ORIGINAL_TOOLS.values())


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("server", "count"),
    [
        ("fin_data", 7),
        ("market_tech", 9),
        ("gov_compliance", 8),
        ("news_sent", 10),
        ("visualization", 11),
    ],
)
async def test_each_server_owns_its_original_tools(server, count):
    tools = await SERVERS[server].list_tools()

    assert SERVERS[server].name == server
    assert len(tools) == count
    assert {tool.name for tool in tools} == ORIGINAL_TOOLS[server]


@pytest.mark.asyncio
async def test_catalog_gives_server_name_description_and_schema_for_every_tool():
    rows = await catalog.list_tools()

    assert len(rows) == 45
    assert {(row["server"], row["name"]) for row in rows} == {
        (server, name) for server, names in ORIGINAL_TOOLS.items() for name in names
    }
    for row in rows:
        assert set(row) == {"server", "name", "description", "input_schema"}
        assert row["input_schema"]["type"] == "object"


@pytest.mark.asyncio
async def test_every_tool_and_every_argument_is_described():
    rows = await catalog.list_tools()

    for row in rows:
        assert row["description"] and len(row["description"]) > 30, row["name"]
        schema = row["input_schema"]
        assert schema["properties"], row["name"]
        for arg, spec in _all_properties(schema):
            assert spec.get("description"), f"{row['name']}.{arg} has no description"


@pytest.mark.asyncio
async def test_periods_offered_are_the_ones_the_market_layer_accepts(client):
    tools = {tool.name: tool for tool in await client.list_tools()}

    period = tools["fetch_technical_indicators"].input_schema["properties"]["period"]
    assert set(period["enum"]) == set(HISTORY_PERIODS)
    assert set(get_args(PeriodName)) == set(HISTORY_PERIODS)


def test_combined_server_mounts_the_five_servers_in_readme_order():
    assert [server.name for server in combined.SERVERS] == list(ORIGINAL_TOOLS)


def _all_properties(schema):
    """(name, spec) of every argument, including fields of nested objects."""
    for name, spec in schema.get("properties", {}).items():
        yield name, spec
        yield from _all_properties(spec.get("items", {}))
        yield from _all_properties(spec)


def test_the_yahoo_coverage_note_has_one_row_per_tool_under_its_server():
    note = (Path(__file__).parents[2] / "docs" / "yahoo-coverage.md").read_text()

    rows = re.findall(r"^\| (\w+) \| `(\w+)` \|", note, flags=re.MULTILINE)

    assert len(rows) == 45
    assert set(rows) == {
        (server, name) for server, names in ORIGINAL_TOOLS.items() for name in names
    }
