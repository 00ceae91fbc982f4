"""news_sent's ten tools through the MCP client, against figures computed here
(sentiment with a VADER analyser built in the test)."""

from datetime import time, timedelta, timezone

import pandas as pd
import pytest

from domain.market import nifty50, resolve
from tests.mcp import expected as ex

pytestmark = pytest.mark.asyncio

IST = timezone(timedelta(hours=5, minutes=30))
ANNOUNCING = ("results", "annual general meeting", "fund raising", "buyback", "order")


def _summary(titles):
    compounds = [ex.vader(t)["compound"] for t in titles]
    return ex.mean(compounds), [ex.label(c) for c in compounds]


async def test_news_articles_are_the_latest_headlines_each_scored(call, demo):
    items = demo.news(resolve("ITC"), 3).items

    answer = await call("fetch_news_articles", symbol="ITC", limit=3)

    articles = answer["data"]["articles"]
    assert [a["title"] for a in articles] == [i.title for i in items]
    assert [a["published_at"] for a in articles] == [i.published_at.isoformat() for i in items]
    for article in articles:
        compound = ex.vader(article["title"])["compound"]
        assert (article["sentiment"], article["label"]) == (compound, ex.label(compound))


async def test_overall_sentiment_averages_the_headline_scores(call, demo):
    titles = [i.title for i in demo.news(resolve("AXISBANK"), 10).items]
    average, labels = _summary(titles)

    answer = await call("fetch_overall_news_sentiment", symbol="Axis Bank")

    data = answer["data"]
    assert data["headlines"] == len(titles)
    assert data["mean_compound"] == pytest.approx(average)
    assert data["label"] == ex.label(average)
    counts = (labels.count("positive"), labels.count("negative"), labels.count("neutral"))
    assert (data["positive"], data["negative"], data["neutral"]) == counts


async def test_analyst_ratings_weight_the_latest_month_and_price_the_upside(call, demo):
    view = demo.analyst_view(resolve("TRENT"))
    latest = view.recommendations.iloc[0]
    counts = [latest[k] for k in ("strongBuy", "buy", "hold", "sell", "strongSell")]

    answer = await call("fetch_analyst_ratings", symbol="TRENT")

    data = answer["data"]
    assert data["mean_rating"] == pytest.approx(
        sum((i + 1) * n for i, n in enumerate(counts)) / sum(counts)
    )
    assert data["upside_to_mean_target"] == pytest.approx(
        view.targets.mean / view.targets.current - 1
    )
    assert data["target_current"] == demo.quote(resolve("TRENT")).price
    assert (data["consensus"], data["analyst_count"]) == (
        view.recommendation_key,
        view.analyst_count,
    )
    assert data["recommendations"] == view.recommendations.to_dict(orient="records")


async def test_social_sentiment_has_no_figures_only_reasons(call):
    answer = await call("fetch_social_sentiment", symbol="ITC")

    assert answer["data"] == {}
    assert set(answer["unavailable"]) == {"social_sentiment", "mention_volume", "trending_topics"}


async def test_announcements_are_last_years_dividends_and_announcing_headlines(call, demo):
    reliance = resolve("RELIANCE")
    dividends = demo.corporate_actions(reliance).dividends
    recent = dividends[dividends.index > pd.Timestamp("2025-12-03")]
    titles = [i.title for i in demo.news(reliance, 20).items]

    answer = await call("fetch_company_announcements", symbol="RELIANCE")

    data = answer["data"]
    assert [d["value"] for d in data["dividends_last_year"]] == recent.to_list()
    assert [d["date"] for d in data["dividends_last_year"]] == ex.iso(recent.index)
    assert data["splits_last_year"] == []
    expected = [t for t in titles if any(word in t.lower() for word in ANNOUNCING)]
    assert [h["title"] for h in data["announcement_headlines"]] == expected
    assert "exchange_filings" in answer["unavailable"]


async def test_sector_sentiment_scores_each_member_and_pools_their_headlines(call, demo):
    members = [i for i in nifty50() if i.sector == "Technology"]
    feeds = {i.symbol: [n.title for n in demo.news(i, 3).items] for i in members}

    answer = await call("fetch_sector_sentiment", sector="Technology", limit=3)

    companies = answer["data"]["companies"]
    assert set(companies) == set(feeds) == {"HCLTECH", "INFY", "TCS", "TECHM", "WIPRO"}
    for symbol, titles in feeds.items():
        assert companies[symbol]["mean_compound"] == pytest.approx(_summary(titles)[0])
        assert companies[symbol]["headlines"] == len(titles)
    pooled = [t for titles in feeds.values() for t in titles]
    assert answer["data"]["sector_summary"]["mean_compound"] == pytest.approx(_summary(pooled)[0])
    assert answer["data"]["sector_summary"]["headlines"] == len(pooled)


