"""Figures the tests expect, computed here from the demo market's raw data with
numpy, pandas, TA-Lib and VADER directly: never through mcp_servers or
domain.market.indicators, whose answers they check."""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from domain.market import DemoSource, resolve
from domain.market.sentiment import FINANCE_LEXICON

TRADING_DAYS = 252
AS_OF = "2026-12-03T10:00:00+00:00"  # close of the demo's last session (tests' END)


def bars(demo: DemoSource, symbol: str, period: str = "1y") -> pd.DataFrame:
    return demo.history(resolve(symbol), period).frame


def nifty(demo: DemoSource, period: str = "1y") -> pd.DataFrame:
    return demo.index_history(period=period).frame


def total_return(close: pd.Series) -> float:
    return float(close.iloc[-1] / close.iloc[0] - 1)


def annual_volatility(close: pd.Series) -> float:
    logs = np.log(close.to_numpy())
    return float(np.std(np.diff(logs), ddof=1) * math.sqrt(TRADING_DAYS))


def annual_return(close: pd.Series) -> float:
    days = len(close) - 1
    return float((close.iloc[-1] / close.iloc[0]) ** (TRADING_DAYS / days) - 1)


def sharpe(close: pd.Series, risk_free_rate: float) -> float:
    simple = close.pct_change().dropna().to_numpy()
    excess = simple - ((1 + risk_free_rate) ** (1 / TRADING_DAYS) - 1)
    return float(excess.mean() / excess.std(ddof=1) * math.sqrt(TRADING_DAYS))


def max_drawdown(close: pd.Series) -> float:
    return float((close / close.cummax() - 1).min())


def beta(close: pd.Series, index_close: pd.Series) -> float:
    both = pd.concat([close, index_close], axis=1, join="inner").pct_change().dropna()
    stock, market = both.iloc[:, 0], both.iloc[:, 1]
    return float(stock.cov(market) / market.var())


@cache
def _vader() -> SentimentIntensityAnalyzer:
    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(FINANCE_LEXICON)
    return analyzer


def vader(text: str) -> dict[str, float]:
    """VADER's scores (compound, pos, neg, neu) with the finance terms added."""
    return _vader().polarity_scores(text)


def label(compound: float) -> str:
    return "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def iso(index: pd.Index) -> list[str]:
    return [day.strftime("%Y-%m-%d") for day in index]
