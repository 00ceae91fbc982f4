"""news_sent: headlines, their sentiment, analyst ratings, and price moves
around news. Sentiment is VADER with a finance lexicon (domain.market.sentiment);
no social-media or exchange-filing source is connected, so those figures are
reported as unavailable.

Run alone: `python -m mcp_servers.news_sent` (stdio) or `--http --port N`.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

import pandas as pd
from pydantic import Field

from domain.market import Instrument, MarketSource
from domain.market.models import NewsItem
from domain.market.sentiment import score_text
from mcp_servers import _governance as gov
from mcp_servers import _news as news
from mcp_servers._args import NewsLimit, Sector, Symbol
from mcp_servers._results import Report, not_reported
from mcp_servers._run import main
from mcp_servers._tooling import market_tool, new_server, optional, require_text, resolved
from mcp_servers.context import get_market

server = new_server(
    "news_sent",
    "Recent news, headline sentiment, analyst ratings and price reaction to news for "
    "NSE/BSE companies. Sentiment scores run from -1 (negative) to +1 (positive).",
)
tool = market_tool(server)

MaxPeers = Annotated[int, Field(ge=1, le=10, description="Most same-sector peers to compare.")]
_RATINGS = ("strongBuy", "buy", "hold", "sell", "strongSell")


@tool
def fetch_news_articles(symbol: Symbol, limit: NewsLimit = 10) -> dict[str, Any]:
    """Recent news headlines about a company, newest first, each with its
    sentiment score."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    feed = report.seen(market.news(inst, limit))
    report.data["articles"] = news.scored(feed.items)
    return report.build(method=news.SENTIMENT_METHOD)


@tool
def fetch_overall_news_sentiment(symbol: Symbol, limit: NewsLimit = 10) -> dict[str, Any]:
    """Aggregate sentiment of a company's recent headlines: mean score, label and
    how many headlines read positive, negative or neutral."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    feed = report.seen(market.news(inst, limit))
    result = news.summary(feed.items)
    if result["headlines"] == 0:
        report.missing("mean_compound", f"{feed.source} returned no recent headlines")
    report.data.update({k: v for k, v in result.items() if v is not None})
    return report.build(method=news.SENTIMENT_METHOD)


@tool
def fetch_analyst_ratings(symbol: Symbol) -> dict[str, Any]:
    """Analyst recommendation counts by month, consensus, and price targets with
    the upside implied by the mean target."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    view = report.seen(market.analyst_view(inst))
    reason = not_reported(view.source)
    months = view.recommendations.to_dict(orient="records")
    report.data["recommendations"] = months
    report.put("consensus", view.recommendation_key, reason)
    report.put("analyst_count", view.analyst_count, reason)
    report.put("mean_rating", _mean_rating(months[0]) if months else None, reason)
    for key, value in dataclasses.asdict(view.targets).items():
        report.put(f"target_{key}", value, reason)
    upside = None
    if view.targets.mean and view.targets.current:
        upside = view.targets.mean / view.targets.current - 1
    report.put("upside_to_mean_target", upside, reason)
    return report.build(
        method="mean_rating = latest month's count-weighted rating, 1 = strong buy ... "
        "5 = strong sell; upside = mean target / current price - 1"
    )


@tool
def fetch_social_sentiment(symbol: Symbol) -> dict[str, Any]:
    """Social-media sentiment; always reported as unavailable, because no
    social-media source is connected. Use fetch_overall_news_sentiment instead."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    reason = "no social-media source (X, Reddit, StockTwits) is connected to Kubera"
    for key in ("social_sentiment", "mention_volume", "trending_topics"):
        report.missing(key, reason)
    return report.build()


@tool
def fetch_company_announcements(symbol: Symbol, limit: NewsLimit = 20) -> dict[str, Any]:
    """Corporate actions (dividends, splits) from the last year and headlines
    about results, board meetings, dividends, buybacks or deals."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    feed = report.seen(market.news(inst, limit))
    report.data["announcement_headlines"] = gov.matching(feed.items, news.ANNOUNCEMENT)
    actions = optional(report, "corporate_actions", lambda: market.corporate_actions(inst))
    if actions is not None:
        since = pd.Timestamp(actions.as_of.date()) - pd.DateOffset(years=1)
        report.data["dividends_last_year"] = _points(actions.dividends, since)
        report.data["splits_last_year"] = _points(actions.splits, since)
    report.missing(
        "exchange_filings",
        "no NSE/BSE corporate-announcement feed is connected; headlines stand in for it",
    )
    return report.build(
        method="announcement_headlines = headlines matching results, board meeting, AGM, "
        "dividend, buyback, bonus, split, fund raising, acquisition or order terms"
    )


@tool
def fetch_sector_sentiment(sector: Sector, limit: NewsLimit = 5) -> dict[str, Any]:
    """Headline sentiment across a sector's NIFTY 50 members: each company's mean
    score and the sector's pooled score."""
    market = get_market()
    report = Report(market)
    members = news.sector_members(sector)
    companies, pooled = _sentiments(report, market, members, limit)
    report.data.update(sector=sector, companies=companies, sector_summary=news.summary(pooled))
    return report.build(
        method=f"{news.SENTIMENT_METHOD}; sector_summary pools every member's headlines"
    )


