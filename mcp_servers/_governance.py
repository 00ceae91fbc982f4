"""Derived governance figures: a score from Yahoo's risk deciles, insider-trade
summaries, and headline scans. Each says how it was computed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from domain.market.models import Governance, NewsItem
from domain.market.sentiment import score_text
from mcp_servers._results import records

RISK_KEYS = ("audit_risk", "board_risk", "compensation_risk", "shareholder_rights_risk")
SCORE_METHOD = (
    "Yahoo's governance risk deciles (1 = lowest risk, 10 = highest; ISS QualityScore) "
    "mapped to 0-100 as score = 100 x (10 - decile) / 9; overall from overall_risk, or "
    "the mean of the component scores when overall_risk is absent; band: decile 1-3 "
    "low risk, 4-7 moderate, 8-10 high"
)
INSIDER_METHOD = (
    "kind = buy when the transaction or its text says purchase/buy, sell when it says "
    "sale/sell, other otherwise (awards, gifts); net_shares = bought - sold"
)
REGULATORY = re.compile(
    r"\b(sebi|regulator\w*|probe\w*|penalt\w*|fined|show[- ]cause|compliance|"
    r"violat\w*|investigat\w*|raids?|banned|court|tribunal|nclt|litigation|lawsuit)\b",
    re.IGNORECASE,
)
MANAGEMENT = re.compile(
    r"\b(ceo|cfo|md|chairman|chairperson|management|guidance|outlook|commentary|"
    r"earnings call|conference call|says|said|expects)\b",
    re.IGNORECASE,
)
_INSIDER_COLUMNS = {
    "Start Date": "date",
    "Insider": "insider",
    "Position": "position",
    "Transaction": "transaction",
    "Text": "text",
    "Shares": "shares",
    "Value": "value",
}


def score(decile: int | None) -> float | None:
    return None if decile is None else round(100 * (10 - decile) / 9, 1)


def band(decile: float | None) -> str | None:
    if decile is None:
        return None
    return "low risk" if decile <= 3 else "moderate risk" if decile <= 7 else "high risk"


def governance_score(gov: Governance) -> dict[str, Any]:
    components = {key: score(getattr(gov, key)) for key in RISK_KEYS}
    known = [value for value in components.values() if value is not None]
    overall = score(gov.overall_risk)
    basis = "overall_risk"
    if overall is None and known:
        overall, basis = round(sum(known) / len(known), 1), "mean of components"
    decile = gov.overall_risk
    if decile is None and known:
        decile = 10 - 9 * overall / 100  # back to the decile scale, for the band
    return {
        "score": overall,
        "basis": basis if overall is not None else None,
        "band": band(decile),
        "components": components,
        "deciles": {key: getattr(gov, key) for key in (*RISK_KEYS, "overall_risk")},
        "scores_as_of": gov.scores_as_of,
    }


def insider_summary(frame: pd.DataFrame, limit: int) -> dict[str, Any]:
    rows = frame.head(limit).copy()
    kinds = [_kind(row) for row in rows.to_dict(orient="records")]
    listed = records(rows, _INSIDER_COLUMNS)
    for row, kind in zip(listed, kinds, strict=True):
        row["kind"] = kind
    shares, values = _numbers(rows, "Shares"), _numbers(rows, "Value")
    is_buy = pd.Series([k == "buy" for k in kinds], index=rows.index)
    is_sell = pd.Series([k == "sell" for k in kinds], index=rows.index)
    return {
        "transactions": listed,
        "buys": int(is_buy.sum()),
        "sells": int(is_sell.sum()),
        "bought_value": float(values[is_buy].sum()),
        "sold_value": float(values[is_sell].sum()),
        "net_shares": float(shares[is_buy].sum() - shares[is_sell].sum()),
    }


def matching(items: Iterable[NewsItem], pattern: re.Pattern[str]) -> list[dict[str, Any]]:
    """Headlines whose title or summary matches, each with its sentiment."""
    found = []
    for item in items:
        text = " ".join(part for part in (item.title, item.summary) if part)
        hits = sorted({m.group(0).lower() for m in pattern.finditer(text)})
        if hits:
            found.append(
                {
                    "title": item.title,
                    "published_at": item.published_at,
                    "publisher": item.publisher,
                    "link": item.link,
                    "matched": hits,
                    "sentiment": score_text(item.title).compound,
                }
            )
    return found


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(float("nan"), index=frame.index)
    return pd.to_numeric(frame[column], errors="coerce")


def _kind(row: dict[str, Any]) -> str:
    text = f"{row.get('Transaction') or ''} {row.get('Text') or ''}".lower()
    if "purchase" in text or "buy" in text:
        return "buy"
    if "sale" in text or "sell" in text:
        return "sell"
    return "other"
