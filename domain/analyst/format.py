"""Writing figures the way the grounding check reads them back: at most two
decimals, rupees with Indian grouping, fractions as percentages (x 100),
large amounts in crore (/ 1e7). Nothing here computes a new figure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from domain.mail.render import format_inr

CRORE = 1e7
MISSING = "—"


def money(value: Any, currency: str | None = "INR", *, signed: bool = False) -> str:
    """₹1,23,456.78 for INR; other currencies by code ("USD 12.50")."""
    if not _is_number(value):
        return MISSING
    if currency in (None, "INR"):
        return format_inr(value, signed=signed)
    return f"{currency} {number(value, signed=signed)}"


def big_money(value: Any, currency: str | None = "INR") -> str:
    """Amounts of a crore or more in crore ("₹6,41,523.60 crore")."""
    if not _is_number(value):
        return MISSING
    if abs(value) >= CRORE:
        return f"{money(value / CRORE, currency)} crore"
    return money(value, currency)


def number(value: Any, *, signed: bool = False) -> str:
    """Two decimals with Indian grouping: 1234567.891 -> "12,34,567.89"."""
    if not _is_number(value):
        return MISSING
    return format_inr(value, signed=signed).replace("₹", "", 1)


def count(value: Any) -> str:
    """A whole number with Indian grouping: 12087905.0 -> "1,20,87,905"."""
    if not _is_number(value):
        return MISSING
    return number(round(value)).removesuffix(".00")


def pct(fraction: Any, *, signed: bool = False) -> str:
    """A fraction as a percentage: 0.004873 -> "0.49%"."""
    if not _is_number(fraction):
        return MISSING
    return f"{number(fraction * 100, signed=signed)}%"


def ratio(value: Any) -> str:
    """A multiple, such as cash conversion: 1.3885 -> "1.39×"."""
    return MISSING if not _is_number(value) else f"{number(value)}×"


def day(stamp: Any) -> str:
    """The date part of an ISO timestamp."""
    return str(stamp)[:10] if stamp else "date unknown"


def provenance(result: dict[str, Any]) -> str:
    """ "demo, 2026-12-03": where a figure came from and when."""
    return f"{result.get('source', 'unknown source')}, {day(result.get('as_of'))}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A Markdown table; empty when there are no rows."""
    if not rows:
        return []
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    return lines


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value)
