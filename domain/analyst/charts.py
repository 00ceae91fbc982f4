"""Pages for chart and portfolio answers: the chart's link, the figures the
chart tool reported alongside it, and for a portfolio the valued holdings.
"""

from __future__ import annotations

from typing import Any

from domain.analyst.fields import figure, label
from domain.analyst.format import count, day, money, number, pct, provenance, table
from domain.analyst.intents import Intent
from domain.analyst.results import Results
from domain.analyst.sections import ROW_HEADER, Row

Page = tuple[str, list[str]]
# A holding above this share of the portfolio's value is called concentrated.
CONCENTRATED_WEIGHT = 0.5


def chart_page(intent: Intent, results: Results) -> Page:
    charts = [o.result for o in results if o.result and o.result.get("chart_url")]
    if not charts:
        names = ", ".join(i.symbol for i in intent.instruments) or "the request"
        return f"Chart for {names}", ["No chart came back for this request."]
    lines: list[str] = []
    for chart in charts:
        if lines:
            lines.append("")
        lines += _chart_block(chart)
    title = charts[0].get("data", {}).get("title") or "Chart"
    return title, lines


def _chart_block(chart: dict[str, Any]) -> list[str]:
    data = chart.get("data", {})
    lines = [
        f"**[Open the interactive chart]({chart['chart_url']})** — "
        f"{data.get('title', 'chart')} (source: {provenance(chart)}); the chart is attached "
        "to this answer."
    ]
    tables = (
        table(ROW_HEADER, _chart_rows(chart)),
        _points_table(data.get("points", {})),
        _values_table(data.get("values", {}), data.get("periods")),
    )
    for block in tables:
        if block:
            lines += ["", *block]
    return lines


def _chart_rows(chart: dict[str, Any]) -> list[Row]:
    data, where = chart.get("data", {}), provenance(chart)
    rows: list[Row] = []
    if "period" in data:
        rows.append(("Window", str(data["period"]), where))
    for key, name in (("bars", "Trading days shown"), ("payments", "Dividend payments")):
        if isinstance(data.get(key), int | float):
            rows.append((name, count(data[key]), where))
    if "total_return" in data:
        rows.append(("Return over the window", pct(data["total_return"], signed=True), where))
    for name, value in (data.get("returns") or {}).items():
        rows.append((f"Return: {name}", pct(value, signed=True), where))
    if "excess_return" in data:
        rows.append((label("excess_return"), figure("excess_return", data["excess_return"]), where))
    for year, total in sorted((data.get("annual_totals") or {}).items()):
        rows.append((f"Dividends per share, {year}", money(total), where))
    return rows


def _points_table(points: dict[str, Any]) -> list[str]:
    header = ("", label("annual_return"), label("annual_volatility"))
    body = [
        (
            name,
            figure("annual_return", p.get("annual_return")),
            figure("annual_volatility", p.get("annual_volatility")),
        )
        for name, p in points.items()
    ]
    return table(header, body)


def _values_table(values: dict[str, Any], periods: list[str] | None) -> list[str]:
    """Statement lines by period, or fundamentals by company."""
    if not values:
        return []
    if periods:
        header = ("Period end", *(label(k) for k in values))
        body = [
            (day(p), *(figure(k, v[i] if i < len(v) else None) for k, v in values.items()))
            for i, p in enumerate(periods)
        ]
        return table(header, body)
    names = list(dict.fromkeys(n for by_name in values.values() for n in by_name))
    body = [
        (label(metric), *(figure(metric, by_name.get(n)) for n in names))
        for metric, by_name in values.items()
    ]
    return table(("", *names), body)


def portfolio_page(intent: Intent, results: Results) -> Page:
    chart = next(
        (o.result for o in results if o.result and "holdings" in o.result.get("data", {})), None
    )
    if chart is None:
        return "Your portfolio", _reader_lines(results)
    data, where = chart["data"], provenance(chart)
    body = [
        (
            h.get("symbol", ""),
            h.get("name", ""),
            h.get("sector") or "—",
            _quantity(h),
            money(h.get("price"), h.get("currency")),
            money(h.get("value"), h.get("currency")),
            pct(h.get("weight")),
        )
        for h in data.get("holdings", [])
    ]
    lines = [f"Valued at the latest prices (source: {where}).", ""]
    lines += table(("Symbol", "Company", "Sector", "Quantity", "Price", "Value", "Weight"), body)
    lines += ["", f"**Total value:** {money(data.get('total_value'))}"]
    if chart.get("chart_url"):
        lines += [
            "",
            f"**[Open the composition chart]({chart['chart_url']})** — attached to this answer.",
        ]
    lines += _portfolio_reading(data.get("holdings", []))
    return "Your portfolio — composition", lines


def _quantity(holding: dict[str, Any]) -> str:
    quantity = holding.get("quantity")
    if isinstance(quantity, float) and quantity.is_integer():
        return count(quantity)
    return number(quantity)


def _portfolio_reading(holdings: list[dict[str, Any]]) -> list[str]:
    weighted = [h for h in holdings if isinstance(h.get("weight"), int | float)]
    if len(weighted) < 2:
        return []
    top = max(weighted, key=lambda h: h["weight"])
    reading = [f"{top.get('symbol')} is the largest position by value."]
    if top["weight"] > CONCENTRATED_WEIGHT:
        reading.append(
            "It is more than half of the portfolio: a concentrated position, so "
            "the portfolio rises and falls largely with that one stock."
        )
    sectors = {h.get("sector") for h in weighted if h.get("sector")}
    if len(sectors) == 1:
        reading.append("All holdings are in one sector, which limits diversification.")
    return [
        "",
        "**How to read this** (rules of thumb, not a forecast):",
        "",
        *(f"- {item}" for item in reading),
    ]


def _reader_lines(results: Results) -> list[str]:
    """A portfolio tool of unknown shape: its plain figures, as reported."""
    lines = []
    for outcome in results:
        data = (outcome.result or {}).get("data", {})
        for key, value in data.items():
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                shown = number(value) if isinstance(value, float) else str(value)
                lines.append(f"- {label(key)}: {shown} ({provenance(outcome.result or {})})")
    return lines or ["The portfolio tool returned nothing I can show."]
