"""XIRR: the annual rate at which a series of dated cash flows nets to zero.

Solved by bisection on the sign of the net present value, which is monotonic
in the rate when every outflow precedes every inflow (our case: buys, then
today's value).
Newton's method was rejected: from a poor start it jumps below -100 % and
diverges on short holding periods, where the rate can be in the thousands of
per cent. No numpy or scipy: a hundred-odd steps of plain arithmetic suffice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

DAYS_PER_YEAR = 365.0
_LOW = -0.999999  # just above -100 %: (1 + r) must stay positive
_HIGHEST = 1e9  # beyond this the rate means nothing to anyone
_TOLERANCE = 1e-10
_MAX_STEPS = 300


@dataclass(frozen=True)
class CashFlow:
    on: date
    amount: float  # negative for money paid in, positive for money received


@dataclass(frozen=True)
class Xirr:
    rate: float | None  # a fraction per year: 0.12 is 12 %
    reason: str | None = None  # why rate is None


def _worth(rate: float, flows: Sequence[CashFlow], end: date) -> float:
    """The flows' value at `end`, divided by a positive factor that keeps it
    finite: only its sign, which is the net present value's, is used.

    Computed in logs: (1 + rate) ** years over- or underflows a float within
    decades at the bisection's extreme rates (a 1960 buy date did).
    """
    growth = math.log1p(rate)
    exponents = [(end - f.on).days / DAYS_PER_YEAR * growth for f in flows]
    top = max(exponents)
    return sum(f.amount * math.exp(e - top) for f, e in zip(flows, exponents, strict=True))


def xirr(flows: Sequence[CashFlow]) -> Xirr:
    if not any(f.amount < 0 for f in flows) or not any(f.amount > 0 for f in flows):
        return Xirr(None, "needs money both paid in and received")
    end = max(f.on for f in flows)
    if min(f.on for f in flows) == end:
        return Xirr(None, "every cash flow is on the same day; no time has passed")
    low, high = _LOW, 1.0
    npv_low = _worth(low, flows, end)
    while _worth(high, flows, end) * npv_low > 0:
        if high >= _HIGHEST:
            return Xirr(None, "no rate below 100,000,000 % balances the cash flows")
        high *= 10.0
    for _ in range(_MAX_STEPS):
        mid = (low + high) / 2.0
        npv_mid = _worth(mid, flows, end)
        if abs(high - low) < _TOLERANCE:
            break
        if npv_mid * npv_low > 0:
            low, npv_low = mid, npv_mid
        else:
            high = mid
    return Xirr((low + high) / 2.0)
