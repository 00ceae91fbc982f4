"""Rule-based readings of tool results: textbook rules of thumb applied to
the figures, stated as such. They add words, never numbers; a threshold is
quoted only when the tool's own method text states it.
"""

from __future__ import annotations

from typing import Any

# A price within this share of its 1-year range from an end is "near" that end.
NEAR_RANGE_END = 0.1
# Bollinger position (0 = lower band, 1 = upper band) counted as "near" a band.
NEAR_BAND = 0.2


def _num(data: dict[str, Any], key: str) -> float | None:
    value = data.get(key)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def price(result: dict[str, Any]) -> list[str]:
    change = _num(result.get("data", {}), "change")
    if change is None:
        return []
    if change == 0:
        return ["The price is unchanged since the previous close."]
    direction = "up" if change > 0 else "down"
    return [
        f"The price is {direction} since the previous close; one session says little "
        "about the trend."
    ]


def range_position(result: dict[str, Any]) -> list[str]:
    data = result.get("data", {})
    last, high, low = _num(data, "price"), _num(data, "week52_high"), _num(data, "week52_low")
    if last is None or high is None or low is None or high <= low:
        return []
    position = (last - low) / (high - low)
    if position >= 1 - NEAR_RANGE_END:
        where = "near the top of its 1-year range, close to the 1-year high"
    elif position <= NEAR_RANGE_END:
        where = "near the bottom of its 1-year range, close to the 1-year low"
    else:
        where = "inside its 1-year range, away from both the high and the low"
    return [f"The stock trades {where}."]


def valuation(result: dict[str, Any]) -> list[str]:
    data = result.get("data", {})
    found = []
    trailing, forward = _num(data, "pe_trailing"), _num(data, "pe_forward")
    if trailing is not None:
        found.append(
            "P/E is what investors pay for each rupee of a year's earnings; it is "
            "best judged against sector peers (ask for a comparison)."
        )
    if trailing is not None and forward is not None and forward != trailing:
        outlook = "dip" if forward > trailing else "grow"
        found.append(
            f"Forward P/E is {'above' if forward > trailing else 'below'} trailing "
            f"P/E, so the forward EPS estimate expects earnings to {outlook}."
        )
    leverage = _num(data, "debt_to_equity")
    if leverage is not None:
        found.append(
            "Debt/equity below 1 means less debt than equity."
            if leverage < 1
            else "Debt/equity of 1 or more means debt at least matches equity, which "
            "raises financial risk."
        )
    beta = _num(data, "beta")
    if beta is not None and beta != 1:
        found.append(
            f"Beta {'below' if beta < 1 else 'above'} 1: the stock has moved "
            f"{'less' if beta < 1 else 'more'} than the market."
        )
    return found


def technicals(result: dict[str, Any]) -> list[str]:
    signals = result.get("data", {}).get("signals", {})
    found = []
    zone = signals.get("rsi_zone")
    if zone:
        method = result.get("method", "")
        rule = ""
        if "70" in method and "30" in method:
            rule = "; RSI above 70 is usually read as overbought and below 30 as oversold"
        found.append(f"RSI is in the **{zone}** zone{rule}.")
    found += _averages(signals.get("price_vs_sma_50"), signals.get("price_vs_sma_200"))
    crossing = signals.get("macd_vs_signal")
    if crossing:
        mood = "strengthening" if crossing == "above" else "weakening"
        found.append(f"MACD is {crossing} its signal line, usually read as {mood} momentum.")
    band = _num(signals, "bollinger_position")
    if band is not None:
        if band >= 1 - NEAR_BAND:
            found.append("Price is near the upper Bollinger band: stretched to the upside.")
        elif band <= NEAR_BAND:
            found.append("Price is near the lower Bollinger band: stretched to the downside.")
    return found


def _averages(vs50: str | None, vs200: str | None) -> list[str]:
    if vs50 and vs200 and vs50 == vs200:
        trend = "up" if vs50 == "above" else "down"
        return [
            f"Price is {vs50} both SMA50 and SMA200: by the usual moving-average "
            f"reading the trend is {trend}."
        ]
    if vs50 and vs200:
        return [
            f"Price is {vs50} SMA50 but {vs200} SMA200: the short- and long-term trends disagree."
        ]
    if vs50:
        return [f"Price is {vs50} SMA50 (SMA200 needs a longer window)."]
    return []


def sentiment(result: dict[str, Any]) -> list[str]:
    mood = result.get("data", {}).get("label")
    if not mood:
        return []
    return [
        f"Headline sentiment is **{mood}**; it gauges the tone of recent headlines and "
        "is not a forecast."
    ]


def dividends(result: dict[str, Any]) -> list[str]:
    rating = result.get("data", {}).get("sustainability")
    if not rating:
        return []
    method = result.get("method", "")
    start = method.find("sustainable if")
    rule = f" (its rule: {method[start:]})" if start >= 0 else ""
    return [f"The tool rates the dividend as **{rating}**{rule}."]


def comparison(perf: dict[str, Any] | None, funds: dict[str, dict[str, Any]]) -> list[str]:
    found = []
    if perf is not None:
        data = perf.get("data", {})
        ranking, stocks = data.get("ranking", []), data.get("stocks", {})
        if len(ranking) > 1:
            found.append(
                f"Over {data.get('period', 'the window')}, {ranking[0]} returned the "
                f"most and {ranking[-1]} the least."
            )
        found += _best(
            stocks,
            "sharpe_ratio",
            max,
            "had the most return per unit of risk (highest Sharpe ratio)",
        )
        found += _best(stocks, "annual_volatility", min, "moved the least (lowest volatility)")
        bench = data.get("benchmark", {}).get("name")
        beat = [s for s, row in stocks.items() if (_num(row, "excess_return") or 0) > 0]
        if bench and beat:
            found.append(f"Beat the {bench} over the window: {', '.join(beat)}.")
    values = {s: r.get("data", {}) for s, r in funds.items()}
    found += _best(
        values,
        "pe_trailing",
        min,
        "has the lowest P/E: cheapest against trailing "
        "earnings, which can also reflect slower expected growth",
    )
    return found


def _best(rows: dict[str, dict[str, Any]], key: str, pick: Any, text: str) -> list[str]:
    known = {name: _num(row, key) for name, row in rows.items()}
    known = {name: value for name, value in known.items() if value is not None}
    if len(known) < 2:
        return []
    return [f"{pick(known, key=known.__getitem__)} {text}."]