async def test_competitor_sentiment_ranks_same_sector_peers_same_industry_first(call, demo):
    bank = resolve("HDFCBANK")
    peers = sorted(
        (i for i in nifty50() if i.sector == bank.sector and i.symbol != bank.symbol),
        key=lambda i: (i.industry != bank.industry, i.symbol),
    )[:3]
    means = {
        i.symbol: _summary([n.title for n in demo.news(i, 5).items])[0] for i in [bank, *peers]
    }

    answer = await call("fetch_competitor_sentiment", symbol="HDFCBANK", max_peers=3)

    data = answer["data"]
    assert list(data["companies"]) == list(means)
    for symbol, value in means.items():
        assert data["companies"][symbol]["mean_compound"] == pytest.approx(value)
    others = [v for s, v in means.items() if s != "HDFCBANK"]
    assert data["gap_to_peer_mean"] == pytest.approx(means["HDFCBANK"] - ex.mean(others))
    assert data["ranking"] == sorted(means, key=means.get, reverse=True)


def _sessions_around(published, dates):
    """(last close before publication, first close after it); NSE closes 15:30 IST."""
    local = published.astimezone(IST)
    day = pd.Timestamp(local.date())
    before = dates[dates < day] if local.time() < time(15, 30) else dates[dates <= day]
    after = dates[dates > before[-1]]
    return before[-1], after[0] if len(after) else None


async def test_news_impact_is_the_move_across_each_headline_net_of_the_nifty(call, demo):
    items = demo.news(resolve("COALINDIA"), 10).items
    close = ex.bars(demo, "COALINDIA", "6mo")["Close"]
    index = ex.nifty(demo, "6mo")["Close"]

    answer = await call("fetch_news_impact_analysis", symbol="COALINDIA")

    rows = answer["data"]["headlines"]
    assert [r["title"] for r in rows] == [i.title for i in items]
    moves = []
    for item, row in zip(items, rows, strict=True):
        start, end = _sessions_around(item.published_at, close.index)
        if end is None:
            assert "no session has closed" in row["unavailable"]
            continue
        move = close[end] / close[start] - 1
        abnormal = move - (index[end] / index[start] - 1)
        assert (row["session_before"], row["session_after"]) == tuple(ex.iso([start, end]))
        assert row["move"] == pytest.approx(move)
        assert row["abnormal_move"] == pytest.approx(abnormal)
        moves.append(abs(abnormal))
    assert moves
    assert answer["data"]["mean_abs_abnormal_move"] == pytest.approx(ex.mean(moves))


async def test_management_commentary_finds_the_outlook_headline(call, demo):
    titles = [i.title for i in demo.news(resolve("ICICIBANK"), 20).items]

    answer = await call("fetch_management_commentary", symbol="ICICI Bank")

    found = answer["data"]["commentary_headlines"]
    assert [h["title"] for h in found] == [t for t in titles if "outlook" in t]
    assert found[0]["sentiment"] == ex.vader(found[0]["title"])["compound"]
    assert "earnings_call_transcripts" in answer["unavailable"]


async def test_management_commentary_without_such_headlines_is_unavailable(call, demo):
    count = len(demo.news(resolve("DRREDDY"), 20).items)

    answer = await call("fetch_management_commentary", symbol="DRREDDY")

    assert "commentary_headlines" not in answer["data"]
    assert f"none of {count} recent headlines" in answer["unavailable"]["commentary_headlines"]


async def test_sentiment_score_is_vaders_with_the_finance_terms(call):
    text = "HDFC Bank profit jumps but margins face headwinds after the downgrade"
    scores = ex.vader(text)

    answer = await call("calculate_sentiment_score", text=text)

    data = answer["data"]
    assert (data["compound"], data["positive"], data["negative"], data["neutral"]) == (
        scores["compound"],
        scores["pos"],
        scores["neg"],
        scores["neu"],
    )
    assert data["label"] == ex.label(scores["compound"])
    assert data["characters"] == len(text)
