"""Headline sentiment: VADER with a finance vocabulary added.

Stock VADER reads "Infosys beats estimates" as neutral and has no idea that a
downgrade or a probe is bad news; FINANCE_LEXICON fills those gaps. Valences
use VADER's scale (-4 to +4) and sit near the strength of the nearest general
word already in it (e.g. "plunge" near "crash"). VADER matches single tokens,
so multi-word phrases ("rate cut") cannot be added this way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

# VADER's own cut-offs for calling a compound score positive or negative.
POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05

FINANCE_LEXICON: dict[str, float] = {
    # results and guidance
    "beat": 1.8,
    "beats": 1.8,
    "miss": -1.8,
    "misses": -1.8,
    "missed": -1.8,
    "profit": 1.9,
    "profits": 1.9,
    "loss": -1.8,
    "losses": -1.9,
    "outperform": 2.0,
    "outperforms": 2.0,
    "underperform": -2.0,
    "underperforms": -2.0,
    "headwinds": -1.5,
    "tailwinds": 1.5,
    "writeoff": -1.8,
    "impairment": -1.8,
    # analyst actions
    "upgrade": 2.0,
    "upgraded": 2.0,
    "upgrades": 2.0,
    "downgrade": -2.0,
    "downgraded": -2.0,
    "downgrades": -2.0,
    "overweight": 1.2,
    "underweight": -1.2,
    "bullish": 2.5,
    "bearish": -2.5,
    # price moves
    "surge": 2.2,
    "surges": 2.2,
    "soar": 2.4,
    "soars": 2.4,
    "rally": 1.8,
    "rallies": 1.8,
    "jump": 1.5,
    "jumps": 1.5,
    "plunge": -2.5,
    "plunges": -2.5,
    "slump": -2.2,
    "slumps": -2.2,
    "tumble": -2.2,
    "tumbles": -2.2,
    "crash": -2.8,
    "selloff": -2.0,
    # capital returns
    "dividend": 1.2,
    "buyback": 1.5,
    # credit, legal and regulatory trouble; "pledge" is promoters pledging shares
    "default": -2.8,
    "defaults": -2.8,
    "fraud": -3.2,
    "penalty": -2.0,
    "probe": -1.8,
    "raid": -2.0,
    "insolvency": -3.0,
    "bankruptcy": -3.0,
    "layoffs": -1.8,
    "pledge": -1.0,
}

Label = Literal["positive", "negative", "neutral"]


@dataclass(frozen=True)
class SentimentScore:
    compound: float  # -1 (most negative) to +1
    positive: float  # share of the text's sentiment-bearing weight, 0-1
    negative: float
    neutral: float
    label: Label


@dataclass(frozen=True)
class SentimentSummary:
    n: int
    mean_compound: float | None  # None when there was no text to score
    label: Label | None
    positive: int  # texts per label
    negative: int
    neutral: int


def label_for(compound: float) -> Label:
    if compound >= POSITIVE_THRESHOLD:
        return "positive"
    if compound <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"


def score_text(text: str) -> SentimentScore:
    scores = _analyzer().polarity_scores(text)
    return SentimentScore(
        compound=scores["compound"],
        positive=scores["pos"],
        negative=scores["neg"],
        neutral=scores["neu"],
        label=label_for(scores["compound"]),
    )


def aggregate(texts: Iterable[str]) -> SentimentSummary:
    """Scores each non-blank text and averages the compound scores."""
    scored = [score_text(text) for text in texts if text and text.strip()]
    counts = {"positive": 0, "negative": 0, "neutral": 0}
    for score in scored:
        counts[score.label] += 1
    if not scored:
        return SentimentSummary(0, None, None, **counts)
    mean = sum(score.compound for score in scored) / len(scored)
    return SentimentSummary(len(scored), mean, label_for(mean), **counts)


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    """Built once (VADER parses its lexicon file on construction); read-only after."""
    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(FINANCE_LEXICON)
    return analyzer
