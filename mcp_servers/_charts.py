"""Finishing, storing and answering with a chart."""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from mcp_servers._results import DEMO_NOTICE, Report
from mcp_servers.context import chart_url, get_chart_store

_TEMPLATE = "plotly_white"
UNSERVED_NOTICE = (
    "This MCP server keeps charts in its own memory (no DATABASE_URL), so the web "
    "app cannot serve chart_url; draw the figure JSON instead"
)


def publish(
    report: Report,
    kind: str,
    title: str,
    fig: go.Figure,
    symbols: list[str],
    method: str | None = None,
) -> dict[str, Any]:
    """Label the figure with its source, store it, and build the tool's answer."""
    _finish(fig, title, report.source)
    figure = json.loads(pio.to_json(fig))  # plain JSON types, NaN already None
    store = get_chart_store()
    chart_id = store.save(kind, title, figure, symbols, report.source)
    report.data.update(kind=kind, title=title, traces=len(figure.get("data", [])))
    extra: dict[str, Any] = {}
    if not getattr(store, "serves_urls", True):
        extra["chart_notice"] = UNSERVED_NOTICE
    return report.build(
        method,
        chart_id=chart_id,
        chart_url=chart_url(chart_id),
        figure=figure,
        symbols=symbols,
        **extra,
    )


def _finish(fig: go.Figure, title: str, source: str) -> None:
    """Title, with the data source as subtitle; demo data says so in red."""
    caption, colour = f"Source: {source}", "#555"
    if source == "demo":
        caption, colour = f"{DEMO_NOTICE} (source: demo)", "#b71c1c"
    fig.update_layout(
        title={
            "text": title,
            "subtitle": {"text": caption, "font": {"size": 12, "color": colour}},
        },
        template=_TEMPLATE,
        margin={"t": 110, "b": 60},
        legend={"orientation": "h", "y": -0.12},
    )
