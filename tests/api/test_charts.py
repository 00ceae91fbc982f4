"""Charts made by the tools are served as pages with local plotly.js, and as JSON."""

from __future__ import annotations

import uuid

import pytest

from domain.charts.store import DbChartStore
from domain.settings import get_settings

FIGURE = {
    "data": [{"type": "scatter", "x": ["2026-12-01", "2026-12-02"], "y": [1510.5, 1522.25]}],
    "layout": {"title": {"text": "INFY close"}},
}


@pytest.fixture
def store(stack):
    charts = DbChartStore(get_settings().database)
    yield charts
    charts.close()


def test_a_saved_chart_is_served_as_a_page_that_loads_local_plotly(client, store):
    chart_id = store.save("price_volume", "INFY price", FIGURE, ["INFY"], "demo")

    page = client.get(f"/charts/{chart_id}")
    script = client.get("/static/plotly/plotly.min.js")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'src="/static/plotly/plotly.min.js"' in page.text
    assert "1522.25" in page.text
    assert "demo data" in page.text
    assert script.status_code == 200 and "plotly" in script.text[:2000].lower()


def test_a_chart_figure_comes_back_as_stored(client, store):
    chart_id = store.save("candlestick", "TCS candles", FIGURE, ["TCS"], "yfinance")

    body = client.get(f"/charts/{chart_id}/figure").json()

    assert body["figure"] == FIGURE
    assert body["symbols"] == ["TCS"] and body["source"] == "yfinance"


def test_markup_in_a_chart_title_or_figure_cannot_break_out_of_the_page(client, store):
    hostile = "</script><script>alert(1)</script>"
    figure = {"data": [], "layout": {"title": {"text": hostile}}}
    chart_id = store.save("price_volume", hostile, figure, ["INFY"], "demo")

    page = client.get(f"/charts/{chart_id}").text

    assert "<script>alert(1)</script>" not in page


def test_an_unknown_chart_is_a_404_problem(client):
    response = client.get(f"/charts/{uuid.uuid4()}")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
