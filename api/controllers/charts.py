"""Charts made by the visualization tools, as a page or as figure JSON, and
plotly.js itself, served from the installed plotly package (no CDN).
"""

from __future__ import annotations

import html
import json
import uuid
from pathlib import Path
from typing import Any

import plotly
from litestar import Controller, MediaType, Response, get
from litestar.params import FromPath
from litestar.static_files import create_static_files_router

from api.deps import Db
from domain.charts.store import get_chart

PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
PLOTLY_JS = "/static/plotly/plotly.min.js"

plotly_static = create_static_files_router(
    path="/static/plotly",
    directories=[PLOTLY_DIR],
    include_in_schema=False,
    cache_control=None,
)


def _script_json(value: Any) -> str:
    # Inside <script>, "</" could end the element early; escape it (and <!--).
    return json.dumps(value).replace("</", "<\\/").replace("<!--", "<\\!--")


def chart_page(title: str, figure: dict[str, Any], source: str) -> str:
    notice = (
        '<p class="notice">Synthetic demo data, not real market figures.</p>'
        if source == "demo"
        else ""
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} · Kubera</title>
<style>body{{font-family:system-ui,sans-serif;margin:0;padding:1rem;color:#1b1f24}}
.notice{{background:#fff4d6;border:1px solid #e0b84a;padding:.5rem .75rem;border-radius:6px}}
#chart{{width:100%;height:80vh}}</style>
<script src="{PLOTLY_JS}"></script></head>
<body><h1>{html.escape(title)}</h1>{notice}<div id="chart"></div>
<script>const figure = {_script_json(figure)};
Plotly.newPlot("chart", figure.data || [], figure.layout || {{}}, {{responsive: true}});
</script></body></html>"""


class ChartsController(Controller):
    path = "/charts"
    tags = ["charts"]

    @get("/{chart_id:uuid}", media_type=MediaType.HTML)
    async def page(self, chart_id: FromPath[uuid.UUID], db: Db) -> Response[str]:
        """The chart as a self-contained page (plotly.js served locally)."""
        chart = await get_chart(db, chart_id)
        return Response(
            chart_page(chart.title, chart.figure, chart.source), media_type=MediaType.HTML
        )

    @get("/{chart_id:uuid}/figure")
    async def figure(self, chart_id: FromPath[uuid.UUID], db: Db) -> dict[str, Any]:
        """The chart's Plotly figure JSON with its title, symbols and data source."""
        chart = await get_chart(db, chart_id)
        return {
            "id": str(chart.id),
            "kind": chart.kind,
            "title": chart.title,
            "symbols": chart.symbols,
            "source": chart.source,
            "figure": chart.figure,
            "created_at": chart.created_at.isoformat(),
        }
