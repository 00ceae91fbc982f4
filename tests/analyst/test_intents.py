"""Reading the request: kinds, companies, extras, follow-ups."""

from __future__ import annotations

import pytest

from domain.analyst.intents import recognise

PHRASINGS = [
    ("Analyse INFY", "overview", ["INFY"]),
    ("tell me about Reliance", "overview", ["RELIANCE"]),
    ("Should I buy infosys ltd?", "overview", ["INFY"]),
    ("price of TCS", "price", ["TCS"]),
    ("How is HDFC Bank doing today?", "price", ["HDFCBANK"]),
    ("compare INFY and TCS", "compare", ["INFY", "TCS"]),
    ("INFY vs WIPRO", "compare", ["INFY", "WIPRO"]),
    ("Infosys or TCS, which is better?", "compare", ["INFY", "TCS"]),
    ("RSI of TCS", "technicals", ["TCS"]),
    ("technical analysis of ITC", "technicals", ["ITC"]),
    ("MACD and moving averages for sbi", "technicals", ["SBIN"]),
    ("P/E of INFY", "fundamentals", ["INFY"]),
    ("balance sheet of Reliance", "fundamentals", ["RELIANCE"]),
    ("cash flow and EPS of L&T", "fundamentals", ["LT"]),
    ("news on Adani Ports", "news", ["ADANIPORTS"]),
    ("what's the sentiment around Dr. Reddy's", "news", ["DRREDDY"]),
    ("dividend history of ITC", "dividends", ["ITC"]),
    ("chart of INFY", "chart", ["INFY"]),
    ("show me a candlestick chart for M&M", "chart", ["M&M"]),
    ("my portfolio", "portfolio", []),
]


@pytest.mark.parametrize(("text", "kind", "symbols"), PHRASINGS)
def test_common_requests_are_recognised_with_their_companies(text, kind, symbols):
    intent = recognise(text)

    assert intent.kind == kind
    assert [inst.symbol for inst in intent.instruments] == symbols


def test_suffixes_and_prefixes_choose_the_exchange():
    intent = recognise("compare INFY.BO with NSE:TCS")

    assert [(i.symbol, i.exchange) for i in intent.instruments] == [
        ("INFY", "BSE"),
        ("TCS", "NSE"),
    ]


def test_an_explicit_ticker_outside_the_index_is_passed_on_to_the_tools():
    intent = recognise("price of IRCTC.NS")

    assert intent.kind == "price"
    assert intent.instruments[0].symbol == "IRCTC"


def test_a_misspelt_company_is_unknown_and_comes_with_suggestions():
    intent = recognise("Analyse Infosis")

    assert intent.kind == "unknown_company"
    assert intent.extras["query"] == "Infosis"
    assert intent.extras["suggestions"][0] == "INFY (Infosys Ltd)"


def test_a_shared_first_name_lists_every_company_bearing_it():
    intent = recognise("tell me about Tata")

    assert intent.kind == "unknown_company"
    assert {"TCS", "TATASTEEL", "TATACONSUM"} <= {
        s.split()[0] for s in intent.extras["suggestions"]
    }


@pytest.mark.parametrize("text", ["hi", "Hello!", "what can you do?", "thanks"])
def test_greetings_and_help_questions_ask_for_help(text):
    assert recognise(text).kind == "help"


def test_a_request_without_a_company_borrows_the_previous_questions_companies():
    intent = recognise("and its RSI?", ["Analyse INFY"])

    assert intent.kind == "technicals"
    assert [i.symbol for i in intent.instruments] == ["INFY"]


def test_a_follow_up_naming_a_company_repeats_the_previous_request():
    intent = recognise("what about TCS?", ["news on INFY"])

    assert intent.kind == "news"
    assert [i.symbol for i in intent.instruments] == ["TCS"]


def test_a_request_without_a_company_or_history_asks_which_company():
    intent = recognise("show me a price chart")

    assert intent.kind == "missing_company"
    assert intent.extras["need"] == "chart"


def test_comparing_one_company_asks_for_another():
    assert recognise("compare INFY").kind == "missing_company"


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("chart of INFY over the last 6 months", "6mo"),
        ("INFY 1y chart", "1y"),
        ("compare INFY and TCS for 2 years", "2y"),
        ("TCS chart past week", "1mo"),
        ("all-time chart of ITC", "max"),
    ],
)
def test_a_stated_window_becomes_the_shortest_period_covering_it(text, period):
    assert recognise(text).extras["period"] == period


def test_holdings_written_in_the_message_are_read_with_their_quantities():
    intent = recognise("Chart my portfolio: 10 INFY, 5 shares of TCS and ITC 20 by sector")

    holdings = [(inst.symbol, qty) for inst, qty in intent.extras["holdings"]]
    assert intent.kind == "portfolio"
    assert holdings == [("INFY", 10.0), ("TCS", 5.0), ("ITC", 20.0)]
    assert intent.extras["group_by"] == "sector"
