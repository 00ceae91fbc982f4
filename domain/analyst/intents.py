"""What the user asked for, read from the last message with keyword rules.

`recognise("compare INFY and TCS")` gives `Intent("compare", (INFY, TCS))`.
Rules are tried in a fixed priority (a "price chart" is a chart, "technical
analysis" is technicals, not an overview). A message naming no company borrows
the companies of the previous question, so "and its RSI?" follows on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from domain.analyst import companies
from domain.market.instruments import Instrument

Kind = Literal[
    "overview",
    "price",
    "compare",
    "technicals",
    "fundamentals",
    "news",
    "dividends",
    "chart",
    "portfolio",
    "help",
    "unknown_company",
    "missing_company",
]
# Kinds about companies; the rest answer without tools.
COMPANY_KINDS: frozenset[str] = frozenset(
    {"overview", "price", "compare", "technicals", "fundamentals", "news", "dividends", "chart"}
)


def _rx(alternatives: str) -> re.Pattern[str]:
    """Whole-word, case-blind match of "a|b|c"."""
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


_TECHNICAL = _rx(
    r"rsi|macd|moving averages?|sma\d*|ema\d*|technicals?|bollinger|momentum|overbought"
    r"|oversold|indicators?"
)
# In priority order: the first kind whose words appear wins.
_KINDS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    ("portfolio", _rx(r"portfolio|my (?:holdings|positions|investments)|i (?:hold|own)")),
    ("chart", _rx(r"charts?|candle(?:stick)?s?|graphs?|plot|visuali[sz]e")),
    ("compare", _rx(r"compare|comparison|vs\.?|versus")),
    ("dividends", _rx(r"dividends?|payouts?")),
    ("technicals", _TECHNICAL),
    (
        "fundamentals",
        _rx(
            r"p/?e|pe ratio|p/?b|fundamentals?|valuations?|balance sheet|cash ?flows?|fcf|eps"
            r"|earnings|revenue|profits?|debt|roe|margins?|market cap|financials?|ratios?"
            r"|book value"
        ),
    ),
    ("news", _rx(r"news|headlines?|sentiment|announcements?|buzz")),
    ("price", _rx(r"price|quote|trading at|today|doing|ltp|current(?:ly)?|how much")),
    (
        "overview",
        _rx(
            r"analy[sz]e|analysis|overview|about|summary|summari[sz]e|report|research|outlook"
            r"|review|invest|buy|sell"
        ),
    ),
)
_TOPICS: dict[str, re.Pattern[str]] = {
    "eps": _rx(r"eps|earnings per share"),
    "balance_sheet": _rx(r"balance sheet|debt|assets|liabilities|net worth"),
    "cash_flow": _rx(r"cash ?flows?|fcf|free cash"),
    "financials": _rx(r"revenue|sales|profits?|income statement|financials?|growth"),
    "technicals": _TECHNICAL,
    "candlestick": _rx(r"candle(?:stick)?s?|ohlc"),
    "dividend": _rx(r"dividends?"),
    "benchmark": _rx(r"nifty|benchmark|index|market"),
    "valuation": _rx(r"valuations?|fundamentals?|p/?e|p/?b"),
    "sector": _rx(r"sectors?"),
}
_INDICATORS = {
    "rsi": _rx(r"rsi|overbought|oversold"),
    "macd": _rx(r"macd"),
    "sma": _rx(r"moving averages?|sma\d*"),
    "ema": _rx(r"ema\d*"),
    "bollinger": _rx(r"bollinger"),
}
# With two companies named, these read as a comparison ("INFY or TCS?").
_WEAK_COMPARE = _rx(r"or|better|against|and")
_GREETING = re.compile(
    r"^\W*(?:hi|hello|hey|hii+|namaste|namaskar|good (?:morning|afternoon|evening)|thanks?"
    r"|thank you|yo)\b",
    re.IGNORECASE,
)
_HELP = _rx(r"help|what can you do|who are you|how do you work|what do you do")
_FOLLOW_UP = re.compile(r"^\W*(?:what|how) about\b|^\W*and\b|^\W*same (?:for|with)\b", re.I)
# Words that name no company; what remains after them may be a misspelt one.
_FILLER = frozenset(
    "a an and are as at be by can company could do does for from get give has have hi how i "
    "in is it its me my of on or please pls share shares show stock stocks tell than that "
    "the their them this to want was what whats which who why will with would you your "
    "ltd limited nse bse india indian market markets sensex nifty index sector stock's "
    "last past over next days day weeks week months month years year time all long term "
    "short now vs versus see look details detailed info information latest recent trend "
    "trends performance performing data figures numbers chart graph plot view hello hey "
    "hii thanks thank namaste namaskar good morning afternoon evening yo ok okay".split()
)
_PERIOD = re.compile(
    r"\b(?:(\d+)\s?(d|w|m|mo|y|yr)|(\d+)\s*(months?|years?|yrs?)"
    r"|(?:last|past|over|for|in)\s+(?:the\s+)?(\d+|a|an|one|two|three|five|six)?\s*"
    r"(days?|weeks?|months?|years?|yrs?))\b",
    re.IGNORECASE,
)
_WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "five": 5, "six": 6}
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}
# Each period the tools accept and the most days it covers.
_PERIODS = (
    ("5d", 5),
    ("1mo", 31),
    ("3mo", 92),
    ("6mo", 183),
    ("1y", 366),
    ("2y", 731),
    ("5y", 1827),
)
_QUANTITY = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(?![\w.])")


@dataclass(frozen=True)
class Intent:
    """`extras` holds what refines the plan: topics, indicators, period,
    holdings, or for an unknown company the query and suggestions."""

    kind: Kind
    instruments: tuple[Instrument, ...] = ()
    extras: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


def recognise(text: str, earlier: Sequence[str] = ()) -> Intent:
    """Read the last user message; `earlier` are previous user messages, oldest first."""
    mentions = companies.find(text)
    follow_up = bool(_FOLLOW_UP.search(text))
    kind = _kind(_FOLLOW_UP.sub(" ", text), len(mentions.instruments))
    if kind == "portfolio":
        return Intent("portfolio", mentions.instruments, _portfolio_extras(text))
    if not mentions.instruments:
        return _without_companies(text, kind, mentions, earlier)
    if kind is None and follow_up and earlier:
        kind = recognise(earlier[-1]).kind
    if kind not in COMPANY_KINDS:
        kind = "compare" if len(mentions.instruments) > 1 else "overview"
    if kind == "compare" and len(mentions.instruments) < 2:
        return Intent("missing_company", mentions.instruments, {"need": "compare"})
    return Intent(kind, mentions.instruments, _extras(text))


def _kind(text: str, companies_found: int) -> Kind | None:
    for kind, pattern in _KINDS:
        if kind == "overview" and companies_found > 1 and _WEAK_COMPARE.search(text):
            return "compare"
        if pattern.search(text):
            return kind
    return None


def _without_companies(
    text: str, kind: Kind | None, mentions: companies.Mentions, earlier: Sequence[str]
) -> Intent:
    unknown = _unknown_words(text)
    # With no request word, only a message that is nothing but a name counts.
    bare = len(unknown) == len(mentions.leftover) <= 3
    if unknown and (kind is not None or bare):
        query = " ".join(_as_typed(text, word) for word in unknown)
        return Intent(
            "unknown_company", (), {"query": query, "suggestions": companies.suggestions(unknown)}
        )
    if kind is not None and kind in COMPANY_KINDS:
        previous = _previous_companies(earlier)
        if previous and (kind != "compare" or len(previous) > 1):
            return Intent(kind, previous, _extras(text))
        return Intent("missing_company", (), {"need": kind})
    return Intent("help", (), {"greeting": bool(_GREETING.search(text))})


def _as_typed(text: str, word: str) -> str:
    """A normalised word with the user's own capitals ("infosis" -> "Infosis")."""
    found = re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE)
    return found.group(0) if found else word


