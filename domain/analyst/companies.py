"""Finding companies in a sentence: NIFTY 50 symbols, names and aliases, a
name's distinctive first word ("Reliance"), and explicit tickers ("IRCTC.NS",
"BSE:INFY"). What is left over is kept, so an unknown name can be reported.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from domain.market.errors import UnknownSymbol
from domain.market.instruments import Instrument, resolve, suggest
from domain.market.nifty50 import NIFTY50

# An explicit exchange marks a ticker even outside the NIFTY 50; the tools
# decide whether the source knows it.
_EXPLICIT = re.compile(
    r"(?<![\w&-])(?:(?:NSE|BSE)\s*:\s*[A-Za-z0-9&-]+(?:\.(?:NS|BO))?|[A-Za-z0-9&-]+\.(?:NS|BO))\b",
    re.IGNORECASE,
)
_NOISE_WORDS = frozenset({"ltd", "limited", "the"})
# First words shared with everyday speech or other companies ("State", "Sun",
# "Power"); the full names and aliases still match.
_VAGUE_FIRST_WORDS = frozenset(
    {
        "asian",
        "bharat",
        "coal",
        "dr",
        "hindustan",
        "jio",
        "max",
        "oil",
        "power",
        "state",
        "sun",
        "tech",
    }
)
# Words in many company names; alone they suggest nothing useful.
_GENERIC_WORDS = frozenset(
    {
        "bank",
        "company",
        "corporation",
        "finance",
        "financial",
        "india",
        "industries",
        "insurance",
        "life",
        "motors",
        "pharma",
        "services",
        "steel",
    }
)
MAX_SUGGESTIONS = 5


@dataclass(frozen=True)
class Mentions:
    """Companies found in order of appearance, and the words nothing matched."""

    instruments: tuple[Instrument, ...]
    leftover: tuple[str, ...]


def normalise(text: str) -> str:
    """Lower-case words, '&' spelt out, apostrophes and 'Ltd' dropped."""
    text = text.lower().replace("&", " and ").replace("'", "").replace("’", "")
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    return " ".join(word for word in words if word not in _NOISE_WORDS)


def find(text: str) -> Mentions:
    found: list[tuple[int, Instrument]] = []
    for match in _EXPLICIT.finditer(text):
        try:
            found.append((match.start(), resolve(match.group(0), allow_unlisted=True)))
        except UnknownSymbol:
            continue
    rest = _EXPLICIT.sub(lambda m: " " * len(m.group(0)), text)
    leftover: list[str] = []
    for position, symbol in _scan(_words(rest), leftover):
        found.append((position, resolve(symbol)))
    ordered = [inst for _, inst in sorted(found, key=lambda pair: pair[0])]
    unique = list(dict.fromkeys(ordered))
    return Mentions(tuple(unique), tuple(leftover))


def suggestions(words: tuple[str, ...]) -> list[str]:
    """ "SYMBOL (Name)" labels that look like the words, best first."""
    found: list[str] = []
    for word in words:
        if word not in _GENERIC_WORDS:
            found += _starting_with(word) + suggest(word)
    found += suggest(" ".join(words)) if words else []
    return list(dict.fromkeys(found))[:MAX_SUGGESTIONS]


def label(inst: Instrument) -> str:
    return f"{inst.symbol} ({inst.name})"


def _words(text: str) -> list[tuple[int, str]]:
    """Normalised words, each with the offset of the token it came from."""
    return [
        (token.start(), word)
        for token in re.finditer(r"\S+", text)
        for word in normalise(token.group(0)).split()
    ]


def _scan(words: list[tuple[int, str]], leftover: list[str]) -> list[tuple[int, str]]:
    """Greedy longest match of index keys over the words: (offset, symbol)."""
    index, longest = _index()
    hits: list[tuple[int, str]] = []
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            symbol = index.get(" ".join(word for _, word in words[i : i + size]))
            if symbol is not None:
                hits.append((words[i][0], symbol))
                i += size
                break
        else:
            leftover.append(words[i][1])
            i += 1
    return hits


@cache
def _index() -> tuple[dict[str, str], int]:
    """Normalised key -> NSE symbol, and the most words any key has."""
    index: dict[str, str] = {}
    for row in NIFTY50:
        for key in (row.symbol, row.name, *row.aliases):
            index.setdefault(normalise(key), row.symbol)
    firsts = Counter(normalise(row.name).split()[0] for row in NIFTY50)
    for row in NIFTY50:
        first = normalise(row.name).split()[0]
        if firsts[first] == 1 and first not in _VAGUE_FIRST_WORDS:
            index.setdefault(first, row.symbol)
    return index, max(len(key.split()) for key in index)


def _starting_with(word: str) -> list[str]:
    """Companies whose name or symbol begins with `word` ("tata" -> four)."""
    if len(word) < 3:
        return []
    found = [
        f"{row.symbol} ({row.name})"
        for row in NIFTY50
        if normalise(row.name).startswith(word) or row.symbol.lower().startswith(word)
    ]
    if found:
        return found
    close = difflib.get_close_matches(word, [normalise(r.name).split()[0] for r in NIFTY50])
    return [f"{r.symbol} ({r.name})" for r in NIFTY50 if normalise(r.name).split()[0] in close]
