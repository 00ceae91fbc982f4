"""Pure functions from yfinance's raw shapes to our models' fields.

They run in the caller's thread after the fetch, so a bug here surfaces as
itself rather than being mistaken for an upstream failure. Absent, NaN or
non-numeric values become None: nothing is estimated.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from domain.market.models import OHLCV, NewsItem, Officer, PriceTargets


def num(value: Any) -> float | None:
    """A finite float, or None for missing, NaN, infinite or non-numeric input."""
    if value is None or isinstance(value, bool):
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def integer(value: Any) -> int | None:
    result = num(value)
    return None if result is None else int(result)


def epoch(value: Any) -> datetime | None:
    """Yahoo's epoch seconds, or an ISO string as in the newer news payload."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
        except ValueError:
            return None
    seconds = num(value)
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def naive_dates(index: pd.Index) -> pd.DatetimeIndex:
    """Exchange-local wall dates without a zone: Yahoo stamps daily bars at
    local midnight, so dropping the zone (not converting) keeps the trade date."""
    dates = pd.DatetimeIndex(index)
    if dates.tz is not None:
        dates = dates.tz_localize(None)
    return dates.normalize().rename("Date")


def price_frame(raw: pd.DataFrame) -> pd.DataFrame:
    """OHLCV float64 on ascending dates; rows without a close are dropped."""
    frame = raw.reindex(columns=OHLCV).astype("float64")
    frame.index = naive_dates(raw.index)
    return frame.dropna(subset=["Close"]).sort_index()


def statement(raw: pd.DataFrame | None) -> pd.DataFrame:
    """Line items × period ends, numeric, newest period first."""
    if raw is None or raw.empty:
        return pd.DataFrame()
    frame = raw.apply(pd.to_numeric, errors="coerce").astype("float64")
    frame.columns = pd.DatetimeIndex(frame.columns)
    return frame.sort_index(axis=1, ascending=False)


def action_series(raw: pd.Series | None, name: str) -> pd.Series:
    if raw is None or raw.empty:
        return pd.Series([], index=pd.DatetimeIndex([], name="Date"), name=name, dtype="float64")
    series = raw.astype("float64").rename(name)
    series.index = naive_dates(raw.index)
    return series.sort_index()