def _unknown_words(text: str) -> tuple[str, ...]:
    """Words left once request keywords and filler are taken out."""
    patterns = [p for _, p in _KINDS] + list(_TOPICS.values()) + [_HELP, _PERIOD]
    for pattern in patterns:
        text = pattern.sub(" ", text)
    words = companies.normalise(text).split()
    return tuple(w for w in words if w not in _FILLER and not w.isdigit() and len(w) > 1)


def _previous_companies(earlier: Sequence[str]) -> tuple[Instrument, ...]:
    for message in reversed(earlier):
        found = companies.find(message).instruments
        if found:
            return found
    return ()


def _extras(text: str) -> dict[str, Any]:
    extras: dict[str, Any] = {
        "topics": [name for name, pattern in _TOPICS.items() if pattern.search(text)],
        "indicators": [name for name, pattern in _INDICATORS.items() if pattern.search(text)],
    }
    period = _period(text)
    if period is not None:
        extras["period"] = period
    if re.search(r"\bquarter(?:ly|s)?\b|\bq[1-4]\b|\bqoq\b", text, re.IGNORECASE):
        extras["frequency"] = "quarterly"
    return extras


def _period(text: str) -> str | None:
    """The shortest supported window covering a stated one ("6 months" -> 6mo)."""
    if re.search(r"\b(?:max|all[- ]time|since listing)\b", text, re.IGNORECASE):
        return "max"
    match = _PERIOD.search(text)
    if match is None:
        return None
    amount = match.group(1) or match.group(3) or match.group(5) or "1"
    unit = (match.group(2) or match.group(4) or match.group(6)).lower()[0]
    count = int(amount) if amount.isdigit() else _WORD_NUMBERS[amount.lower()]
    days = count * _UNIT_DAYS[unit]
    return next((name for name, span in _PERIODS if days <= span), "max")


def _portfolio_extras(text: str) -> dict[str, Any]:
    """Holdings written as "10 INFY, 5 shares of TCS and ITC 20"."""
    holdings: list[tuple[Instrument, float]] = []
    for segment in re.split(r"[,;\n+]|\band\b", text, flags=re.IGNORECASE):
        found = companies.find(segment).instruments
        quantities = _QUANTITY.findall(segment)
        if len(found) == 1 and len(quantities) == 1 and float(quantities[0]) > 0:
            holdings.append((found[0], float(quantities[0])))
    group_by = "sector" if _TOPICS["sector"].search(text) else "symbol"
    return {"holdings": holdings, "group_by": group_by}
