"""Headline sentiment, peers, and price moves around headlines, for news_sent."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import time, timedelta, timezone
from typing import Any

import pandas as pd

from domain.market import Instrument, MarketSource, SourceUnavailable, nifty50
from domain.market.indicators import clean
from domain.market.models import NewsFeed, NewsItem
from domain.market.sentiment import aggregate, score_text
from mcp_servers._tooling import fan_out

IST = timezone(timedelta(hours=5, minutes=30))
NSE_CLOSE = time(15, 30)

SENTIMENT_METHOD = (
    "VADER compound score (-1 to +1) with a finance lexicon, on headline titles; "
    "mean over headlines; positive >= 0.05, negative <= -0.05, else neutral"
)
TEXT_METHOD = (
    "VADER compound score (-1 to +1) with a finance lexicon; positive >= 0.05, "
    "negative <= -0.05, else neutral; shares are of the sentiment-bearing wording"
)
IMPACT_METHOD = (
    "move = close of the first session ending after publication / close of the last "
    "session ending before it - 1 (NSE closes 15:30 IST); nifty_move = NIFTY 50 over "
    "the same two sessions; abnormal_move = move - nifty_move; agrees = sign of the "
    "headline's sentiment equals the sign of abnormal_move"
)
ANNOUNCEMENT = re.compile(
    r"\b(results?|board meeting|agm|annual general meeting|dividend|buyback|bonus|"
    r"split|fund raising|debentures?|acquisitions?|acquires?|merger|order|allot\w*)\b",
    re.IGNORECASE,
)


def scored(items: Iterable[NewsItem]) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        score = score_text(item.title)
        rows.append(
            {
                "title": item.title,
                "publisher": item.publisher,
                "published_at": item.published_at,
                "link": item.link,
                "sentiment": score.compound,
                "label": score.label,
            }
        )
    return rows


def summary(items: Sequence[NewsItem]) -> dict[str, Any]:
    result = aggregate(item.title for item in items)
    return {
        "headlines": result.n,
        "mean_compound": result.mean_compound,
        "label": result.label,
        "positive": result.positive,
        "negative": result.negative,
        "neutral": result.neutral,
    }


def sector_members(sector: str, exchange: str = "NSE") -> list[Instrument]:
    return [inst for inst in nifty50(exchange) if inst.sector == sector]  # type: ignore[arg-type]


def peers(inst: Instrument, sector: str, limit: int) -> list[Instrument]:
    """NIFTY 50 members of `sector` other than `inst`: same industry first."""
    others = [p for p in sector_members(sector, inst.exchange) if p.symbol != inst.symbol]
    others.sort(key=lambda p: (p.industry != inst.industry, p.symbol))
    return others[:limit]


def feeds(
    market: MarketSource, instruments: Sequence[Instrument], limit: int
) -> dict[str, NewsFeed | str]:
    """Each company's feed, or the reason it could not be fetched."""

    def one(inst: Instrument) -> NewsFeed | str:
        try:
            return market.news(inst, limit)
        except SourceUnavailable as exc:
            return exc.message

    results = fan_out(one, instruments)
    return {inst.symbol: result for inst, result in zip(instruments, results, strict=True)}


def impact(item: NewsItem, close: pd.Series, index_close: pd.Series | None) -> dict[str, Any]:
    row: dict[str, Any] = {"title": item.title, "published_at": item.published_at}
    row["sentiment"] = score_text(item.title).compound
    if item.published_at is None:
        return {**row, "unavailable": "the source gives no publication time"}
    local = item.published_at.astimezone(IST)
    day = pd.Timestamp(local.date())
    dates = close.index
    closed = dates < day if local.time() < NSE_CLOSE else dates <= day
    before = int(closed.sum()) - 1
    if before < 0:
        return {**row, "unavailable": "published before the price window starts"}
    if before + 1 >= len(dates):
        return {**row, "unavailable": "no session has closed since publication"}
    start, end = dates[before], dates[before + 1]
    move = clean(close.iloc[before + 1] / close.iloc[before] - 1)
    row.update(session_before=start.date(), session_after=end.date(), move=move)
    nifty = _index_move(index_close, start, end)
    if nifty is not None and move is not None:
        row.update(nifty_move=nifty, abnormal_move=move - nifty)
        if row["sentiment"] != 0 and row["abnormal_move"] != 0:
            row["agrees"] = (row["sentiment"] > 0) == (row["abnormal_move"] > 0)
    return row


def _index_move(index_close: pd.Series | None, start: Any, end: Any) -> float | None:
    if index_close is None or start not in index_close.index or end not in index_close.index:
        return None
    return clean(index_close[end] / index_close[start] - 1)
