"""Plotly figure builders for the visualization server. Pure: data in, figure
out; storing and labelling happen in `_charts`."""

from __future__ import annotations

from collections.abc import Sequence, Set
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from domain.market.indicators import to_list
from mcp_servers._results import iso_dates

_UP, _DOWN = "#26a69a", "#ef5350"
# Daily bars: hide weekends so candles sit side by side (holidays still show).
_NO_WEEKENDS = [{"bounds": ["sat", "mon"]}]
# Light enough that the black value labels on the heatmap stay readable.
_HEAT = [[0.0, "#f7fbff"], [1.0, "#6baed6"]]


def price_volume(frame: pd.DataFrame, name: str) -> go.Figure:
    dates = iso_dates(frame.index)
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.72, 0.28], vertical_spacing=0.04
    )
    fig.add_trace(
        go.Scatter(x=dates, y=to_list(frame["Close"]), name=f"{name} close", mode="lines"),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            x=dates, y=to_list(frame["Volume"]), name="Volume", marker_color=_volume_colours(frame)
        ),
        row=2,
        col=1,
    )
    fig.update_yaxes(title_text="Price", row=1, col=1)
    fig.update_yaxes(title_text="Volume", row=2, col=1)
    fig.update_xaxes(rangebreaks=_NO_WEEKENDS)
    return fig


def candlestick(frame: pd.DataFrame, name: str) -> go.Figure:
    dates = iso_dates(frame.index)
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.75, 0.25], vertical_spacing=0.04
    )
    candles = go.Candlestick(
        x=dates,
        open=to_list(frame["Open"]),
        high=to_list(frame["High"]),
        low=to_list(frame["Low"]),
        close=to_list(frame["Close"]),
        name=name,
        increasing_line_color=_UP,
        decreasing_line_color=_DOWN,
    )
    fig.add_trace(candles, row=1, col=1)
    fig.add_trace(
        go.Bar(
            x=dates, y=to_list(frame["Volume"]), name="Volume", marker_color=_volume_colours(frame)
        ),
        row=2,
        col=1,
    )
    fig.update_layout(xaxis_rangeslider_visible=False)
    fig.update_xaxes(rangebreaks=_NO_WEEKENDS)
    return fig


def technical(series: pd.DataFrame, chosen: Sequence[str]) -> go.Figure:
    """Price with overlays on top; one panel each for RSI and MACD if chosen."""
    panels = [p for p in ("rsi", "macd") if p in chosen]
    heights = [0.6] + [0.4 / len(panels)] * len(panels) if panels else [1.0]
    fig = make_subplots(
        rows=1 + len(panels), cols=1, shared_xaxes=True, row_heights=heights, vertical_spacing=0.04
    )
    x = iso_dates(series.index)

    def line(column: str, label: str, row: int = 1, **style: Any) -> None:
        fig.add_trace(
            go.Scatter(x=x, y=to_list(series[column]), name=label, mode="lines", **style),
            row=row,
            col=1,
        )

    line("close", "Close", line={"width": 2})
    if "sma" in chosen:
        for n in (20, 50, 200):
            line(f"sma_{n}", f"SMA {n}")
    if "ema" in chosen:
        for n in (12, 26):
            line(f"ema_{n}", f"EMA {n}", line={"dash": "dot"})
    if "bollinger" in chosen:
        for column, label in (("bb_upper", "BB upper"), ("bb_lower", "BB lower")):
            line(column, label, line={"dash": "dash", "width": 1})
    for row, panel in enumerate(panels, start=2):
        if panel == "rsi":
            line("rsi_14", "RSI 14", row=row)
            for level in (30, 70):
                fig.add_hline(y=level, line_dash="dot", line_color="grey", row=row, col=1)
        else:
            line("macd", "MACD", row=row)
            line("macd_signal", "Signal", row=row)
            fig.add_trace(
                go.Bar(x=x, y=to_list(series["macd_hist"]), name="Histogram"), row=row, col=1
            )
    fig.update_xaxes(rangebreaks=_NO_WEEKENDS)
    return fig


