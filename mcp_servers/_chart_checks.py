"""validate_chart_data's checks on data a caller wants to plot."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

MIN_POINTS = {"line": 2, "scatter": 1, "bar": 1, "candlestick": 1, "pie": 1, "heatmap": 1}
OHLC = ("open", "high", "low", "close")


def check(chart_type: str, x: list[Any] | None, series: dict[str, list[Any]]) -> dict[str, Any]:
    problems: list[str] = []
    warnings: list[str] = []
    numeric = {name: _numbers(name, values, problems) for name, values in series.items()}
    if not series:
        problems.append("no series given")
    lengths = {name: len(values) for name, values in series.items()}
    if x is not None:
        problems += [
            f"series {name!r} has {n} values but x has {len(x)}"
            for name, n in lengths.items()
            if n != len(x)
        ]
        warnings += _check_x(x)
    elif len(set(lengths.values())) > 1:
        problems.append(f"series lengths differ: {lengths}")
    points = max(lengths.values(), default=0)
    if points < MIN_POINTS[chart_type]:
        problems.append(f"a {chart_type} chart needs at least {MIN_POINTS[chart_type]} points")
    for name, values in numeric.items():
        gaps = sum(v is None for v in values)
        if gaps:
            warnings.append(f"series {name!r} has {gaps} missing values (gaps in the chart)")
    problems += _by_type(chart_type, numeric)
    return {
        "valid": not problems,
        "problems": problems,
        "warnings": warnings,
        "points": points,
        "series": {name: _stats(values) for name, values in numeric.items()},
    }


def _numbers(name: str, values: list[Any], problems: list[str]) -> list[float | None]:
    out: list[float | None] = []
    bad = 0
    for value in values:
        number = _number(value)
        if number is None and value is not None and not _is_nan(value):
            bad += 1
        out.append(number)
    if bad:
        problems.append(f"series {name!r} has {bad} non-numeric values")
    return out


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _check_x(x: list[Any]) -> list[str]:
    warnings = []
    if len(set(map(str, x))) < len(x):
        warnings.append("x has duplicate values")
    if x and all(isinstance(v, str) for v in x):
        dates = pd.to_datetime(pd.Series(x), errors="coerce", format="ISO8601")
        if dates.notna().all() and not dates.is_monotonic_increasing:
            warnings.append("x dates are not in ascending order")
        elif dates.notna().any() and dates.isna().any():
            warnings.append(f"{int(dates.isna().sum())} x values are not ISO dates")
    return warnings


def _by_type(chart_type: str, numeric: dict[str, list[float | None]]) -> list[str]:
    if chart_type == "pie":
        values = [v for values in numeric.values() for v in values if v is not None]
        problems = ["pie values must not be negative"] if any(v < 0 for v in values) else []
        if len(numeric) > 1:
            problems.append("a pie chart takes exactly one series")
        if values and sum(values) <= 0:
            problems.append("pie values must add up to more than zero")
        return problems
    if chart_type == "candlestick":
        missing = [key for key in OHLC if key not in numeric]
        if missing:
            return [f"candlestick needs series named open, high, low, close; missing {missing}"]
        rows = zip(*(numeric[key] for key in OHLC), strict=False)
        broken = sum(
            1
            for o, h, low, c in rows
            if None not in (o, h, low, c) and (h < max(o, c) or low > min(o, c))  # type: ignore[operator,type-var]
        )
        return [f"{broken} bars have high/low not bracketing open and close"] if broken else []
    return []


def _stats(values: list[float | None]) -> dict[str, Any]:
    known = [v for v in values if v is not None]
    return {
        "count": len(values),
        "missing": len(values) - len(known),
        "min": min(known) if known else None,
        "max": max(known) if known else None,
    }
