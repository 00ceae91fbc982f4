"""Kubera's MCP tool servers: fin_data, market_tech, gov_compliance, news_sent and
visualization, one module each; `combined` serves all 45 tools behind one endpoint."""
