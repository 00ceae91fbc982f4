"""Every one of the 45 tools answers in the common shape on the demo market."""

import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from mcp_servers._results import DEMO_NOTICE
from tests.mcp.readme_tools import ORIGINAL_TOOLS

# Arguments for tools that take more than a symbol.
ARGUMENTS = {
    "fetch_comparative_performance": {"symbols": ["INFY", "TCS"]},
    "fetch_sector_sentiment": {"sector": "Healthcare"},
    "calculate_sentiment_score": {"text": "Cipla wins a large export order"},
    "generate_fundamental_comparison_chart": {"symbols": ["INFY", "TCS"]},
    "generate_valuation_heatmap": {"symbols": ["SBIN", "HDFCBANK", "ICICIBANK"]},
    "generate_portfolio_composition_chart": {
        "holdings": [{"symbol": "INFY", "quantity": 3}, {"symbol": "SBIN", "quantity": 9}],
        "group_by": "sector",
        "chart_type": "treemap",
    },
    "generate_risk_return_scatter": {"symbols": ["INFY", "ITC"]},
    "validate_chart_data": {"chart_type": "bar", "series": {"sales": [1, 2, 3]}},
}
NOT_MARKET_DATA = {"calculate_sentiment_score", "validate_chart_data"}
ALL_TOOLS = sorted(set().union(*ORIGINAL_TOOLS.values()))


@pytest.mark.asyncio
@pytest.mark.parametrize("tool", ALL_TOOLS)
async def test_tool_answers_with_source_as_of_data_and_unavailable(call, tool):
    answer = await call(tool, **ARGUMENTS.get(tool, {"symbol": "SUNPHARMA"}))

    assert {"source", "as_of", "data", "unavailable"} <= set(answer)
    assert datetime.fromisoformat(answer["as_of"]).tzinfo is not None
    assert all(isinstance(reason, str) and reason for reason in answer["unavailable"].values())
    json.dumps(answer, allow_nan=False)  # strict JSON: no NaN or Infinity anywhere
    if tool in NOT_MARKET_DATA:
        assert "notice" not in answer
    else:
        assert answer["source"] == "demo" and answer["notice"] == DEMO_NOTICE
    if tool.startswith("generate_"):
        assert answer["chart_id"] and answer["figure"]["data"]


def test_every_tool_has_its_figures_checked_in_a_figures_test():
    called = set()
    for path in Path(__file__).parent.glob("test_*_figures.py"):
        called |= set(re.findall(r'call\(\s*"(\w+)"', path.read_text()))

    assert called == set(ALL_TOOLS)