def metric_panels(
    values: dict[str, dict[str, float | None]], labels: dict[str, str], percent: Set[str]
) -> go.Figure:
    """One bar panel per metric (metrics have different units), a bar per company."""
    metrics = list(values)
    fig = make_subplots(rows=len(metrics), cols=1, subplot_titles=[labels[m] for m in metrics])
    for row, metric in enumerate(metrics, start=1):
        by_symbol = values[metric]
        fig.add_trace(
            go.Bar(
                x=list(by_symbol), y=list(by_symbol.values()), name=labels[metric], showlegend=False
            ),
            row=row,
            col=1,
        )
        if metric in percent:
            fig.update_yaxes(tickformat=".1%", row=row, col=1)
    fig.update_layout(height=max(320, 220 * len(metrics)))
    return fig


def trend(
    periods: list[str], items: dict[str, list[float | None]], labels: dict[str, str]
) -> go.Figure:
    """One panel per statement line, oldest period on the left."""
    names = list(items)
    fig = make_subplots(
        rows=len(names), cols=1, shared_xaxes=True, subplot_titles=[labels[n] for n in names]
    )
    x = list(reversed(periods))
    for row, name in enumerate(names, start=1):
        y = list(reversed(items[name]))
        fig.add_trace(go.Bar(x=x, y=y, name=labels[name], showlegend=False), row=row, col=1)
    fig.update_xaxes(type="category")  # period ends as labels, not a time scale
    fig.update_layout(height=max(320, 220 * len(names)))
    return fig


def versus(lines: dict[str, pd.Series]) -> go.Figure:
    fig = go.Figure()
    for label, series in lines.items():
        fig.add_trace(
            go.Scatter(x=iso_dates(series.index), y=to_list(series), name=label, mode="lines")
        )
    fig.add_hline(y=100, line_dash="dot", line_color="grey")
    fig.update_yaxes(title_text="Rebased to 100")
    return fig


def heatmap(
    symbols: list[str], metrics: list[str], ranks: list[list[float | None]], text: list[list[str]]
) -> go.Figure:
    cells = go.Heatmap(
        z=ranks,
        x=metrics,
        y=symbols,
        text=text,
        texttemplate="%{text}",
        colorscale=_HEAT,
        zmin=0,
        zmax=1,
        colorbar={"title": {"text": "Rank in set<br>(0 low, 1 high)"}},
    )
    fig = go.Figure(cells)
    fig.update_yaxes(autorange="reversed")  # first company on top
    return fig


def composition(labels: list[str], values: list[float], parents: list[str], kind: str) -> go.Figure:
    if kind == "treemap":
        return go.Figure(
            go.Treemap(labels=labels, parents=parents, values=values, branchvalues="total")
        )
    return go.Figure(go.Pie(labels=labels, values=values, hole=0.35, textinfo="label+percent"))


def dividend_timeline(points: pd.Series, annual: pd.Series) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(
        go.Bar(x=iso_dates(points.index), y=to_list(points), name="Per-share dividend (ex-date)")
    )
    mid_years = [f"{year}-07-01" for year in annual.index]
    fig.add_trace(
        go.Scatter(x=mid_years, y=to_list(annual), name="Calendar-year total", mode="lines+markers")
    )
    fig.update_yaxes(title_text="Per share")
    return fig


def risk_return(points: dict[str, tuple[float, float]], benchmark: str | None) -> go.Figure:
    fig = go.Figure()
    for label, (risk, ret) in points.items():
        marker = {"size": 14, "symbol": "diamond"} if label == benchmark else {"size": 11}
        fig.add_trace(
            go.Scatter(
                x=[risk],
                y=[ret],
                name=label,
                mode="markers+text",
                text=[label],
                textposition="top center",
                marker=marker,
            )
        )
    fig.update_xaxes(title_text="Annualised volatility", tickformat=".0%")
    fig.update_yaxes(title_text="Annualised return", tickformat=".0%")
    return fig


def _volume_colours(frame: pd.DataFrame) -> list[str]:
    up = (frame["Close"] >= frame["Open"]).to_list()
    return [_UP if rising else _DOWN for rising in up]
