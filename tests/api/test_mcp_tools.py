"""`GET /mcp/tools` lists what the chat model can call."""

from __future__ import annotations


def test_the_api_lists_all_45_tools_with_their_servers_and_schemas(client):
    body = client.get("/mcp/tools").json()

    assert body["count"] == 45
    assert body["servers"] == {
        "fin_data": 7,
        "market_tech": 9,
        "gov_compliance": 8,
        "news_sent": 10,
        "visualization": 11,
    }
    names = {tool["name"] for tool in body["tools"]}
    assert {
        "fetch_company_fundamentals",
        "fetch_technical_indicators",
        "generate_candlestick_chart",
        "calculate_sentiment_score",
    } <= names
    assert all(
        tool["description"] and tool["input_schema"]["type"] == "object" for tool in body["tools"]
    )
