"""Synthetic news, ownership, insider trades, analyst views and governance.

These concern real company names, so everything made up here says so: people
and institutions are named "Demo …", headlines come from a "Kubera Demo Wire"
with example.com links and a summary that calls them synthetic.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from domain.market._demo_prices import rng_for
from domain.market.instruments import Instrument
from domain.market.models import NewsItem, Officer, PriceTargets

_PUBLISHER = "Kubera Demo Wire"
_SUMMARY = "Synthetic headline generated for offline demo use; not real news."
_HEADLINES = {
    "positive": (
        "{name} beats quarterly profit estimates as margins expand",
        "{name} shares surge after brokerage upgrade to buy",
        "{name} announces share buyback and higher dividend",
        "{name} wins record multi-year order, outlook bullish",
    ),
    "negative": (
        "{name} shares plunge as regulator opens probe into disclosures",
        "{name} misses revenue estimates; analysts downgrade the stock",
        "{name} faces penalty over compliance lapses",
        "{name} swings to loss in key segment amid weak demand",
    ),
    "neutral": (
        "{name} to announce quarterly results next week",
        "{name} schedules annual general meeting for shareholders",
        "{name} board to consider fund raising via debentures",
    ),
}
_OFFICER_TITLES = (
    "Managing Director & Chief Executive Officer",
    "Chief Financial Officer",
    "Chief Operating Officer",
    "Company Secretary & Compliance Officer",
)
_INSIDER_ROLES = ("Promoter Group", "Director", "Chief Financial Officer", "Officer")
_RATINGS = ["strongBuy", "buy", "hold", "sell", "strongSell"]


def news(inst: Instrument, as_of: datetime, limit: int) -> tuple[NewsItem, ...]:
    """Four to six headlines of mixed tone, newest first, a day or more apart."""
    rng = rng_for(inst.symbol, "news")
    count = int(rng.integers(4, 7))
    tones = rng.choice(["positive", "negative", "neutral"], size=count, p=[0.4, 0.3, 0.3])
    # Each tone's templates in a seeded order, so no headline repeats.
    queues = {tone: list(rng.permutation(options)) for tone, options in _HEADLINES.items()}
    items = []
    published = as_of
    for i, tone in enumerate(tones):
        published -= timedelta(hours=float(rng.uniform(20, 120)))
        queue = queues[str(tone)] or next(q for q in queues.values() if q)
        title = str(queue.pop()).format(name=_short(inst.name))
        link = f"https://example.com/kubera-demo/{inst.symbol.lower()}/{i + 1}"
        items.append(
            NewsItem(
                title=title,
                publisher=_PUBLISHER,
                link=link,
                published_at=published,
                summary=_SUMMARY,
            )
        )
    return tuple(items[:limit])


def holders(inst: Instrument, price: float, as_of: datetime) -> dict[str, object]:
    """Keyword arguments for models.Holders, minus source/as_of/symbol."""
    assert inst.shares is not None
    rng = rng_for(inst.symbol, "holders")
    insiders = rng.uniform(0.0, 0.75)
    institutions = rng.uniform(0.1, 0.9 - insiders)
    weights = np.sort(rng.dirichlet(np.ones(6))[:5])[::-1]
    pct = weights * institutions * 0.6  # the top five hold part of the total
    reported = (pd.Timestamp(as_of.date()) - pd.offsets.QuarterEnd(1)).normalize()
    shares = np.round(pct * inst.shares)
    frame = pd.DataFrame(
        {
            "Date Reported": [reported] * 5,
            "Holder": [f"Demo Institution {chr(65 + i)}" for i in range(5)],
            "pctHeld": pct,
            "Shares": shares,
            "Value": shares * price,
            "pctChange": rng.uniform(-0.1, 0.1, 5),
        }
    )
    return dict(
        insiders_pct=insiders,
        institutions_pct=institutions,
        institutions_float_pct=institutions / (1 - insiders),
        institutions_count=int(rng.integers(200, 1500)),
        institutional=frame,
    )


def insider_transactions(inst: Instrument, prices: pd.DataFrame) -> pd.DataFrame:
    """Three to five trades in the last ~6 months, valued at that day's close."""
    rng = rng_for(inst.symbol, "insiders")
    recent = prices.tail(126)
    rows = []
    for i in range(int(rng.integers(3, 6))):
        day = recent.index[int(rng.integers(len(recent)))]
        close = float(recent.loc[day, "Close"])
        shares = float(rng.integers(1, 200) * 500)
        kind = "Sale" if rng.random() < 0.5 else "Purchase"
        rows.append(
            {
                "Shares": shares,
                "Value": shares * close,
                "URL": "",
                "Text": f"{kind} at price {close:,.2f} per share.",
                "Insider": f"Demo Insider {i + 1}",
                "Position": _INSIDER_ROLES[int(rng.integers(len(_INSIDER_ROLES)))],
                "Transaction": "",
                "Start Date": day,
                "Ownership": "D",
            }
        )
    return pd.DataFrame(rows).sort_values("Start Date", ascending=False, ignore_index=True)


