"""Answers that need no tool result: help, an unknown or missing company, a
portfolio Kubera cannot see, and a request no offered tool can serve. They
state no market figure.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.analyst.intents import Intent
from domain.llm.base import ToolSpec

HELP = """I'm Kubera's offline analyst: a built-in, rule-based assistant for NSE and BSE \
stocks, used when no language model is configured. I fetch figures with Kubera's tools \
and explain them with textbook rules; I never quote a number the tools did not return.

Try asking:

- **Overview:** "Analyse INFY", "Tell me about Reliance"
- **Price:** "Price of TCS", "How is HDFC Bank doing today?"
- **Compare:** "Compare INFY and TCS", "INFY vs WIPRO"
- **Technicals:** "RSI of TCS", "Technical analysis of ITC", "MACD of SBI"
- **Fundamentals:** "P/E of INFY", "Balance sheet of Reliance", "Cash flow of ITC", \
"EPS of Wipro"
- **News and sentiment:** "News on Adani Ports", "Sentiment for TCS"
- **Dividends:** "Dividend history of ITC"
- **Charts:** "Chart of INFY", "Candlestick chart of TCS", "RSI chart of ITC"
- **Portfolio:** "Chart my portfolio: 10 INFY, 5 TCS, 8 ITC"

I know the NIFTY50 companies by name or ticker; add .BO for the BSE listing \
(INFY.BO), or .NS for an NSE ticker outside the index.

_Nothing I say is investment advice._
"""

_NEEDS = {
    "compare": 'Name at least two companies to compare, for example "Compare INFY and TCS".',
    "chart": 'Which company should I chart? For example "Chart of INFY" or '
    '"Candlestick chart of TCS".',
}

PORTFOLIO = """## Your portfolio

I can't see your holdings: Kubera has no tool connected that reads a saved portfolio, \
so I know nothing about your positions and won't guess.

If you list them in your message, I'll value them at the latest prices and chart the \
composition, for example:

- "Chart my portfolio: 10 INFY, 5 TCS, 8 ITC"
- "Portfolio by sector: 10 shares of Reliance and 5 of HDFC Bank"

_Nothing I say is investment advice._
"""


def without_results(intent: Intent, tools: Sequence[ToolSpec]) -> str:
    """The answer when no tool is called this step."""
    if intent.kind == "help":
        greeting = "Namaste! " if intent.extras.get("greeting") else ""
        return greeting + HELP
    if intent.kind == "unknown_company":
        return unknown_company(intent.extras.get("query", ""), intent.extras.get("suggestions", []))
    if intent.kind == "missing_company":
        need = intent.extras.get("need", "")
        return (
            _NEEDS.get(
                need,
                "Which company do you mean? Name it or give its NSE ticker, "
                'for example "INFY" or "Reliance".',
            )
            + "\n"
        )
    if intent.kind == "portfolio":
        return PORTFOLIO
    return no_tools(intent, tools)


def unknown_company(query: str, suggestions: Sequence[str]) -> str:
    lines = [f"I couldn't find a listed company matching “{query}”."]
    if len(suggestions) > 1 and all(query.lower() in s.lower() for s in suggestions):
        lines = [f"“{query}” could mean several companies. Which one?", ""]
        lines += [f"- {item}" for item in suggestions]
    elif suggestions:
        lines += ["", "Did you mean one of these?", ""]
        lines += [f"- {item}" for item in suggestions]
    else:
        lines += ["", "It is not close to any NIFTY50 name or ticker I know."]
    lines += [
        "",
        'Ask again with the name or NSE ticker (for example "Analyse INFY"); for '
        "a stock outside the NIFTY50, write its ticker with .NS, or .BO for BSE.",
    ]
    return "\n".join(lines) + "\n"


def no_tools(intent: Intent, tools: Sequence[ToolSpec]) -> str:
    names = ", ".join(i.symbol for i in intent.instruments) or "this request"
    if not tools:
        reason = "no market-data tools are available to me in this step"
    else:
        reason = "the tools this request needs are not offered in this session"
    return (
        f"I can't fetch data for {names} right now: {reason}. I only quote figures the "
        "tools return, so I won't answer from memory. Please ask again in a moment.\n"
    )
