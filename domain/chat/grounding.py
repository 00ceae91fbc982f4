"""Grounded numbers: every figure in an answer should come from a tool result.

A figure matches when some number from the turn's tool results (or its
arguments, or the user's prompt) rounds to it at the precision it was written
with, allowing for percent/fraction and Indian or Western unit words.
What matches nothing is listed as unverified; the answer is not changed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

_NUMBER = re.compile(
    r"(?<![\w.])[-−]?(?:₹\s?)?(\d{1,3}(?:,\d{2,3})+|\d+)(\.\d+)?"
    r"\s?(%|lakh crore|crore|cr\b|lakh|billion|bn\b|million|mn\b|trillion|k\b)?",
    re.IGNORECASE,
)
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[/-]\d{1,2}[/-]\d{2,4}\b")
# Numbers that name a thing rather than state a figure: "52-week", "SMA 50",
# "RSI(14)", "EMA12", "Q3", "FY24".
_LABEL = re.compile(
    r"\b\d+-(?:day|week|month|year|dma)s?\b|\b(?:SMA|EMA|DMA|RSI|MA|Q|FY|H)\s?\(?\d+\)?",
    re.IGNORECASE,
)
_SCALE = {
    "%": 1.0,
    "lakh crore": 1e12,
    "crore": 1e7,
    "cr": 1e7,
    "lakh": 1e5,
    "billion": 1e9,
    "bn": 1e9,
    "million": 1e6,
    "mn": 1e6,
    "trillion": 1e12,
    "k": 1e3,
}
# Small whole numbers ("3 reasons", "top 5") and years are words, not figures.
SMALL_INT_MAX = 12
YEARS = range(1990, 2101)


def figures_in(text: str) -> list[tuple[str, float, int, str]]:
    """(as written, value, decimals, unit) for each figure worth checking."""
    text = _LABEL.sub(" ", _DATE.sub(" ", text))
    found = []
    for match in _NUMBER.finditer(text):
        whole, fraction, unit = match.group(1), match.group(2) or "", (match.group(3) or "")
        value = float(whole.replace(",", "") + fraction)
        unit = unit.lower()
        if not unit and not fraction and (value <= SMALL_INT_MAX or int(value) in YEARS):
            continue
        sign = -1.0 if match.group(0).lstrip().startswith(("-", "−")) else 1.0
        found.append(
            (match.group(0).strip(), sign * value, len(fraction) - 1 if fraction else 0, unit)
        )
    return found


def numbers_in(value: Any) -> Iterable[float]:
    """Every number inside a tool result, including numbers written in strings."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | float):
        if math.isfinite(value):
            yield float(value)
    elif isinstance(value, str):
        for _, number, _, _ in figures_in(value):
            yield number
    elif isinstance(value, dict):
        for item in value.values():
            yield from numbers_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from numbers_in(item)


def _matches(written: float, decimals: int, unit: str, known: float) -> bool:
    candidates = [known]
    if unit == "%":
        candidates.append(known * 100)  # fractions shown as percentages
    elif unit:
        candidates = [known / _SCALE[unit]]
    tolerance = 0.5 * 10 ** (-decimals) + 1e-9
    return any(abs(abs(c) - abs(written)) <= tolerance for c in candidates)


def unverified_numbers(text: str, results: Iterable[Any], extra: Iterable[Any] = ()) -> list[str]:
    known = list(numbers_in(list(results))) + list(numbers_in(list(extra)))
    missing = []
    for written, value, decimals, unit in figures_in(text):
        if not any(_matches(value, decimals, unit, k) for k in known):
            missing.append(written)
    return list(dict.fromkeys(missing))