@tool
def fetch_competitor_sentiment(
    symbol: Symbol, max_peers: MaxPeers = 5, limit: NewsLimit = 5
) -> dict[str, Any]:
    """A company's headline sentiment next to its same-sector NIFTY 50 peers',
    ranked, with its gap to the peer average."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    sector = inst.sector
    if sector is None:
        facts = optional(report, "sector", lambda: market.fundamentals(inst))
        sector = facts.sector if facts is not None else None
    if sector is None:
        report.missing("peers", "the company's sector is unknown, so peers cannot be chosen")
        return report.build()
    rivals = news.peers(inst, sector, max_peers)
    companies, _ = _sentiments(report, market, [inst, *rivals], limit)
    own = companies.get(inst.symbol, {}).get("mean_compound")
    others = [
        c["mean_compound"]
        for s, c in companies.items()
        if s != inst.symbol and c.get("mean_compound") is not None
    ]
    if own is not None and others:
        report.data["gap_to_peer_mean"] = own - sum(others) / len(others)
    ranked = [s for s, c in companies.items() if c.get("mean_compound") is not None]
    ranked.sort(key=lambda s: companies[s]["mean_compound"], reverse=True)
    report.data.update(sector=sector, companies=companies, ranking=ranked)
    return report.build(
        method=f"{news.SENTIMENT_METHOD}; peers = NIFTY 50 members of the same sector, "
        "same industry first; gap = company mean - mean of peer means"
    )


@tool
def fetch_news_impact_analysis(symbol: Symbol, limit: NewsLimit = 10) -> dict[str, Any]:
    """How the share price moved, against the NIFTY 50, across the first close
    after each recent headline, and whether moves agreed with sentiment."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    feed = report.seen(market.news(inst, limit))
    history = report.seen(market.history(inst, "6mo"))
    index = optional(report, "nifty_move", lambda: market.index_history(period="6mo"))
    index_close = index.frame["Close"] if index is not None else None
    rows = [news.impact(item, history.frame["Close"], index_close) for item in feed.items]
    report.data["headlines"] = rows
    moves = [abs(r["abnormal_move"]) for r in rows if r.get("abnormal_move") is not None]
    report.put(
        "mean_abs_abnormal_move",
        sum(moves) / len(moves) if moves else None,
        "no headline has a measurable move",
    )
    votes = [r["agrees"] for r in rows if "agrees" in r]
    report.put(
        "agreement_rate",
        sum(votes) / len(votes) if votes else None,
        "no headline has both a sentiment and a move",
    )
    return report.build(method=news.IMPACT_METHOD)


@tool
def fetch_management_commentary(symbol: Symbol, limit: NewsLimit = 20) -> dict[str, Any]:
    """Recent headlines quoting management, guidance or outlook, with sentiment;
    unavailable when none do (earnings-call transcripts are not connected)."""
    market, inst = resolved(symbol)
    report = Report(market, inst)
    feed = report.seen(market.news(inst, limit))
    found = gov.matching(feed.items, gov.MANAGEMENT)
    if found:
        report.data["commentary_headlines"] = found
    else:
        report.missing(
            "commentary_headlines",
            f"none of {len(feed.items)} recent headlines quotes management or guidance",
        )
    report.missing("earnings_call_transcripts", "no transcript source is connected")
    return report.build(
        method="headlines matching CEO, CFO, MD, chairman, management, guidance, outlook or "
        f"commentary terms; {news.SENTIMENT_METHOD}"
    )


@tool
def calculate_sentiment_score(
    text: Annotated[
        str,
        Field(
            max_length=5000, description="Headline, sentence or short paragraph to score (English)."
        ),
    ],
) -> dict[str, Any]:
    """Sentiment of a piece of text from -1 (negative) to +1 (positive), with the
    shares of positive, negative and neutral wording."""
    cleaned = require_text(text)
    report = Report(source="vader-finance-lexicon")
    score = score_text(cleaned)
    report.data.update(dataclasses.asdict(score))
    report.data["characters"] = len(cleaned)
    return report.build(method=news.TEXT_METHOD)


def _sentiments(
    report: Report, market: MarketSource, members: list[Instrument], limit: int
) -> tuple[dict[str, dict[str, Any]], list[NewsItem]]:
    """Each member's headline summary, and all their headlines pooled."""
    companies: dict[str, dict[str, Any]] = {}
    pooled: list[NewsItem] = []
    for symbol, feed in news.feeds(market, members, limit).items():
        if isinstance(feed, str):
            report.missing(f"companies.{symbol}", feed)
            continue
        report.seen(feed)
        companies[symbol] = news.summary(feed.items)
        pooled.extend(feed.items)
    return companies, pooled


def _mean_rating(month: dict[str, Any]) -> float | None:
    counts = [int(month.get(key) or 0) for key in _RATINGS]
    total = sum(counts)
    return sum((i + 1) * c for i, c in enumerate(counts)) / total if total else None


def _points(series: pd.Series, since: pd.Timestamp) -> list[dict[str, Any]]:
    recent = series[series.index > since].dropna()
    return [{"date": day, "value": float(value)} for day, value in recent.items()]


if __name__ == "__main__":
    main(server, default_port=8104)