def quote_fields(info: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for models.Quote, minus source/as_of/symbol/exchange."""
    return dict(
        currency=info.get("currency"),
        price=_first(info, "currentPrice", "regularMarketPrice"),
        previous_close=_first(info, "regularMarketPreviousClose", "previousClose"),
        open=_first(info, "regularMarketOpen", "open"),
        day_high=_first(info, "regularMarketDayHigh", "dayHigh"),
        day_low=_first(info, "regularMarketDayLow", "dayLow"),
        volume=_first(info, "regularMarketVolume", "volume"),
        market_time=epoch(info.get("regularMarketTime")),
    )


def fundamentals_fields(info: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for models.Fundamentals, minus source/as_of/symbol."""
    price = _first(info, "currentPrice", "regularMarketPrice")
    debt_to_equity = num(info.get("debtToEquity"))
    return dict(
        name=info.get("longName") or info.get("shortName"),
        sector=info.get("sector"),
        industry=info.get("industry"),
        currency=info.get("currency"),
        price=price,
        market_cap=num(info.get("marketCap")),
        shares_outstanding=num(info.get("sharesOutstanding")),
        pe_trailing=num(info.get("trailingPE")),
        pe_forward=num(info.get("forwardPE")),
        eps_trailing=num(info.get("trailingEps")),
        eps_forward=num(info.get("forwardEps")),
        book_value_per_share=num(info.get("bookValue")),
        price_to_book=num(info.get("priceToBook")),
        dividend_rate=num(info.get("dividendRate")),
        dividend_yield=_dividend_yield(info, price),
        payout_ratio=num(info.get("payoutRatio")),
        roe=num(info.get("returnOnEquity")),
        roa=num(info.get("returnOnAssets")),
        # Yahoo reports debt/equity in percent (45.3 for 0.453).
        debt_to_equity=None if debt_to_equity is None else debt_to_equity / 100,
        revenue=num(info.get("totalRevenue")),
        net_income=num(info.get("netIncomeToCommon")),
        gross_margin=num(info.get("grossMargins")),
        operating_margin=num(info.get("operatingMargins")),
        profit_margin=num(info.get("profitMargins")),
        revenue_growth=num(info.get("revenueGrowth")),
        earnings_growth=num(info.get("earningsGrowth")),
        week52_high=num(info.get("fiftyTwoWeekHigh")),
        week52_low=num(info.get("fiftyTwoWeekLow")),
        beta=num(info.get("beta")),
        raw=dict(info),
    )


def holders_fields(major: pd.DataFrame | None, institutional: pd.DataFrame | None) -> dict:
    """Keyword arguments for models.Holders from yfinance's major_holders (index =
    breakdown keys, one "Value" column) and institutional_holders."""
    values: dict[str, Any] = {}
    if major is not None and not major.empty and "Value" in major.columns:
        values = major["Value"].to_dict()
    frame = institutional if institutional is not None else pd.DataFrame()
    return dict(
        insiders_pct=num(values.get("insidersPercentHeld")),
        institutions_pct=num(values.get("institutionsPercentHeld")),
        institutions_float_pct=num(values.get("institutionsFloatPercentHeld")),
        institutions_count=integer(values.get("institutionsCount")),
        institutional=frame.reset_index(drop=True),
    )


def insider_frame(raw: pd.DataFrame) -> pd.DataFrame:
    if "Start Date" not in raw.columns:
        return raw.reset_index(drop=True)
    return raw.sort_values("Start Date", ascending=False, ignore_index=True)


def price_targets(raw: dict[str, Any] | None) -> PriceTargets:
    raw = raw or {}
    return PriceTargets(
        **{key: num(raw.get(key)) for key in ("current", "low", "high", "mean", "median")}
    )


def news_item(raw: dict[str, Any]) -> NewsItem | None:
    """One article in either payload: the flat one (title, publisher, link,
    providerPublishTime) or, since late 2024, the one nested under "content"."""
    content = raw.get("content")
    if isinstance(content, dict):
        title = content.get("title")
        link = (content.get("canonicalUrl") or {}).get("url") or (
            content.get("clickThroughUrl") or {}
        ).get("url")
        publisher = (content.get("provider") or {}).get("displayName")
        published = epoch(content.get("pubDate"))
        summary = content.get("summary") or content.get("description")
    else:
        title, link, publisher = raw.get("title"), raw.get("link"), raw.get("publisher")
        published, summary = epoch(raw.get("providerPublishTime")), raw.get("summary")
    if not title:
        return None
    return NewsItem(
        title=title, publisher=publisher, link=link, published_at=published, summary=summary or None
    )


def governance_fields(info: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for models.Governance, minus source/as_of/symbol."""
    officers = tuple(
        Officer(
            name=row["name"],
            title=row.get("title"),
            age=integer(row.get("age")),
            year_born=integer(row.get("yearBorn")),
            total_pay=num(row.get("totalPay")),
            fiscal_year=integer(row.get("fiscalYear")),
        )
        for row in info.get("companyOfficers") or ()
        if isinstance(row, dict) and row.get("name")
    )
    return dict(
        officers=officers,
        audit_risk=integer(info.get("auditRisk")),
        board_risk=integer(info.get("boardRisk")),
        compensation_risk=integer(info.get("compensationRisk")),
        shareholder_rights_risk=integer(info.get("shareHolderRightsRisk")),
        overall_risk=integer(info.get("overallRisk")),
        scores_as_of=epoch(info.get("governanceEpochDate")),
    )


def _first(info: dict[str, Any], *keys: str) -> float | None:
    for key in keys:
        value = num(info.get(key))
        if value is not None:
            return value
    return None


def _dividend_yield(info: dict[str, Any], price: float | None) -> float | None:
    """Rate / price when both are known. Yahoo's own dividendYield switched from
    a fraction to percent in 2025, so it is only the fallback, divided by 100."""
    rate = num(info.get("dividendRate"))
    if rate is not None and price:
        return rate / price
    reported = num(info.get("dividendYield"))
    return None if reported is None else reported / 100