def analyst_fields(inst: Instrument, price: float) -> dict[str, object]:
    """Keyword arguments for models.AnalystView, minus source/as_of/symbol."""
    rng = rng_for(inst.symbol, "analysts")
    total = int(rng.integers(15, 46))
    # A stock-level leaning shifts the rating mix; months drift a little from it.
    lean = rng.uniform(-1.0, 1.0)
    rows = []
    for month in range(4):
        tilt = np.clip(lean + rng.normal(0, 0.15), -1.0, 1.0)
        weights = np.array([1.5 + tilt, 2.5 + 2 * tilt, 3.0, 1.0 - 0.8 * tilt, 0.5 - 0.4 * tilt])
        counts = rng.multinomial(total, weights / weights.sum())
        rows.append(
            {
                "period": f"-{month}m" if month else "0m",
                **dict(zip(_RATINGS, (int(c) for c in counts), strict=True)),
            }
        )
    mean = price * (1 + rng.uniform(-0.1, 0.25))
    targets = PriceTargets(
        current=price,
        mean=round(mean, 2),
        median=round(mean * rng.uniform(0.98, 1.02), 2),
        low=round(mean * rng.uniform(0.6, 0.85), 2),
        high=round(mean * rng.uniform(1.15, 1.45), 2),
    )
    return dict(
        recommendations=pd.DataFrame(rows),
        targets=targets,
        recommendation_key=_key(rows[0]),
        analyst_count=total,
    )


def governance_fields(inst: Instrument, as_of: datetime) -> dict[str, object]:
    """Keyword arguments for models.Governance, minus source/as_of/symbol."""
    rng = rng_for(inst.symbol, "governance")
    officers = []
    for i, title in enumerate(_OFFICER_TITLES):
        age = int(rng.integers(42, 68))
        officers.append(
            Officer(
                name=f"Demo Officer {chr(65 + i)}",
                title=title,
                age=age,
                year_born=as_of.year - age,
                total_pay=float(round(rng.uniform(2e7, 2.5e8), -4)) if i < 3 else None,
                fiscal_year=as_of.year - 1,
            )
        )
    scores = [int(s) for s in rng.integers(1, 11, 4)]
    return dict(
        officers=tuple(officers),
        audit_risk=scores[0],
        board_risk=scores[1],
        compensation_risk=scores[2],
        shareholder_rights_risk=scores[3],
        overall_risk=round(sum(scores) / 4),
        scores_as_of=datetime(as_of.year, as_of.month, 1, tzinfo=UTC),
    )


def _key(row: dict[str, object]) -> str:
    """Yahoo's recommendationKey from a month's counts (1 = strong buy)."""
    counts = [int(row[r]) for r in _RATINGS]  # type: ignore[call-overload]
    score = sum((i + 1) * c for i, c in enumerate(counts)) / max(sum(counts), 1)
    for limit, key in ((1.5, "strong_buy"), (2.5, "buy"), (3.5, "hold"), (4.5, "underperform")):
        if score <= limit:
            return key
    return "sell"


def _short(name: str) -> str:
    return name.removesuffix(" Ltd")
